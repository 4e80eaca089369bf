"""Login parsing, password checks and the loopback rule."""

from __future__ import annotations

import pytest

from ui.auth import (
    AuthConfigError,
    check_exposure,
    check_password,
    check_token,
    is_loopback,
    parse_credentials,
)


def test_parse_credentials_several_and_colons_in_passwords():
    assert parse_credentials("ana:s3cret, bo:pa:ss,") == [("ana", "s3cret"), ("bo", "pa:ss")]
    assert parse_credentials(None) == [] and parse_credentials("  ") == []


@pytest.mark.parametrize("spec", ["ana", "ana:", ":pw", "ana:pw,bo"])
def test_parse_credentials_rejects_malformed_entries(spec):
    with pytest.raises(AuthConfigError, match="user:password"):
        parse_credentials(spec)


def test_check_password_and_token():
    creds = [("ana", "pw1"), ("bo", "pw2")]
    assert check_password(creds, "bo", "pw2")
    assert not check_password(creds, "bo", "pw1") and not check_password([], "bo", "pw2")
    assert check_token("tok", "tok") and not check_token("tok", "nope") and not check_token(None, "")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "no-such-host.invalid"])
def test_non_loopback_hosts(host):
    assert not is_loopback(host)


def test_check_exposure_refuses_open_public_bind_and_says_why():
    with pytest.raises(AuthConfigError, match=r"ASSISTANT_AUTH.*--insecure"):
        check_exposure("0.0.0.0", [], insecure=False)
    check_exposure("0.0.0.0", [], insecure=True)
    check_exposure("0.0.0.0", [("a", "a-long-passphrase")], insecure=False)
    check_exposure("127.0.0.1", [], insecure=False)


def test_main_refuses_public_bind_without_login(monkeypatch, capsys):
    monkeypatch.delenv("ASSISTANT_AUTH", raising=False)
    from ui.__main__ import main

    assert main(["--host", "0.0.0.0", "--port", "9"]) == 2
    assert "Refusing to listen on '0.0.0.0' without a login" in capsys.readouterr().err


# -- hardening: hashed passwords, minimum lengths, the hash-password helper (finding 1) ------------------------


def test_a_bcrypt_hash_is_accepted_instead_of_the_password():
    from ui.auth import hash_password, is_password_hash

    hashed = hash_password("correct horse battery")
    assert is_password_hash(hashed) and "correct" not in hashed
    creds = parse_credentials(f"ana:{hashed},bo:plain-password-1")
    assert check_password(creds, "ana", "correct horse battery")
    assert not check_password(creds, "ana", "correct horse battery!") and not check_password(creds, "ana", hashed)
    assert check_password(creds, "bo", "plain-password-1") and not check_password(creds, "nobody", "x")
    assert not check_password(creds, "ana", "x" * 100)  # longer than bcrypt's 72 bytes: no match, no error


@pytest.mark.parametrize("password", ["", "short", "x" * 11, "é" * 40])
def test_hash_password_refuses_short_or_overlong_passwords(password):
    from ui.auth import hash_password

    with pytest.raises(AuthConfigError, match=r"at least 12|72 bytes"):
        hash_password(password)


def test_a_public_bind_needs_long_passwords_and_a_long_token():
    with pytest.raises(AuthConfigError, match=r"'ana' has 1 characters.*at least 12.*hash-password"):
        check_exposure("0.0.0.0", [("ana", "x")], insecure=False)
    with pytest.raises(AuthConfigError, match="ASSISTANT_API_TOKEN has 3 characters"):
        check_exposure("0.0.0.0", [], insecure=False, api_token="abc")
    check_exposure("0.0.0.0", [], insecure=False, api_token="t" * 16)  # a token alone protects everything
    check_exposure("127.0.0.1", [("ana", "x")], insecure=False)  # loopback: any password
    from ui.auth import hash_password

    check_exposure("0.0.0.0", [("ana", hash_password("a-long-passphrase"))], insecure=False)


def test_main_refuses_a_short_password_for_a_public_bind(monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_AUTH", "ana:x")
    from ui.__main__ import main

    assert main(["--host", "0.0.0.0", "--port", "9"]) == 2
    assert "has 1 characters" in capsys.readouterr().err


def test_python_m_ui_hash_password_prints_a_usable_hash():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ui", "hash-password"], input="a-long-passphrase\n", capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    hashed = done.stdout.strip()
    assert check_password(parse_credentials(f"ana:{hashed}"), "ana", "a-long-passphrase")
    assert "ASSISTANT_AUTH='name:" in done.stderr
    short = subprocess.run([sys.executable, "-m", "ui", "hash-password"], input="x\n", capture_output=True, text=True)
    assert short.returncode == 2 and "at least 12" in short.stderr


def test_the_start_up_line_says_what_protects_the_app():
    from ui.auth import Authenticator

    assert "no login" in Authenticator([]).describe()
    assert "need a login" in Authenticator([("ana", "pw")]).describe()
    assert "need the API token" in Authenticator([], "t" * 20).describe()
    assert "or the API token" in Authenticator([("ana", "pw")], "t" * 20).describe()
