"""Gate on real reports: the real suite's test split, asked over all 28 shared reports indexed together, must
meet evals/thresholds-real.toml. The run's report is kept in test-output/eval-real/."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from evals.dataset import load_cases
from evals.gate import violations
from evals.report import write_run
from evals.runner import RunResult, run_cases
from evals.suites import suites

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-output" / "eval-real"
SUITE = suites()["real"]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(1800),  # ingests 28 reports, then asks 134 turns: ~6 min on 2 idle cores, ~20 when busy
    pytest.mark.skipif(not SUITE.corpus.is_dir(), reason="../shared/reports is not there"),
]


@pytest.fixture(scope="module")
def real_run(real_reports_assistant: Assistant) -> RunResult:
    bot = real_reports_assistant
    cases = [c for c in load_cases(SUITE.datasets) if c.split == "test"]
    run = run_cases(bot, cases, progress=False)
    gate = violations(run.overall, SUITE.gates()["test"])
    write_run(ARTIFACTS, run, datasets=list(SUITE.datasets), gate=gate)
    return run


def test_the_test_split_meets_its_thresholds(real_run: RunResult) -> None:
    problems = violations(real_run.overall, SUITE.gates()["test"])
    assert not problems, "; ".join(problems) + f"\nsee {ARTIFACTS / 'report.md'}"


def test_every_real_citation_is_verbatim(real_run: RunResult) -> None:
    invalid = [(r.case_id, c["n"], c["invalid"]) for r in real_run.results for c in r.citations if c["invalid"]]
    assert not invalid


def test_the_report_has_split_and_report_tables(real_run: RunResult) -> None:
    text = (ARTIFACTS / "report.md").read_text(encoding="utf-8")
    assert "## By split" in text and "## By report" in text
    assert set(real_run.by_split) == {"test"} and len(real_run.by_report) >= 12
