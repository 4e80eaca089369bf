"""``python -m ui [--host H] [--port P] [--insecure]``: build the index if missing and serve the chat.

``python -m ui hash-password`` prints a bcrypt hash to put in ``ASSISTANT_AUTH`` instead of a password.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from assistant import Assistant, IndexLocked, IndexMismatch, IndexUnavailable, Settings

from .auth import AuthConfigError, Authenticator, check_exposure, hash_password, parse_credentials
from .security import allowed_hosts
from .serving import StartupError, bind_socket, server_lock

log = logging.getLogger("ui")


def parse_args(argv: list[str] | None, settings: Settings) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ui", description="Serve the chat UI and the HTTP API.")
    parser.add_argument("--host", default=settings.host, help=f"address to bind (default {settings.host})")
    parser.add_argument("--port", type=int, default=settings.port, help=f"port (default {settings.port})")
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="allow a non-loopback address without ASSISTANT_AUTH (only on a trusted network)",
    )
    return parser.parse_args(argv)


def hash_password_command() -> int:
    """Read a password (twice on a terminal, one line from a pipe) and print its bcrypt hash."""
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the two passwords differ.", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        hashed = hash_password(password)
    except AuthConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(hashed)
    print(f"Use it as ASSISTANT_AUTH='name:{hashed}' (single quotes: the hash contains '$').", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["hash-password"]:
        return hash_password_command()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    args = parse_args(argv, settings)
    settings = settings.model_copy(update={"host": args.host, "port": args.port})
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown_host}:{args.port}"
    try:
        credentials = parse_credentials(settings.auth)
        check_exposure(args.host, credentials, args.insecure, settings.api_token)
        sock = bind_socket(args.host, args.port)  # a busy port fails now, before the index loads
    except (AuthConfigError, StartupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        with server_lock(settings.data_dir, url):
            return serve(settings, sock, url, Authenticator(credentials, settings.api_token).describe())
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        sock.close()


def serve(settings: Settings, sock: object, url: str, protection: str) -> int:
    import uvicorn  # imported late so `--help` and the checks above stay fast

    from .app import create_app

    assistant = Assistant(settings)
    print(f"Preparing the index from {settings.corpus_dir} (first run builds it)…", flush=True)
    try:
        assistant.ensure_index(upgrade=True)
    except (IndexLocked, IndexUnavailable, IndexMismatch) as exc:
        # e.g. another instance is building the index right now: serve anyway; /api/health says why
        print(f"warning: {exc}", file=sys.stderr)
    status = assistant.status()
    if status.get("available"):
        assistant.warm_up()  # load the model and precompute sentence vectors so the first question is fast
        print(f"Index ready: {status.get('documents')} documents, {status.get('chunks')} chunks.", flush=True)
    else:
        print(f"warning: the index is unavailable: {status.get('error')}", file=sys.stderr)
    app = create_app(assistant, settings)
    print(f"Access: {protection}.", flush=True)
    hosts = ", ".join(allowed_hosts(settings.host, settings.allowed_hosts))
    print(f"Answering requests for the host names {hosts} (others: ASSISTANT_ALLOWED_HOSTS).", flush=True)
    print(f"Serving the chat at {url}  (API docs: /docs)", flush=True)
    # One process: the embedded Chroma index must not be opened by several writers.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])  # type: ignore[list-item]
    return 0


if __name__ == "__main__":
    sys.exit(main())
