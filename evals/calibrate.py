"""Calibrate the abstention threshold on an eval set: `python -m evals.calibrate [--dataset PATH ...]`.

Runs every case once with abstention by score switched off, records each turn's support score, and prints,
for a range of thresholds, the abstention accuracy, the false-abstention rate and the answer accuracy that
threshold would give. Pick the threshold, then set ``abstain_threshold`` in assistant/config.py (or
``ASSISTANT_ABSTAIN_THRESHOLD``). Multi-turn cases are approximated: later turns keep the history of the run.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from assistant import Assistant, Settings
from evals.dataset import DEFAULT_DATASET, load_cases
from evals.runner import run_cases


class _Recorder:
    """Wraps an assistant and keeps every reply, in order."""

    def __init__(self, bot: Assistant) -> None:
        self.bot = bot
        self.settings = bot.settings
        self.replies: list[Any] = []

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> Any:
        reply = self.bot.ask(question, history=history)
        self.replies.append(reply)
        return reply

    def source_text(self, source: str) -> str:
        return self.bot.source_text(source)


def sweep(rows: list[tuple[bool, bool, bool, float]], thresholds: list[float]) -> list[dict[str, float]]:
    """rows: (answerable, passed at threshold 0, abstained at threshold 0, support)."""
    out = []
    answerable = [r for r in rows if r[0]]
    unanswerable = [r for r in rows if not r[0]]
    for t in thresholds:
        accuracy = sum(1 for _, ok, ab, s in answerable if ok and not ab and s >= t) / max(1, len(answerable))
        false_abs = sum(1 for _, _, ab, s in answerable if ab or s < t) / max(1, len(answerable))
        abst = sum(1 for _, _, ab, s in unanswerable if ab or s < t) / max(1, len(unanswerable))
        out.append({"threshold": t, "answer_accuracy": accuracy, "false_abstention": false_abs, "abstention": abst})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.calibrate", description=__doc__)
    parser.add_argument("--dataset", action="append", type=Path, help="JSONL eval set(s)")
    args = parser.parse_args(argv)
    cases = load_cases(args.dataset or [DEFAULT_DATASET])
    with tempfile.TemporaryDirectory() as data_dir:
        bot = Assistant(Settings(abstain_threshold=0.0, data_dir=Path(data_dir)))
        recorder = _Recorder(bot)
        run = run_cases(recorder, cases, name="calibrate", warm_up=False)
    rows = [
        (r.answerable, r.passed, bool(reply.abstained), float(reply.support))
        for r, reply in zip(run.results, recorder.replies, strict=True)
    ]
    print("threshold  answer_acc  false_abst  abstention_acc")
    for m in sweep(rows, [round(0.30 + 0.01 * i, 2) for i in range(31)]):
        row = (m["threshold"], m["answer_accuracy"], m["false_abstention"], m["abstention"])
        print("{:9.2f}  {:10.3f}  {:10.3f}  {:14.3f}".format(*row))
    print("\nunanswerable turns answered at threshold 0 (support):")
    for r, reply in zip(run.results, recorder.replies, strict=True):
        if not r.answerable and not reply.abstained:
            print(f"  {reply.support:.3f}  {r.case_id}: {r.question}")
    print("\nanswerable turns, lowest support:")
    low = sorted(
        (
            (reply.support, r.case_id, r.question)
            for r, reply in zip(run.results, recorder.replies, strict=True)
            if r.answerable and not reply.abstained
        ),
    )[:15]
    for support, case_id, question in low:
        print(f"  {support:.3f}  {case_id}: {question}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
