"""Calibrate the abstention model on an eval set's ``dev`` split: ask every case (conversations with the real
history of their earlier turns), collect the evidence features of each turn answered from sentences, and fit
the weights (:func:`assistant.answer.abstention.choose`). Prints the ``ASSISTANT_ANSWER_*`` settings to use.

    python -m assistant.answer.calibration evals/datasets/real/*.jsonl --split dev \\
        --corpus ../shared/reports --data-dir .data/eval-real

Cases are JSON lines: ``{"question", "answerable"}`` or ``{"turns": [{"question", "answerable"}, ...]}``, each
with an optional ``"split"``. Only the named split is read, so the other split stays unseen.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer.abstention import FEATURE_NAMES, AbstentionModel, EvidenceFeatures, choose

SETTING_NAMES = tuple(f"answer_weight_{name}" for name in FEATURE_NAMES)


@dataclass(frozen=True)
class Example:
    """One answered turn: its features and whether the case says it is answerable."""

    case: str
    question: str
    features: EvidenceFeatures
    answerable: bool


def read_cases(paths: Iterable[Path], split: str) -> list[list[tuple[str, bool]]]:
    """The cases of ``split`` as lists of (question, answerable) turns."""
    cases = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            if case.get("split", "") != split:
                continue
            turns = case.get("turns") or [case]
            cases.append([(str(t["question"]), bool(t.get("answerable", True))) for t in turns])
    return cases


def collect(bot: Any, cases: list[list[tuple[str, bool]]]) -> list[Example]:
    """Ask each case through ``bot`` (an :class:`assistant.Assistant`) and keep the features of the turns the
    sentence route decided (the reply's trace carries them)."""
    examples = []
    for n, turns in enumerate(cases):
        history: list[dict[str, str]] = []
        for question, answerable in turns:
            reply = bot.ask(question, history=list(history) or None)
            features = (reply.trace.get("answer") or {}).get("features")
            if features is not None:
                examples.append(Example(f"case {n + 1}", question, EvidenceFeatures(**features), answerable))
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": reply.answer}]
    return examples


def main(argv: list[str] | None = None) -> int:
    from assistant.chain import Assistant
    from assistant.config import Settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", nargs="+", type=Path, help="JSONL eval files")
    parser.add_argument("--split", default="dev", help="the split to calibrate on (default: dev)")
    parser.add_argument("--corpus", type=Path, required=True, help="the corpus the cases are about")
    parser.add_argument("--data-dir", type=Path, required=True, help="where that corpus is (or will be) indexed")
    parser.add_argument("--max-false-abstention", type=float, default=0.07, help="on the answerable turns")
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty on the weights")
    args = parser.parse_args(argv)
    bot = Assistant(Settings(corpus_dir=args.corpus, data_dir=args.data_dir))
    bot.ensure_index(upgrade=True)
    examples = collect(bot, read_cases(args.datasets, args.split))
    features = [e.features for e in examples]
    labels = [e.answerable for e in examples]
    bias, weights, chosen = choose(features, labels, args.max_false_abstention, l2=args.l2)
    model = AbstentionModel(bias, weights)
    declined = [not model.answers(f) for f in features]
    n_answerable = max(1, sum(labels))
    n_unanswerable = max(1, len(labels) - sum(labels))
    print(f"# {len(examples)} turns answered from sentences ({len(labels) - sum(labels)} unanswerable)")
    print(
        f"# answerable weight {chosen}: declines {sum(d and not a for d, a in zip(declined, labels, strict=True))}"
        f"/{n_unanswerable} unanswerable, {sum(d and a for d, a in zip(declined, labels, strict=True))}"
        f"/{n_answerable} answerable"
    )
    print(f"ASSISTANT_ANSWER_BIAS={bias:.3f}")
    for name, weight in zip(SETTING_NAMES, weights, strict=True):
        print(f"ASSISTANT_{name.upper()}={weight:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
