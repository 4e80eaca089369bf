"""`assistant ingest | ask | search | chat | documents` — a thin layer over the public API."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from assistant.chain import Assistant
from assistant.config import Settings
from assistant.embeddings import EmbeddingModelError
from assistant.store import IndexLocked, IndexMismatch, IndexUnavailable
from assistant.types import Reply, hit_to_dict


def _print_reply(reply: Reply) -> None:
    print(reply.answer)
    if reply.notice and reply.notice not in ("empty_question", "index_unavailable", "error"):
        print(f"\n({reply.notice})")
    for c in reply.citations:
        where = f"{c.source}, {c.section}" + (f", p. {c.printed_page or c.page}" if c.page else "")
        quote = " ".join(c.quote.replace("\t", " | ").split())
        print(f"  [{c.n}] {where}: “{quote}”")


def cmd_ingest(bot: Assistant, args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or None
    report = bot.ingest(paths, rebuild=args.rebuild, progress=None)
    for source, reason in sorted(report.skipped.items()):
        print(f"warning: skipped {source}: {reason}", file=sys.stderr)
    if report.ok:
        for doc in bot.documents():
            number = f" {doc.report_number}" if doc.report_number else ""
            date = f", {doc.date}" if doc.date else ""
            print(f"  {doc.source}: “{doc.title}”{number}{date} — {doc.chunks} chunks")
    changed = len(report.files_indexed)
    print(
        f"Indexed {changed} new or changed file(s), {len(report.files_unchanged)} unchanged, "
        f"{len(report.files_removed)} removed, {len(report.skipped)} skipped: {report.chunks} chunks "
        f"in {report.seconds:.1f} s."
    )
    if not report.ok:
        print(
            "error: nothing could be indexed; add .txt, .md, .pdf or .html files to the corpus.",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_ask(bot: Assistant, args: argparse.Namespace) -> int:
    reply = bot.ask(" ".join(args.question), sources=args.source or None)
    if args.json:
        print(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_reply(reply)
    return 2 if reply.notice == "index_unavailable" else 0


def cmd_search(bot: Assistant, args: argparse.Namespace) -> int:
    hits = bot.search(" ".join(args.query), k=args.k, sources=args.source or None)
    if args.json:
        print(json.dumps([hit_to_dict(h) for h in hits], ensure_ascii=False, indent=2))
        return 0
    for rank, hit in enumerate(hits, 1):
        c = hit.chunk
        text = " ".join(c.text.split())
        print(f"{rank}. [{c.kind}] {c.source} — {c.section} (score {hit.score:.4f})\n   {text[:300]}")
    return 0


def cmd_chat(bot: Assistant, args: argparse.Namespace) -> int:
    history: list[dict[str, Any]] = []
    print("Ask about the reports (empty line or Ctrl-D to quit, /clear to start over).")
    while True:
        try:
            question = input("\n> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question:
            return 0
        if question == "/clear":
            history = []
            continue
        reply = bot.ask(question, history=history, sources=args.source or None)
        if reply.standalone_question and reply.standalone_question != question:
            print(f"(read as: {reply.standalone_question})")
        _print_reply(reply)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": reply.answer}]


def cmd_documents(bot: Assistant, args: argparse.Namespace) -> int:
    docs = [d.to_dict() for d in bot.documents()]
    if args.json:
        print(json.dumps(docs, indent=2))
    else:
        for d in docs:
            print(f"{d['source']}: “{d['title']}” {d['report_number']} {d['date']} — {d['chunks']} chunks")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Cited answers from government reports.")
    parser.add_argument("-v", "--verbose", action="store_true", help="show log messages")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="index the corpus (incremental)")
    p.add_argument("paths", nargs="*", help="files or folders (default: the corpus folder)")
    p.add_argument("--rebuild", action="store_true", help="re-embed everything (e.g. after changing the model)")
    p.set_defaults(func=cmd_ingest)
    for name, func, help_ in (
        ("ask", cmd_ask, "answer one question"),
        ("search", cmd_search, "show ranked passages"),
    ):
        p = sub.add_parser(name, help=help_)
        p.add_argument("question" if name == "ask" else "query", nargs="+")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument("--source", action="append", help="only these documents (repeatable)")
        if name == "search":
            p.add_argument("-k", type=int, default=None, help="how many passages")
        p.set_defaults(func=func)
    p = sub.add_parser("chat", help="chat in the terminal (keeps history for follow-ups)")
    p.add_argument("--source", action="append", help="only these documents (repeatable)")
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("documents", help="list the indexed documents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_documents)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR, format="%(levelname)s %(message)s")
    try:
        bot = Assistant(Settings())
        if args.command in ("ask", "search", "chat", "documents"):
            bot.ensure_index(upgrade=True)
        return int(args.func(bot, args))
    except (IndexUnavailable, IndexMismatch, IndexLocked, EmbeddingModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
