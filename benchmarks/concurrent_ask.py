"""Questions asked at the same time: throughput and latency of `ask` from several threads, with the model
calls of concurrent questions batched (the default) and without (each question encoded on its own), in the
same run on the real corpus.

    .venv/bin/python benchmarks/concurrent_ask.py [--threads 1,4,8] [--questions 40] [--rounds 3]

Builds the index in a temp dir and warms up. Then, per thread count and round, both modes run the same
questions (eval-set questions), split over the threads; the modes alternate so that drift on the machine
hits both. Prints asks/s and p50/p95 latency per mode (medians over rounds) and the ratio batched/unbatched.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gao_latency import ROOT, p95, questions  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402


def run(bot: Assistant, asked: list[str], threads: int) -> tuple[float, list[float]]:
    """Ask every question once, spread over ``threads`` threads; returns (asks per second, latencies ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker(part: list[str]) -> None:
        start.wait()
        for q in part:
            t = time.perf_counter()
            bot.ask(q)
            with lock:
                latencies.append((time.perf_counter() - t) * 1000)

    parts = [asked[i::threads] for i in range(threads)]
    pool = [threading.Thread(target=worker, args=(p,)) for p in parts]
    began = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(asked) / (time.perf_counter() - began), latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", default="1,4,8")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asked = questions(args.questions)
    with tempfile.TemporaryDirectory() as data_dir:
        bot = Assistant(Settings(corpus_dir=ROOT / "corpus", data_dir=Path(data_dir)))
        bot.ingest(progress=False)
        bot.warm_up()
        embedder: Any = bot.index.embedder
        batched = embedder.embed_one

        def unbatched(text: str) -> Any:
            return embedder.encode([text])[0]

        for q in asked[:5]:
            bot.ask(q)
        print(f"{len(asked)} questions per run, {args.rounds} rounds, real corpus ({ROOT / 'corpus'})")
        print("| threads | mode | asks/s | p50 ms | p95 ms |")
        print("|---|---|---|---|---|")
        for threads in [int(t) for t in args.threads.split(",")]:
            results: dict[str, list[tuple[float, list[float]]]] = {"batched": [], "one by one": []}
            for _ in range(args.rounds):
                for mode, embed in (("batched", batched), ("one by one", unbatched)):
                    embedder.embed_one = embed
                    results[mode].append(run(bot, asked, threads))
            rate = {}
            for mode, runs in results.items():
                rate[mode] = statistics.median(r for r, _ in runs)
                lat = [x for _, values in runs for x in values]
                print(f"| {threads} | {mode} | {rate[mode]:.1f} | {statistics.median(lat):.1f} | {p95(lat):.1f} |")
            print(f"| {threads} | batched / one by one | {rate['batched'] / rate['one by one']:.2f}× | | |")
        embedder.embed_one = batched
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
