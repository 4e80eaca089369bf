"""Smoke run of the benchmark script at 1k chunks: it exits 0 and prints the table. No timing assertions
(the numbers depend on the machine); the 10k and 100k runs are not part of the suite (see benchmarks/README.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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

pytestmark = pytest.mark.integration


@pytest.mark.timeout(600)  # typically about a minute; generous for a busy two-core machine
def test_benchmark_script_prints_the_table(tmp_path: Path) -> None:
    out = tmp_path / "bench.md"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "ANONYMIZED_TELEMETRY": "False"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "1000", "--queries", "5", "--warmup", "1",
         "--no-server", "--corpora", str(tmp_path / "corpora"), "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=590,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header == COLUMNS
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]
    assert [(r[0], r[1], r[2]) for r in rows] == [("1,000", "embedded", "ours"), ("1,000", "embedded", "textbook")]
    ours = rows[0]
    assert ours[3] == "1,000"  # the generated corpus hits the chunk count exactly
    assert all(cell and cell != "nan" for cell in ours)
    assert "Targets:" in done.stdout
    assert out.read_text().strip() == done.stdout.strip()
    assert out.with_suffix(".json").exists()
