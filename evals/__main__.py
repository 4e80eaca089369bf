"""``python -m evals``: run the eval set through the assistant, print the metrics, write a report.

Examples:
    python -m evals                          # the shipped datasets, report in evals/results/<timestamp>/
    python -m evals --compare naive          # and the textbook LangChain RAG, side by side
    python -m evals --json > metrics.json    # one JSON object on stdout, nothing else
    python -m evals --dataset my.jsonl --check   # exit 1 when a threshold of evals/thresholds.toml fails
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from evals.dataset import DatasetError, default_datasets, load_cases
from evals.gate import THRESHOLDS_PATH, load_thresholds, violations
from evals.runner import AssistantLike, RunResult, run_cases
from evals.suites import Suite, suite_assistant, suites

RESULTS_DIR = Path(__file__).parent / "results"

AssistantFactory = Callable[[], AssistantLike]
BaselineFactory = Callable[[AssistantLike], AssistantLike]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evals",
        description="Measure the assistant on the eval set: answer accuracy, citations, abstentions, "
        "retrieval and latency, overall and per category.",
    )
    parser.add_argument(
        "--dataset",
        metavar="PATH",
        nargs="+",
        action="extend",
        type=Path,
        help="JSONL dataset(s) to run (default: every evals/datasets/*.jsonl)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (overall, by_category, n_cases) on stdout and nothing else",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        help="where to write report.md and friends (default: evals/results/<timestamp>/)",
    )
    parser.add_argument(
        "--compare", choices=["naive"], help="also run the textbook LangChain RAG baseline on the same cases"
    )
    parser.add_argument(
        "--export",
        nargs=2,
        metavar=("FORMAT", "PATH"),
        help="also write the run for another tool; FORMAT is 'ragas' (JSONL for an LLM judge)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit with status 1 when a threshold in {THRESHOLDS_PATH.name} fails",
    )
    parser.add_argument(
        "--suite",
        choices=["seed", "real", "all"],
        help="run a suite with its own corpus and gate: 'seed' (corpus/), 'real' (the cases on real reports, over "
        "../shared/reports, reported by split and by report) or 'all'",
    )
    parser.add_argument("--split", choices=["dev", "test"], help="with --suite real: only the cases of one split")
    parser.add_argument("--reports-dir", type=Path, help="with --suite real: where the real reports are")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N cases (quick looks)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def _default_assistant() -> AssistantLike:
    from assistant import Assistant

    return Assistant()


def _default_baseline(ours: AssistantLike) -> AssistantLike:
    from evals.naive import NaiveRag

    return NaiveRag(settings=getattr(ours, "settings", None))


def run_suites(
    args: argparse.Namespace, make_suite_assistant: Callable[[Suite], AssistantLike] = suite_assistant
) -> int:
    """``--suite``: each suite over its own corpus, gated per split; one report folder per suite."""
    chosen = suites(args.reports_dir)
    names = ["seed", "real"] if args.suite == "all" else [args.suite]
    timestamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_root: Path = args.out or RESULTS_DIR / timestamp
    failed = False
    for name in names:
        suite = chosen[name]
        if not suite.corpus.is_dir():
            print(f"error: suite {name}: no corpus at {suite.corpus} (pass --reports-dir)", file=sys.stderr)
            return 2
        try:
            cases = load_cases(suite.datasets)
            gates = suite.gates()
        except (DatasetError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.split:
            cases = [c for c in cases if c.split == args.split]
        cases = cases[: args.limit] if args.limit else cases
        from evals.report import print_table, write_run

        ours = run_cases(make_suite_assistant(suite), cases, name="ours", progress=not args.no_progress)
        problems: list[str] = []
        for split, thresholds in gates.items():
            metrics = ours.by_split.get(split) if split else ours.overall
            if split and metrics is None:
                continue  # that split was not run (--split)
            problems += [f"{split or 'all'}: {p}" for p in violations(metrics or {}, thresholds)]
        report = write_run(
            out_root / name, ours, None, datasets=list(suite.datasets), gate=problems, timestamp=timestamp
        )
        print(f"== suite {name}: {len(cases)} cases over {suite.corpus}")
        print(print_table([ours]))
        for split, metrics in ours.by_split.items():
            print(f"  {split}: " + ", ".join(f"{k} {v}" for k, v in metrics.items() if v is not None))
        print("gate:", "PASS" if not problems else "FAIL — " + "; ".join(problems))
        print(f"report: {report}\n")
        failed = failed or bool(problems)
    return 1 if args.check and failed else 0


def main(
    argv: Sequence[str] | None = None,
    make_assistant: AssistantFactory = _default_assistant,
    make_baseline: BaselineFactory = _default_baseline,
) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 gate failed with --check, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.export and args.export[0] != "ragas":
        parser.error(f"--export: unknown format {args.export[0]!r}; the supported format is 'ragas'")
    if args.suite:
        return run_suites(args)
    datasets: list[Path] = args.dataset or default_datasets()
    try:
        cases = load_cases(datasets)
        thresholds = load_thresholds()
    except (DatasetError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.limit:
        cases = cases[: args.limit]
    if not cases:
        print("error: no cases to run", file=sys.stderr)
        return 2

    timestamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir: Path = args.out or RESULTS_DIR / timestamp
    # In --json mode stdout carries only the JSON object: anything a library prints goes to stderr.
    quiet = contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext()
    with quiet:
        from evals.report import export_ragas, print_table, write_run

        bot = make_assistant()
        ours = run_cases(bot, cases, name="ours", progress=not args.no_progress)
        baseline: RunResult | None = None
        if args.compare == "naive":
            naive = make_baseline(bot)
            baseline = run_cases(naive, cases, name="naive", progress=not args.no_progress)
            close = getattr(naive, "close", None)
            if callable(close):
                close()
        gate = violations(ours.overall, thresholds)
        report = write_run(out_dir, ours, baseline, datasets=datasets, gate=gate, timestamp=timestamp)
        if args.export:
            export_ragas(ours, Path(args.export[1]))

    if args.json:
        payload: dict[str, Any] = ours.summary()
        if baseline is not None:
            payload["baseline"] = {"name": baseline.name, **baseline.summary()}
        print(json.dumps(payload))
        print(f"report: {report}", file=sys.stderr)
    else:
        print(print_table([ours] if baseline is None else [ours, baseline]))
        print()
        print("gate:", "PASS" if not gate else "FAIL — " + "; ".join(gate))
        print(f"report: {report}")
    return 1 if args.check and gate else 0


if __name__ == "__main__":
    sys.exit(main())
