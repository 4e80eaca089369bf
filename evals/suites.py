"""Eval suites: which datasets run against which corpus, and which thresholds gate them.

- ``seed``: the seed report's set (``evals/datasets/*.jsonl``) over ``corpus/``; gate ``thresholds.toml``.
- ``real``: cases written by reading 18 real GAO reports (``evals/datasets/real/*.jsonl``), asked over all 28
  reports of ``../shared/reports`` indexed together; each case is in the ``dev`` split (free to look at while
  tuning) or the ``test`` split (the gate); gate ``thresholds-real.toml``, one table per split.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evals.dataset import DATASETS_DIR, default_datasets
from evals.gate import Thresholds, parse_thresholds

if TYPE_CHECKING:
    from assistant import Assistant

ROOT = Path(__file__).resolve().parent.parent
SHARED_REPORTS = ROOT.parent / "shared" / "reports"


@dataclass(frozen=True)
class Suite:
    name: str
    datasets: tuple[Path, ...]
    corpus: Path
    thresholds: Path

    def gates(self) -> dict[str, Thresholds]:
        """Thresholds by split ("" for the whole set when the file has top-level [min]/[max])."""
        data = tomllib.loads(self.thresholds.read_text(encoding="utf-8"))
        if set(data) <= {"min", "max"}:
            return {"": parse_thresholds(data, self.thresholds)}
        return {split: parse_thresholds(table, self.thresholds) for split, table in data.items()}


def suites(reports_dir: Path | None = None) -> dict[str, Suite]:
    here = Path(__file__).parent
    return {
        "seed": Suite("seed", tuple(default_datasets()), ROOT / "corpus", here / "thresholds.toml"),
        "real": Suite(
            "real",
            tuple(sorted((DATASETS_DIR / "real").glob("*.jsonl"))),
            reports_dir or SHARED_REPORTS,
            here / "thresholds-real.toml",
        ),
    }


def suite_assistant(suite: Suite) -> Assistant:
    """The assistant a suite is asked with: its corpus, indexed in ``.data/eval-<suite>`` (kept between runs)."""
    from assistant import Assistant, Settings

    bot = Assistant(Settings(corpus_dir=suite.corpus, data_dir=Path(".data") / f"eval-{suite.name}"))
    bot.ingest(progress=False)  # brings the suite's index up to date with its corpus and this code's chunker
    return bot
