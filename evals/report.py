"""Write a run to disk: report.md, results.json, cases.jsonl, PNG plots, and the RAGAS export."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evals.metrics import METRIC_KEYS, METRIC_LABELS, TurnResult
from evals.plots import plot_latency, plot_metrics_by_category, plot_overall
from evals.runner import RunResult

# the 0..1 metrics; the rest are words and milliseconds
RATE_KEYS = tuple(k for k in METRIC_KEYS if not k.endswith("_ms") and k != "answer_words_median")
ABSTENTION_REFERENCE = "The report does not contain this information."


def fmt(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    if key.endswith("_ms"):
        return f"{value:.1f}"
    if key == "answer_words_median":
        return f"{value:.0f}"
    return f"{value:.3f}"


def write_run(
    out_dir: Path,
    ours: RunResult,
    baseline: RunResult | None = None,
    datasets: Sequence[Path] = (),
    gate: list[str] | None = None,
    timestamp: str = "",
) -> Path:
    """Write every artifact of a run into ``out_dir`` and return the path of ``report.md``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = [ours] if baseline is None else [ours, baseline]
    results = {
        **ours.summary(),
        "n_turns": len(ours.results),
        "k": ours.k,
        "setup_seconds": ours.setup_seconds,
        "timestamp": timestamp,
        "datasets": [str(p) for p in datasets],
        "gate": None if gate is None else {"passed": not gate, "violations": gate},
        "failing": [f"{r.case_id}#{r.turn}" for r in ours.failing],
    }
    if baseline is not None:
        results["baseline"] = {
            "name": baseline.name,
            **baseline.summary(),
            "k": baseline.k,
            "setup_seconds": baseline.setup_seconds,
        }
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    with (out_dir / "cases.jsonl").open("w", encoding="utf-8") as fh:
        for run in runs:
            for r in run.results:
                fh.write(json.dumps({"system": run.name, **r.to_dict()}, ensure_ascii=False) + "\n")
    plots = {
        "overall.png": plot_overall(runs, RATE_KEYS, out_dir / "overall.png"),
        "metrics_by_category.png": plot_metrics_by_category(runs, RATE_KEYS, out_dir / "metrics_by_category.png"),
        "latency.png": plot_latency(runs, out_dir / "latency.png"),
    }
    report = out_dir / "report.md"
    report.write_text(render_markdown(ours, baseline, datasets, gate, timestamp, list(plots)), "utf-8")
    return report


def render_markdown(
    ours: RunResult,
    baseline: RunResult | None,
    datasets: Sequence[Path],
    gate: list[str] | None,
    timestamp: str,
    plots: Sequence[str] = (),
) -> str:
    runs = [ours] if baseline is None else [ours, baseline]
    lines = [f"# Eval run {timestamp}".rstrip(), ""]
    lines.append(
        f"Datasets: {', '.join(f'`{p}`' for p in datasets) or '—'}; {ours.n_cases} cases, "
        f"{len(ours.results)} turns. " + "; ".join(f"{r.name}: k = {r.k}, setup {r.setup_seconds:.1f} s" for r in runs)
    )
    lines.append("")
    if gate is not None:
        verdict = "**PASS**" if not gate else "**FAIL** — " + "; ".join(gate)
        lines += [f"Regression gate (`evals/thresholds.toml`): {verdict}", ""]
    lines += [
        "## Overall",
        "",
        "| Metric | " + " | ".join(r.name for r in runs) + " |",
        "|---|" + "---:|" * len(runs),
    ]
    overall = [r.overall for r in runs]
    for key in METRIC_KEYS:
        lines.append(f"| {METRIC_LABELS[key]} | " + " | ".join(fmt(key, o[key]) for o in overall) + " |")
    lines.append("| Failing turns | " + " | ".join(f"{len(r.failing)} / {len(r.results)}" for r in runs) + " |")
    lines.append("")
    for run in runs:
        lines += _category_table(run)
    if plots:
        lines += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    lines += [f"## Failing cases ({ours.name}): {len(ours.failing)} of {len(ours.results)} turns", ""]
    if not ours.failing:
        lines += ["None.", ""]
    for result in ours.failing:
        lines += _failure(result, ours.results)
    return "\n".join(lines)


def _category_table(run: RunResult) -> list[str]:
    lines = _grouped_table(
        f"By category ({run.name})", "Category", run, lambda r, cat: r.category == cat, list(run.by_category.items())
    )
    if run.by_split:
        lines += _grouped_table(
            f"By split ({run.name}): dev is for tuning, test is the gate",
            "Split",
            run,
            lambda r, split: r.split == split,
            list(run.by_split.items()),
        )
    if run.by_report:
        lines += _grouped_table(
            f"By report ({run.name})", "Report", run, lambda r, name: name in r.reports, list(run.by_report.items())
        )
    return lines


def _grouped_table(
    title: str,
    label: str,
    run: RunResult,
    member: Callable[[TurnResult, str], bool],
    groups: list[tuple[str, dict[str, float | None]]],
) -> list[str]:
    keys = [k for k in METRIC_KEYS if k != "latency_p95_ms"]
    lines = [
        f"## {title}",
        "",
        f"| {label} | Turns | " + " | ".join(METRIC_LABELS[k] for k in keys) + " |",
        "|---|---:|" + "---:|" * len(keys),
    ]
    for name, metrics in groups:
        n = sum(1 for r in run.results if member(r, name))
        lines.append(f"| {name} | {n} | " + " | ".join(fmt(k, metrics.get(k)) for k in keys) + " |")
    return [*lines, ""]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _failure(result: TurnResult, all_results: Sequence[TurnResult]) -> list[str]:
    title = f"### {result.case_id}"
    if result.n_turns > 1:
        title += f" — turn {result.turn} of {result.n_turns}"
    lines = [f"{title} ({result.category})", ""]
    earlier = [r for r in all_results if r.case_id == result.case_id and r.turn < result.turn]
    for r in earlier:
        lines.append(f"- earlier turn {r.turn}: *{_one_line(r.question)}* → {_one_line(r.answer)[:160]}")
    if earlier:
        lines.append("")
    lines.append(f"**Question:** {_one_line(result.question)}  ")
    if result.standalone_question and result.standalone_question.strip() != result.question.strip():
        lines.append(f"**Searched as:** {_one_line(result.standalone_question)}  ")
    if result.answerable:
        expected = "all of " + "; ".join(" or ".join(f"“{a}”" for a in g) for g in result.facts) if result.facts else ""
        if result.forbidden:
            expected += (
                ("; " if expected else "") + "none of " + ", ".join(f"“{a}”" for g in result.forbidden for a in g)
            )
        lines.append(
            f"**Expected:** {expected or 'an answer'}; evidence: "
            + " / ".join(f"“{e}”" for e in result.evidence)
            + "  "
        )
    else:
        lines.append("**Expected:** an abstention  ")
    lines.append(f"**Why it fails:** {'; '.join(result.failures)}  ")
    if result.trace:
        lines.append(f"**Trace:** {trace_line(result.trace)}  ")
    got = "(abstained) " if result.abstained else ""
    lines += [f"**Got:** {got}", ""] + [f"> {line}" for line in (result.answer or "(empty)").splitlines()] + [""]
    if result.citations:
        lines.append("**Citations:**")
        lines.append("")
        for c in result.citations:
            flags = []
            if c["supports"]:
                flags.append("supports")
            if c["invalid"]:
                flags.append("INVALID: " + c["invalid"])
            note = f" ({', '.join(flags)})" if flags else ""
            lines.append(f"{c['n']}. `{c['chunk_id']}` “{_one_line(c['quote'])[:300]}”{note}")
        lines.append("")
    return lines


def export_ragas(run: RunResult, path: Path) -> Path:
    """Write a RAGAS-compatible JSONL: ``user_input``, ``retrieved_contexts``, ``response``, ``reference``.

    One line per turn in ``cases.jsonl`` order. Follow-up turns carry the earlier questions of their
    conversation, one per line, before the follow-up. ``reference`` is the case's evidence (or, for an
    unanswerable turn, the statement that the report does not say).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    asked: dict[str, list[str]] = {}
    for r in run.results:
        previous = asked.setdefault(r.case_id, [])
        rows.append(
            {
                "user_input": "\n".join([*previous, r.question]),
                "retrieved_contexts": list(r.contexts),
                "response": r.answer,
                "reference": " ".join(r.evidence) if r.answerable else ABSTENTION_REFERENCE,
            }
        )
        previous.append(r.question)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    return path


def print_table(runs: Sequence[RunResult]) -> str:
    """A plain-text table for the terminal: overall, then per category, one column per system."""
    header = f"{'metric':<24}" + "".join(f"{r.name:>12}" for r in runs)
    out = [header, "-" * len(header)]
    for key in METRIC_KEYS:
        out.append(f"{METRIC_LABELS[key]:<24}" + "".join(f"{fmt(key, r.overall[key]):>12}" for r in runs))
    out.append(f"{'failing turns':<24}" + "".join(f"{len(r.failing):>12}" for r in runs))
    short = [
        "answer_accuracy",
        "citation_support",
        "abstention_accuracy",
        "false_abstention_rate",
        "hit_at_k",
    ]
    for run in runs:
        out += [
            "",
            f"by category ({run.name})",
            f"{'category':<15}" + "".join(f"{METRIC_LABELS[k][:12]:>14}" for k in short),
        ]
        for cat, metrics in run.by_category.items():
            out.append(f"{cat:<15}" + "".join(f"{fmt(k, metrics[k]):>14}" for k in short))
    return "\n".join(out)


def trace_line(trace: dict[str, Any]) -> str:
    """One line of what the stages decided: the route, the question's answer type, the answering route and,
    when the sentence route decided, its abstention probability and the features behind it."""
    route = trace.get("route") or {}
    analysis = trace.get("analysis") or {}
    answer = trace.get("answer") or {}
    sources = ", ".join(route.get("sources") or []) or "all reports"
    parts = [f"route {sources}" + (f" (via {route['via']})" if route.get("via") else "")]
    asks = str(analysis.get("answer_type", ""))
    if analysis.get("focus"):
        asks += f" about “{analysis['focus']}”"
    if asks:
        parts.append(f"asks {asks}")
    decided = f"answered by {answer.get('kind', '?')}, support {answer.get('support', 0):.3f}"
    if "probability" in answer:
        decided += f", p(answers) {answer['probability']:.3f}"
    parts.append(decided)
    features = answer.get("features") or {}
    if features:
        parts.append("features " + ", ".join(f"{k} {v:.3g}" for k, v in features.items()))
    return " · ".join(parts)
