"""Warm `ask` latency on the real corpus, against embedding one query, in the same run.

    .venv/bin/python benchmarks/gao_latency.py [--questions 30]
    .venv/bin/python benchmarks/gao_latency.py --real      # the 28 reports of ../shared/reports, real-suite questions

Builds the index in a temp dir, warms up, then for each of N questions from the eval set (interleaved):
one query embedding, `search`, `ask`. Prints medians, p95 and the ratios to one query embedding.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
import time
from pathlib import Path

from assistant import Assistant, Settings, load_embedder

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "datasets" / "gao-25-108043.jsonl"
SHARED = ROOT.parent / "shared" / "reports"


def questions(n: int, real: bool = False) -> list[str]:
    """The first ``n`` single-turn questions of the seed eval set, or (``real``) of the real suite's files,
    taken from the files in turn so that the sample spans the reports."""
    files = sorted((ROOT / "evals" / "datasets" / "real").glob("*.jsonl")) if real else [SEED]
    per_file = [
        [case["question"] for case in map(json.loads, f.read_text().splitlines()) if "question" in case] for f in files
    ]
    mixed = [q for group in itertools.zip_longest(*per_file) for q in group if q]
    return mixed[:n]


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--real", action="store_true", help="the 28 shared reports and the real suite's questions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(corpus_dir=SHARED if args.real else ROOT / "corpus", data_dir=Path(data_dir))
        bot = Assistant(settings)
        started = time.perf_counter()
        report = bot.ingest(progress=False)
        print(f"index: {report.chunks} chunks in {time.perf_counter() - started:.1f} s")
        bot.warm_up()
        embedder = load_embedder(settings)
        for q in questions(3, args.real):
            bot.ask(q)
        timings: dict[str, list[float]] = {"embed": [], "search": [], "ask": []}
        for q in questions(args.questions, args.real):
            for name, call in (
                ("embed", lambda q=q: embedder.encode([q])),
                ("search", lambda q=q: bot.search(q)),
                ("ask", lambda q=q: bot.ask(q)),
            ):
                t = time.perf_counter()
                call()
                timings[name].append((time.perf_counter() - t) * 1000)
    embed = statistics.median(timings["embed"])
    print(f"{len(timings['ask'])} questions")
    for name, values in timings.items():
        median = statistics.median(values)
        ratio = median / embed
        print(f"{name:6s} p50 {median:7.1f} ms  p95 {p95(values):7.1f} ms  p50 / one query embedding {ratio:4.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
