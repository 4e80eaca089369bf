"""Ingest of real reports: our pipeline against the textbook LangChain pipeline, same files, model and run.

    .venv/bin/python benchmarks/ingest_reports.py                       # the 28 reports of ../shared/reports
    .venv/bin/python benchmarks/ingest_reports.py --corpus DIR --profile

The textbook pipeline reads each file as text (pypdf's text for PDFs), splits it with
RecursiveCharacterTextSplitter(1000, 200) and writes it with ``Chroma.from_documents``. Ours loads, structures,
chunks, embeds sentences and writes an index generation (``Assistant.ingest``). Both use one loaded model
(warmed up first) and a fresh embedded Chroma in a temporary folder; the order alternates over ``--rounds``.
The textbook runs the model in float32, as LangChain's ``HuggingFaceEmbeddings`` does by default; ours in the
precision of its settings (``ASSISTANT_EMBEDDING_PRECISION``, ``auto`` = bfloat16 on CPUs that have it). When
the two differ, a third pipeline, "textbook-same", runs the textbook at ours' precision: the like-for-like
comparison of the pipelines' own work. Prints chunks, seconds and the ratio ours / textbook, in wall-clock
seconds and in CPU seconds of the process (all its threads: the model's and Chroma's); on a machine busy with
other work the CPU seconds are the fairer comparison. ``--profile`` adds where our time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import _recording_embedder  # benchmarks/ is a folder of scripts

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "reports"


def textbook(corpus: Path, embedder: Any, where: Path) -> int:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from pypdf import PdfReader

    docs = []
    for path in sorted(p for p in corpus.iterdir() if p.suffix.lower() in (".md", ".txt", ".pdf")):
        if path.name.lower() == "readme.md":
            continue
        if path.suffix.lower() == ".pdf":
            text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
        else:
            text = path.read_text(encoding="utf-8")
        docs.append(Document(page_content=text, metadata={"source": path.name}))
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    Chroma.from_documents(chunks, embedding=embedder, collection_name="textbook", persist_directory=str(where))
    return len(chunks)


def ours(corpus: Path, embedder: Any, where: Path) -> int:
    from assistant import Assistant, Index, Settings

    settings = Settings(corpus_dir=corpus, data_dir=where)
    bot = Assistant(settings, index=Index(settings, embedder=embedder))
    report = bot.ingest(progress=False)
    if report.skipped:
        print("skipped:", report.skipped, file=sys.stderr)
    return report.chunks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED, help="folder of reports (default ../shared/reports)")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each pipeline, alternating")
    parser.add_argument("--profile", action="store_true", help="also profile one run of ours")
    parser.add_argument(
        "--textbook-precision",
        default="float32",
        choices=["auto", "float32", "bfloat16"],
        help="the textbook's model arithmetic (default float32, LangChain's default)",
    )
    args = parser.parse_args(argv)
    from assistant import Settings

    _, embedder = _recording_embedder(Settings())
    _, textbook_embedder = _recording_embedder(Settings(embedding_precision=args.textbook_precision))
    pipelines = [("textbook", textbook, textbook_embedder), ("ours", ours, embedder)]
    if textbook_embedder.precision != embedder.precision:
        pipelines.append(("textbook-same", textbook, embedder))
    print("precision: " + ", ".join(f"{name} {emb.precision}" for name, _, emb in pipelines))
    results: dict[str, list[tuple[int, float, float, float]]] = {name: [] for name, _, _ in pipelines}
    for round_ in range(args.rounds):
        for name, fn, emb in pipelines if round_ % 2 == 0 else pipelines[::-1]:
            with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
                emb.reset()
                started, cpu = time.perf_counter(), time.process_time()
                chunks = fn(args.corpus, emb, Path(tmp))
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                results[name].append((chunks, seconds, emb.seconds, cpu))
                print(
                    f"{name:9} round {round_ + 1}: {chunks} chunks, {seconds:.1f} s "
                    f"({emb.seconds:.1f} s encoding), {cpu:.1f} CPU s"
                )
    t = statistics.median(r[1] for r in results["textbook"])
    t_cpu = statistics.median(r[3] for r in results["textbook"])
    print("\n| pipeline | chunks | ingest s (median) | encoding s | ratio to textbook | CPU s (median) | CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in results:
        med = statistics.median(r[1] for r in results[name])
        med_cpu = statistics.median(r[3] for r in results[name])
        chunks, _, enc, _ = results[name][0]
        print(
            f"| {name} | {chunks} | {med:.1f} | {enc:.1f} | {med / t:.2f}x | {med_cpu:.1f} | {med_cpu / t_cpu:.2f}x |"
        )
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
            profiler = cProfile.Profile()
            profiler.enable()
            ours(args.corpus, embedder, Path(tmp))
            profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
