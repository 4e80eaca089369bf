"""Regression gate: the public eval set through the real assistant must meet evals/thresholds.toml.

The run's report (report.md with every failing case, plots, cases.jsonl) is kept in test-output/eval-gate/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.dataset import DEFAULT_DATASET, load_cases
from evals.gate import load_thresholds, violations
from evals.report import write_run
from evals.runner import RunResult, run_cases

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-output" / "eval-gate"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def gate_assistant(request, tmp_path_factory):
    """The session's shared assistant when a conftest provides one, else one built for this module."""
    try:
        return request.getfixturevalue("assistant_session")
    except pytest.FixtureLookupError:
        from assistant import Assistant, Settings

        return Assistant(Settings(data_dir=tmp_path_factory.mktemp("eval-gate-data"), corpus_dir=ROOT / "corpus"))


@pytest.fixture(scope="module")
def gate_run(gate_assistant) -> RunResult:
    run = run_cases(gate_assistant, load_cases(DEFAULT_DATASET), progress=False)
    write_run(ARTIFACTS, run, datasets=[DEFAULT_DATASET], gate=violations(run.overall, load_thresholds()))
    return run


def test_eval_set_meets_the_thresholds(gate_run):
    problems = violations(gate_run.overall, load_thresholds())
    failing = ", ".join(f"{r.case_id}#{r.turn}" for r in gate_run.failing)
    assert not problems, (
        "eval metrics below thresholds: " + "; ".join(problems) + f"\nfailing turns: {failing}"
        f"\nsee {ARTIFACTS / 'report.md'}"
    )


def test_every_citation_is_verbatim(gate_run):
    invalid = [(r.case_id, c["n"], c["invalid"]) for r in gate_run.results for c in r.citations if c["invalid"]]
    assert not invalid
