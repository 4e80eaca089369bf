"""Benchmarks: ingest throughput, query latency, peak memory and index size, for our pipeline and the textbook
LangChain pipeline, on synthetic report-like corpora, with an embedded and a server-mode Chroma.

    .venv/bin/python benchmarks/run.py                                   # 1k and 10k, both stores, both pipelines
    .venv/bin/python benchmarks/run.py --sizes 100000 --queries 50       # the big one (about an hour)
    .venv/bin/python benchmarks/run.py --sizes 1000 --queries 10 --no-server   # smoke run (about a minute)

Prints a Markdown table and saves it (plus the raw numbers as JSON) to benchmarks/results/<timestamp>.md.

Every stage runs in its own subprocess so its peak RSS (``ru_maxrss``) is its own: an *ingest* worker
(load the model, ingest, then encode the very same chunk texts with the raw model for the reference
throughput) and a *query* worker (open the index, warm up, then time ``search``/``ask`` or the retriever, and
one query embedding, interleaved per question). Server mode starts a fresh ``chroma run`` for each pipeline
and stops it afterwards, always; its peak RSS (VmHWM) is added to the client's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

WARMUP = 3
TEXTBOOK_K = 4
COLUMNS = [
    "corpus",
    "store",
    "pipeline",
    "chunks",
    "ingest s",
    "chunks/s",
    "× raw encode",
    "search p50/p95 ms",
    "ask p50/p95 ms",
    "1 query embed ms",
    "search p50 × embed",
    "ask p50 × embed",
    "peak RSS MB ingest/query",
    "disk MB",
]


# -- measurement helpers (used inside the workers) ---------------------------------------------------------
def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _recording_embedder(settings: Any) -> Any:
    """The configured embedder, wrapped to record every text it encodes and the time spent encoding."""
    from assistant import Embedder, load_embedder

    base = load_embedder(settings)
    base.encode(["warm up the model"])

    class Recording(Embedder):
        def __init__(self) -> None:
            super().__init__(base.model, base.name, base.path, base.precision)
            self.texts: list[str] = []
            self.calls = 0
            self.seconds = 0.0

        def _record(self, call: Any, texts: list[str], batch_size: int) -> Any:
            started = time.perf_counter()
            out = call(texts, batch_size)
            self.seconds += time.perf_counter() - started
            self.calls += 1
            self.texts += texts
            return out

        def encode(self, texts: list[str], batch_size: int = 64) -> Any:
            return self._record(super().encode, texts, batch_size)

        def encode_tokens(self, texts: list[str], batch_size: int = 64) -> Any:
            return self._record(super().encode_tokens, texts, batch_size)

        def reset(self) -> None:
            self.texts, self.calls, self.seconds = [], 0, 0.0

    return base, Recording()


def _chroma_client(url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    assert url
    host, port = url.rsplit("//", 1)[1].split(":")
    return chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))


def _textbook_docs(corpus: Path) -> list[Any]:
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    docs = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": p.name})
            for p in sorted(corpus.glob("*.txt"))]  # fmt: skip
    return RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)


def _textbook_where(spec: dict[str, Any]) -> dict[str, Any]:
    """Where the textbook pipeline's Chroma lives: the server (client=) or a folder (persist_directory=)."""
    if spec["chroma_url"]:
        return {"client": _chroma_client(spec["chroma_url"])}
    return {"persist_directory": str(Path(spec["data_dir"]) / "chroma")}


def worker_ingest(spec: dict[str, Any]) -> dict[str, Any]:
    from assistant import Assistant, Index, Settings

    settings = Settings(corpus_dir=spec["corpus"], data_dir=spec["data_dir"], chroma_url=spec["chroma_url"])
    base, rec = _recording_embedder(settings)
    started = time.perf_counter()
    if spec["pipeline"] == "ours":
        bot = Assistant(settings, index=Index(settings, embedder=rec))
        report = bot.ingest(progress=False)
        chunks = report.chunks
    else:
        from langchain_chroma import Chroma

        docs = _textbook_docs(Path(spec["corpus"]))
        Chroma.from_documents(docs, embedding=rec, collection_name="textbook", **_textbook_where(spec))
        chunks = len(docs)
    ingest_s = time.perf_counter() - started
    rss = _peak_rss_mb()
    encoded_texts = len(rec.texts)
    # The reference: the raw model encoding the chunk texts themselves, all at once (ours: each chunk as a
    # pipeline without sentence vectors would encode it; the textbook: exactly what it encoded). Past
    # spec["raw_sample"] chunks, an evenly spaced sample stands for them (the throughput of a sample of the same
    # texts; it keeps the 100k run from spending another half hour on the reference).
    texts = _chunk_texts(Path(spec["corpus"])) if spec["pipeline"] == "ours" else list(rec.texts)
    step = max(1, -(-len(texts) // spec["raw_sample"]))
    sample = texts[::step]
    started = time.perf_counter()
    base.encode(sample)
    raw_s = time.perf_counter() - started
    return {
        "chunks": chunks,
        "encoded_texts": encoded_texts,
        "ingest_s": ingest_s,
        "encode_in_ingest_s": rec.seconds,
        "raw_texts": len(sample),
        "raw_encode_s": raw_s,
        "ingest_rss_mb": rss,
    }


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _chunk_texts(corpus: Path) -> list[str]:
    from assistant.chunking import chunk_document
    from assistant.index import embedding_text
    from assistant.ingest import load_document

    return [embedding_text(c) for p in sorted(corpus.glob("*.txt")) for c in chunk_document(load_document(p, p.name))]


def worker_query(spec: dict[str, Any]) -> dict[str, Any]:
    from assistant import Assistant, Index, Settings

    settings = Settings(corpus_dir=spec["corpus"], data_dir=spec["data_dir"], chroma_url=spec["chroma_url"])
    base, rec = _recording_embedder(settings)
    questions, warm = spec["questions"], spec["warmup"]
    started = time.perf_counter()
    out: dict[str, Any] = {"search_ms": [], "ask_ms": [], "embed_ms": []}
    if spec["pipeline"] == "ours":
        bot = Assistant(settings, index=Index(settings, embedder=rec))
        bot.warm_up()
        out["open_s"] = time.perf_counter() - started
        for q in warm:
            bot.search(q)
            bot.ask(q)
        ask_encode_ms, ask_encoded = [], []
        abstained = 0
        for q in questions:
            out["embed_ms"].append(_timed(lambda q=q: base.encode([q])))
            out["search_ms"].append(_timed(lambda q=q: bot.search(q)))
            rec.reset()
            started = time.perf_counter()
            reply = bot.ask(q)
            out["ask_ms"].append((time.perf_counter() - started) * 1000)
            ask_encode_ms.append(rec.seconds * 1000)
            ask_encoded.append(len(rec.texts))
            abstained += bool(reply.abstained)
        out["ask_encode_ms"] = ask_encode_ms
        out["ask_encoded_texts"] = ask_encoded
        out["abstained"] = abstained
    else:
        from langchain_chroma import Chroma

        store = Chroma(collection_name="textbook", embedding_function=rec, **_textbook_where(spec))
        retriever = store.as_retriever(search_kwargs={"k": TEXTBOOK_K})
        retriever.invoke("warm up")
        out["open_s"] = time.perf_counter() - started
        for q in warm:
            retriever.invoke(q)
        for q in questions:
            out["embed_ms"].append(_timed(lambda q=q: base.encode([q])))
            out["search_ms"].append(_timed(lambda q=q: retriever.invoke(q)))
    out["query_rss_mb"] = _peak_rss_mb()
    return out


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


# -- orchestration -----------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _vm_hwm_mb(pid: int) -> float:
    """Peak RSS of a process and its children (VmHWM from /proc), in MB."""
    total = 0.0
    pids = [pid]
    with contextlib.suppress(Exception):
        import psutil

        pids += [c.pid for c in psutil.Process(pid).children(recursive=True)]
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
    return total


@contextlib.contextmanager
def chroma_server(path: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real ``chroma run`` on a free loopback port, stopped on exit (also on errors)."""
    exe = Path(sys.executable).parent / "chroma"
    port = _free_port()
    path.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [str(exe if exe.exists() else "chroma"), "run", "--path", str(path), "--host", "127.0.0.1",
             "--port", str(port)],
            stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {proc.returncode}; see {log}")
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not answer on {url} within 60 s; see {log}") from None
                time.sleep(0.2)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _run_worker(stage: str, spec: dict[str, Any], tmp: Path) -> dict[str, Any]:
    spec_path, result_path = tmp / f"{stage}-spec.json", tmp / f"{stage}-result.json"
    spec_path.write_text(json.dumps(spec))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "ANONYMIZED_TELEMETRY": "False"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", stage, str(spec_path), str(result_path)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{stage} worker failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return dict(json.loads(result_path.read_text()))


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6 if path.exists() else 0.0


def bench_one(size: int, corpus: Path, store: str, pipeline: str, questions: list[str], warm: list[str],
              work: Path, raw_sample: int = 20000) -> dict[str, Any]:  # fmt: skip
    tmp = work / f"{size}-{store}-{pipeline}"
    data_dir = tmp / "data"
    data_dir.mkdir(parents=True)
    spec: dict[str, Any] = {
        "corpus": str(corpus),
        "data_dir": str(data_dir),
        "chroma_url": None,
        "pipeline": pipeline,
        "questions": questions,
        "warmup": warm,
        "raw_sample": raw_sample,
    }
    row: dict[str, Any] = {"corpus": size, "store": store, "pipeline": pipeline}
    with contextlib.ExitStack() as stack:
        server = None
        if store == "server":
            url, server = stack.enter_context(chroma_server(tmp / "server", tmp / "server.log"))
            spec["chroma_url"] = url
        row.update(_run_worker("ingest", spec, tmp))
        row.update(_run_worker("query", spec, tmp))
        row["server_rss_mb"] = _vm_hwm_mb(server.pid) if server else 0.0
    row["disk_mb"] = du_mb(tmp / "server" if store == "server" else data_dir)
    return summarize(row)


def summarize(row: dict[str, Any]) -> dict[str, Any]:
    row["chunks_per_s"] = row["chunks"] / row["ingest_s"]
    row["raw_chunks_per_s"] = row.get("raw_texts", row["encoded_texts"]) / row["raw_encode_s"]
    row["ratio_raw"] = row["chunks_per_s"] / row["raw_chunks_per_s"]
    row["embed_p50"] = statistics.median(row["embed_ms"])
    for key in ("search", "ask"):
        values = row.get(f"{key}_ms") or []
        row[f"{key}_p50"] = _percentile(values, 0.5) if values else None
        row[f"{key}_p95"] = _percentile(values, 0.95) if values else None
        row[f"{key}_ratio"] = row[f"{key}_p50"] / row["embed_p50"] if values else None
    if row.get("ask_encode_ms"):
        row["ask_encode_p50"] = _percentile(row["ask_encode_ms"], 0.5)
        row["ask_encoded_p50"] = _percentile([float(x) for x in row["ask_encoded_texts"]], 0.5)
    return row


def _fmt(row: dict[str, Any]) -> list[str]:
    def ms(a: float | None, b: float | None) -> str:
        return "—" if a is None or b is None else f"{a:.1f} / {b:.1f}"

    def x(v: float | None) -> str:
        return "—" if v is None else f"{v:.1f}×"

    rss_i, rss_q = row["ingest_rss_mb"], row["query_rss_mb"]
    rss = f"{rss_i:.0f} / {rss_q:.0f}"
    if row["server_rss_mb"]:
        rss += f" (+ server {row['server_rss_mb']:.0f})"
    return [
        f"{row['corpus']:,}",
        row["store"],
        "ours" if row["pipeline"] == "ours" else "textbook",
        f"{row['chunks']:,}",
        f"{row['ingest_s']:.1f}",
        f"{row['chunks_per_s']:.0f}",
        f"{row['ratio_raw']:.2f}×",
        ms(row["search_p50"], row["search_p95"]),
        ms(row["ask_p50"], row["ask_p95"]) if row["pipeline"] == "ours" else "—",
        f"{row['embed_p50']:.1f}",
        x(row["search_ratio"]),
        x(row["ask_ratio"]) if row["pipeline"] == "ours" else "—",
        rss,
        f"{row['disk_mb']:.1f}",
    ]


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(_fmt(r)) + " |" for r in rows]
    return "\n".join(lines)


def targets(rows: list[dict[str, Any]]) -> list[str]:
    """The issue's targets, checked against this run: one line each, PASS or MISS."""
    out = []
    for r in rows:
        if r["pipeline"] != "ours":
            continue
        name = f"{r['corpus']:,} {r['store']}"
        out.append(_check(f"{name}: ingest ≥ 0.8× raw encode", r["ratio_raw"] >= 0.8, f"{r['ratio_raw']:.2f}×"))
        limit = 2.0 if r["corpus"] <= 1000 else 3.0
        if r["ask_ratio"] is not None:
            detail = f"{r['ask_ratio']:.1f}× ({r['ask_p50']:.1f} ms vs {r['embed_p50']:.1f} ms)"
            out.append(_check(f"{name}: ask p50 ≤ {limit:g}× one query embedding", r["ask_ratio"] <= limit, detail))
        naive = next(
            (t for t in rows if t["pipeline"] == "textbook" and (t["corpus"], t["store"]) == (r["corpus"], r["store"])),
            None,
        )
        if naive is None:
            continue
        theirs = naive["search_p50"]
        for label, ours, limit_s, unit in (
            ("ingest", r["ingest_s"], naive["ingest_s"], "s"),
            ("search p50", r["search_p50"], theirs, "ms"),
            ("ask p50", r["ask_p50"], theirs, "ms"),
        ):
            detail = f"{ours:.1f} vs {limit_s:.1f} {unit}"
            out.append(_check(f"{name}: {label} not slower than textbook", ours <= limit_s, detail))
    return out


def _check(name: str, ok: bool, detail: str) -> str:
    return f"- {'PASS' if ok else 'MISS'} {name}: {detail}"


def details(rows: list[dict[str, Any]]) -> list[str]:
    """Where the time goes: encode share of ingest, encode inside ask, cold open of the index."""
    out = []
    for r in rows:
        line = (f"- {r['corpus']:,} {r['store']} {r['pipeline']}: {r['encoded_texts']:,} texts encoded at ingest; "
                f"encode {r['encode_in_ingest_s']:.1f} s of {r['ingest_s']:.1f} s ingest; raw encode of the chunk "
                f"texts {r['raw_chunks_per_s']:.0f}/s ({r.get('raw_texts', r['encoded_texts']):,} texts); index "
                f"open + warm-up {r['open_s']:.1f} s")  # fmt: skip
        if r.get("ask_encode_ms"):
            line += (f"; per ask: p50 {r['ask_encoded_p50']:.0f} texts encoded in {r['ask_encode_p50']:.1f} ms "
                     f"(of {r['ask_p50']:.1f} ms); abstained {r['abstained']}/{len(r['ask_ms'])}")  # fmt: skip
        out.append(line)
    return out


def machine() -> str:
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))  # fmt: skip
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    return (f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024**2:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")  # fmt: skip


def _load(avg: tuple[float, float, float]) -> str:
    return "/".join(f"{v:.1f}" for v in avg)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="Corpus sizes in chunks, comma-separated.")
    parser.add_argument("--queries", type=int, default=50, help="Timed questions per configuration.")
    parser.add_argument("--warmup", type=int, default=WARMUP, help="Untimed warm-up questions.")
    parser.add_argument("--no-server", action="store_true", help="Skip the server-mode (chroma run) store.")
    parser.add_argument("--no-embedded", action="store_true", help="Skip the embedded store.")
    parser.add_argument("--no-naive", action="store_true", help="Skip the textbook LangChain pipeline.")
    parser.add_argument("--out", type=Path, help="Markdown file for the results (default benchmarks/results/).")
    parser.add_argument("--corpora", type=Path, default=RESULTS / "corpora", help="Cache of generated corpora.")
    parser.add_argument(
        "--raw-sample", type=_positive, default=20000, help="At most this many chunk texts encoded for the reference."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the indexes (printed path) after the run.")
    parser.add_argument("--worker", nargs=3, metavar=("STAGE", "SPEC", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        stage, spec_path, result_path = args.worker
        spec = json.loads(Path(spec_path).read_text())
        result = (worker_ingest if stage == "ingest" else worker_query)(spec)
        Path(result_path).write_text(json.dumps(result))
        return 0

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    stores = [s for s, off in (("embedded", args.no_embedded), ("server", args.no_server)) if not off]
    pipelines = ["ours"] + ([] if args.no_naive else ["textbook"])
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    load_before = os.getloadavg()
    out = args.out or RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}.md"
    out.parent.mkdir(parents=True, exist_ok=True)

    def render(rows: list[dict[str, Any]]) -> str:
        return "\n".join(
            [
                f"## Benchmark {stamp}",
                "",
                f"Machine: {machine()}. Load average (1/5/15 min) at start {_load(load_before)}, at end "
                f"{_load(os.getloadavg())} (other work on the machine slows every figure; the ratios are measured "
                f"side by side in one process and suffer less). Queries: {args.queries} timed after "
                f"{args.warmup} warm-up, per configuration. × raw encode: ingest chunks/s over the raw model's "
                f"chunks/s encoding the chunk texts in one call (at most {args.raw_sample:,} of them, evenly "
                "sampled).",
                "",
                table(rows),
                "",
                "Targets:",
                "",
                *targets(rows),
                "",
                "Details:",
                "",
                *details(rows),
                "",
            ]
        )

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    rows: list[dict[str, Any]] = []
    try:
        for size in sizes:
            started = time.perf_counter()
            corpus = synth.ensure_corpus(size, args.corpora)
            print(f"corpus {size:,}: {corpus} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
            asked = synth.questions(corpus, args.queries + args.warmup)
            warm, questions = asked[: args.warmup], asked[args.warmup :]
            for store in stores:
                for pipeline in pipelines:
                    started = time.perf_counter()
                    rows.append(bench_one(size, corpus, store, pipeline, questions, warm, work, args.raw_sample))
                    print(f"  {store} {pipeline}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
                    out.write_text(render(rows))  # partial results survive an interrupted long run
                    out.with_suffix(".json").write_text(json.dumps(rows, indent=1))
    finally:
        if args.keep:
            print(f"indexes kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    report = render(rows)
    print(report)
    out.write_text(report)
    print(f"saved {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
