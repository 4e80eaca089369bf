"""The eval report's trace line for a failing turn, from a hand-written trace."""

from __future__ import annotations

from evals.report import trace_line


def test_trace_line_names_each_stage() -> None:
    trace = {
        "route": {"sources": ["HX-12-345.md"], "via": "number"},
        "analysis": {"answer_type": "list", "focus": "stations", "value_kind": ""},
        "answer": {
            "kind": "abstain",
            "abstained": True,
            "support": 0.412,
            "probability": 0.31,
            "features": {"support": 0.412, "missing_names": 1.0},
        },
    }
    assert trace_line(trace) == (
        "route HX-12-345.md (via number) · asks list about “stations” · answered by abstain, support 0.412, "
        "p(answers) 0.310 · features support 0.412, missing_names 1"
    )


def test_trace_line_without_a_route_or_features() -> None:
    trace = {
        "route": {"sources": [], "via": ""},
        "analysis": {"answer_type": "other"},
        "answer": {"kind": "table", "support": 1.0},
    }
    assert trace_line(trace) == "route all reports · asks other · answered by table, support 1.000"
