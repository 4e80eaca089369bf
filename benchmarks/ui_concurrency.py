"""Latency of concurrent /api/ask clients against the real web app on loopback.

    .venv/bin/python benchmarks/ui_concurrency.py                 # starts `python -m ui` on a free port
    .venv/bin/python benchmarks/ui_concurrency.py --url http://127.0.0.1:7860 --clients 20 --rounds 5

Each of ``--clients`` clients sends ``--rounds`` questions back to back (all clients at once); the script
prints p50/p95/max latency per request, throughput and errors. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "How many recommendations did GAO make to DOD?",
    "Which countries take part in Operation Olympic Defender?",
    "How many partner countries have data sharing agreements?",
    "Did DOD concur with the recommendations?",
    "What challenges impede collaboration with allies and partners?",
    "Which countries have personnel exchanges with Space Force?",
    "What is the capital of France?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def client(http: httpx.AsyncClient, url: str, i: int, rounds: int, latencies: list[float], errors: list[str]):
    for r in range(rounds):
        question = QUESTIONS[(i + r) % len(QUESTIONS)]
        start = time.perf_counter()
        try:
            response = await http.post(f"{url}/api/ask", json={"question": question})
            response.raise_for_status()
            latencies.append(time.perf_counter() - start)
        except httpx.HTTPError as exc:
            errors.append(repr(exc))


async def run(url: str, clients: int, rounds: int) -> None:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        for question in QUESTIONS:  # warm up: model, caches
            (await http.post(f"{url}/api/ask", json={"question": question})).raise_for_status()
        latencies: list[float] = []
        errors: list[str] = []
        start = time.perf_counter()
        await asyncio.gather(*(client(http, url, i, rounds, latencies, errors) for i in range(clients)))
        wall = time.perf_counter() - start
    ms = [x * 1000 for x in latencies]
    print(f"{clients} concurrent clients x {rounds} questions against {url}/api/ask")
    print(f"  requests ok: {len(ms)}  errors: {len(errors)}  wall: {wall:.2f}s  throughput: {len(ms) / wall:.1f} req/s")
    if ms:
        print(
            f"  latency ms: p50 {percentile(ms, 50):.0f}  p95 {percentile(ms, 95):.0f}  "
            f"max {max(ms):.0f}  mean {statistics.fmean(ms):.0f}"
        )
    for error in errors[:5]:
        print("  error:", error)


def start_server(port: int, workdir: Path) -> subprocess.Popen:
    corpus = workdir / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")} | {
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_DATA_DIR": str(workdir / "data"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log = (workdir / "server.log").open("w")
    cmd = [sys.executable, "-m", "ui", "--port", str(port)]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not become healthy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server (default: start one on a free loopback port)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5, help="questions per client")
    args = parser.parse_args()
    if args.url:
        asyncio.run(run(args.url.rstrip("/"), args.clients, args.rounds))
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="ui-bench-") as tmp:
        process = start_server(port, Path(tmp))
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process)
            asyncio.run(run(url, args.clients, args.rounds))
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
