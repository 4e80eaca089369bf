"""Where does a warm ``ask`` spend its time? A per-stage timing breakdown over generated questions.

    .venv/bin/python benchmarks/profile_ask.py --size 1000 --queries 30
    .venv/bin/python benchmarks/profile_ask.py --size 10000 --queries 30 --data-dir /tmp/bench-10k  # reuse index

Wraps methods of one Assistant's collaborators (on the instances, nothing in ``assistant/`` changes) and
prints, per stage, the median and mean milliseconds per ``ask`` and the share of the ``ask`` total. Also
compares encoding the chunk texts per document (as ingest does) with one global encode of the same texts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import synth  # noqa: E402


class Timer:
    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self.depth: dict[str, int] = defaultdict(int)

    def wrap(self, obj: Any, name: str, label: str) -> None:
        original = getattr(obj, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            self.depth[label] += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth[label] -= 1
                if self.depth[label] == 0:  # count the outermost call only (recursion, nested helpers)
                    self.current[label] += time.perf_counter() - started
                    self.counts[label] += 1

        setattr(obj, name, timed)

    def take(self) -> tuple[dict[str, float], dict[str, int]]:
        out, counts = dict(self.current), dict(self.counts)
        self.current.clear()
        self.counts.clear()
        return out, counts


def profile_ask(bot: Any, questions: list[str], timer: Timer) -> list[tuple[dict[str, float], dict[str, int]]]:
    runs = []
    for q in questions:
        timer.take()
        started = time.perf_counter()
        bot.ask(q)
        stages, counts = timer.take()
        stages["ask (total)"] = time.perf_counter() - started
        runs.append((stages, counts))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--data-dir", type=Path, help="Index folder (reused when it holds an index).")
    parser.add_argument("--corpora", type=Path, default=HERE / "results" / "corpora")
    args = parser.parse_args()

    from assistant import Assistant, Settings, load_embedder

    corpus = synth.ensure_corpus(args.size, args.corpora)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="profile-ask-"))
    settings = Settings(corpus_dir=corpus, data_dir=data_dir)
    embedder = load_embedder(settings)
    embedder.encode(["warm up"])
    timer = Timer()
    for name, label in (("_condense", "condense (total)"), ("_retrieve", "retrieve (total)"),
                        ("_answer", "answer (total)")):  # fmt: skip
        timer.wrap(Assistant, name, label)  # on the class: the chain holds the bound methods
    try:
        from assistant.table_answers import TableAnswerer

        timer.wrap(TableAnswerer, "answer", "answer: TableAnswerer.answer")
    except (ImportError, AttributeError):
        pass
    bot = Assistant(settings)
    if not bot.index.exists():
        started = time.perf_counter()
        bot.ingest(progress=False)
        print(f"ingested {args.size:,} chunks in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    bot.warm_up()

    answerer, index, searcher = bot.answerer, bot.index, bot.searcher
    wraps = [  # (object, method names to try, label); names that do not exist (code moves) are skipped
        (bot, ["catalog"], "condense: catalog() over all tables"),
        (searcher, ["embed"], "retrieve: embed question"),
        (index, ["dense"], "retrieve: Chroma query (dense)"),
        (index, ["lexical"], "retrieve: BM25 (lexical)"),
        (answerer, ["_try_table", "_from_metadata"], "answer: metadata/table checks"),
        (answerer, ["_unknown_names", "unknown_names"], "answer: unknown names"),
        (answerer, ["_embed_texts", "_embed"], "answer: sentence embedding (_embed_texts)"),
        (answerer, ["support_scores"], "answer: support_scores (incl. sentence embedding)"),
        (index, ["source_text"], "answer: index.source_text"),
        (index, ["loaded"], "index.loaded() (manifest re-check)"),
    ]
    for obj, names, label in wraps:
        found = [n for n in names if hasattr(obj, n)]
        if not found:
            print(f"(not profiled: {label}; none of {names} exists)", file=sys.stderr)
            continue
        timer.wrap(obj, found[0], f"{label} [{found[0]}]")

    asked = synth.questions(corpus, args.queries + 5, seed=7)
    profile_ask(bot, asked[:5], timer)  # warm-up
    runs = profile_ask(bot, asked[5:], timer)
    labels = sorted({k for stages, _ in runs for k in stages}, key=lambda k: (k != "ask (total)", k))
    total = statistics.median(s["ask (total)"] for s, _ in runs)
    embeds = []
    for q in asked[5:]:
        started = time.perf_counter()
        embedder.encode([q])
        embeds.append(time.perf_counter() - started)
    one = statistics.median(embeds)
    print(f"\n### ask breakdown, {args.size:,} chunks, {len(runs)} questions (embedded store)\n")
    print(f"One query embedding: median {one * 1000:.1f} ms. ask: median {total * 1000:.1f} ms "
          f"({total / one:.1f}× one query embedding).\n")  # fmt: skip
    print("| stage | median ms | mean ms | calls per ask | median share of ask |")
    print("|---|---|---|---|---|")
    for label in labels:
        values = [s.get(label, 0.0) for s, _ in runs]
        calls = statistics.mean(c.get(label, 0) for _, c in runs)
        share = statistics.median(s.get(label, 0.0) / s["ask (total)"] for s, _ in runs)
        print(f"| {label} | {statistics.median(values) * 1000:.1f} | {statistics.mean(values) * 1000:.1f} | "
              f"{calls:.1f} | {share:.0%} |")  # fmt: skip
    cache = getattr(answerer, "_sentence_vectors", getattr(answerer, "_vectors", None))
    if cache is not None:
        print(f"\nSentence-vector cache after the run: {len(cache):,} entries.")

    # ingest: per-document encode (what index.vectors.add_chunks does) vs one global encode of the same texts
    from assistant.chunking import chunk_document
    from assistant.ingest import load_document

    per_doc = []
    for path in sorted(corpus.glob("*.txt"))[:40]:
        chunks = chunk_document(load_document(path, path.name))
        per_doc.append([f"{c.section}\n{c.text}" if c.section != c.title else c.text for c in chunks])
    flat = [t for texts in per_doc for t in texts]
    started = time.perf_counter()
    for texts in per_doc:
        embedder.encode(texts)
    doc_s = time.perf_counter() - started
    started = time.perf_counter()
    embedder.encode(flat)
    all_s = time.perf_counter() - started
    print(f"\nEncoding {len(flat):,} chunk texts of {len(per_doc)} files: per file {len(flat) / doc_s:.0f}/s, "
          f"all at once {len(flat) / all_s:.0f}/s ({all_s / doc_s:.2f}× the time).")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
