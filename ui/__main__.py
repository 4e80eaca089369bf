"""``python -m ui [--host H] [--port P] [--insecure]``: build the index if missing and serve the chat."""

from __future__ import annotations

import argparse
import logging
import sys

from assistant import Assistant, IndexLocked, IndexMismatch, IndexUnavailable, Settings

from .auth import AuthConfigError, check_exposure, parse_credentials

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


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    args = parse_args(argv, settings)
    settings = settings.model_copy(update={"host": args.host, "port": args.port})
    try:
        check_exposure(args.host, parse_credentials(settings.auth), args.insecure)
    except AuthConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

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
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Serving the chat at http://{shown_host}:{args.port}  (API docs: /docs)", flush=True)
    # One process: the embedded Chroma index must not be opened by several writers.
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
