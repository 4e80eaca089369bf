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
    check_exposure("0.0.0.0", [("a", "b")], insecure=False)
    check_exposure("127.0.0.1", [], insecure=False)


def test_main_refuses_public_bind_without_login(monkeypatch, capsys):
    monkeypatch.delenv("ASSISTANT_AUTH", raising=False)
    from ui.__main__ import main

    assert main(["--host", "0.0.0.0", "--port", "9"]) == 2
    assert "Refusing to listen on '0.0.0.0' without a login" in capsys.readouterr().err
