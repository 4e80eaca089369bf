"""Eval cases: load and validate the JSONL format shared with other tools and datasets.

One JSON object per line::

    {"id": "fact-001", "category": "fact", "question": "...", "facts": [["three", "3"]],
     "forbidden": [["four"]], "evidence": ["GAO is making three recommendations"], "answerable": true}

or, for a conversation, ``"turns": [{"question": ..., "facts": ..., "evidence": ..., ...}, ...]`` instead of
the single-turn fields. ``facts`` and ``forbidden`` are lists of groups of alternatives; ``evidence`` is a
list of verbatim strings from the corpus; ``answerable`` defaults to true.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATASETS_DIR = Path(__file__).parent / "datasets"
DEFAULT_DATASET = DATASETS_DIR / "gao-25-108043.jsonl"

TURN_KEYS = frozenset({"question", "facts", "forbidden", "evidence", "answerable"})
CASE_KEYS = frozenset({"id", "category", "turns", "split", "reports"}) | TURN_KEYS
SPLITS = ("dev", "test")


class DatasetError(ValueError):
    """A dataset line is not a valid case; the message names the file and line."""


@dataclass(frozen=True)
class Turn:
    """One question and what a correct reply to it must (and must not) contain."""

    question: str
    facts: list[list[str]] = field(default_factory=list)
    forbidden: list[list[str]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    answerable: bool = True


@dataclass(frozen=True)
class Case:
    """An eval case: one turn, or several asked in order with the real history of the earlier ones."""

    id: str
    category: str
    turns: list[Turn]
    origin: str = ""  # "file:line", for messages
    split: str = ""  # "dev" (look at it while tuning) or "test" (the gate); "" for sets without splits
    reports: tuple[str, ...] = ()  # the corpus files the case is about (for the per-report table)

    @property
    def is_conversation(self) -> bool:
        return len(self.turns) > 1


def load_cases(paths: Path | str | Iterable[Path | str]) -> list[Case]:
    """Read and validate one or more JSONL datasets.

    Raises:
        DatasetError: naming the file and line of the first invalid case, or a duplicated id.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for path in map(Path, paths):
        if not path.is_file():
            raise DatasetError(f"{path}: no such dataset file (pass --dataset PATH to an existing .jsonl file)")
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
            case = parse_case(obj, where)
            if case.id in seen:
                raise DatasetError(f"{where}: duplicate id {case.id!r} (first defined at {seen[case.id]})")
            seen[case.id] = where
            cases.append(case)
    return cases


def parse_case(obj: Any, where: str = "<case>") -> Case:
    """Validate one decoded JSON object and turn it into a :class:`Case`."""
    if not isinstance(obj, dict):
        raise DatasetError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    unknown = set(obj) - CASE_KEYS
    if unknown:
        raise DatasetError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(CASE_KEYS)}")
    case_id = _string(obj.get("id"), f"{where}: 'id'")
    where = f"{where} ({case_id})"
    category = _string(obj.get("category"), f"{where}: 'category'")
    if "turns" in obj:
        extra = TURN_KEYS & set(obj)
        if extra:
            raise DatasetError(
                f"{where}: a case with 'turns' keeps {sorted(extra)} inside each turn, not at the top level"
            )
        raw_turns = obj["turns"]
        if not isinstance(raw_turns, list) or not raw_turns:
            raise DatasetError(f"{where}: 'turns' must be a non-empty list of objects")
        turns = [_parse_turn(t, f"{where} turn {i + 1}") for i, t in enumerate(raw_turns)]
    elif "question" in obj:
        turns = [_parse_turn({k: v for k, v in obj.items() if k in TURN_KEYS}, where)]
    else:
        raise DatasetError(f"{where}: needs either 'question' or 'turns'")
    split = obj.get("split", "")
    if split not in ("", *SPLITS):
        raise DatasetError(f"{where}: 'split' must be one of {list(SPLITS)}, got {split!r}")
    reports = tuple(_strings(obj.get("reports", []), f"{where}: 'reports'"))
    return Case(id=case_id, category=category, turns=turns, origin=where, split=split, reports=reports)


def _parse_turn(obj: Any, where: str) -> Turn:
    if not isinstance(obj, dict):
        raise DatasetError(f"{where}: expected an object with 'question', got {type(obj).__name__}")
    unknown = set(obj) - TURN_KEYS
    if unknown:
        raise DatasetError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(TURN_KEYS)}")
    question = _string(obj.get("question"), f"{where}: 'question'")
    answerable = obj.get("answerable", True)
    if not isinstance(answerable, bool):
        raise DatasetError(f"{where}: 'answerable' must be true or false, got {answerable!r}")
    facts = _groups(obj.get("facts", []), f"{where}: 'facts'")
    forbidden = _groups(obj.get("forbidden", []), f"{where}: 'forbidden'")
    evidence = _strings(obj.get("evidence", []), f"{where}: 'evidence'")
    if not answerable and (facts or evidence):
        raise DatasetError(f"{where}: an unanswerable turn expects an abstention; leave 'facts' and 'evidence' []")
    return Turn(question=question, facts=facts, forbidden=forbidden, evidence=evidence, answerable=answerable)


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DatasetError(f"{what} must be a non-empty string, got {value!r}")
    return value


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list):
        raise DatasetError(f"{what} must be a list of strings, got {value!r}")
    return [_string(v, what) for v in value]


def _groups(value: Any, what: str) -> list[list[str]]:
    if not isinstance(value, list) or not all(isinstance(g, list) and g for g in value):
        raise DatasetError(
            f'{what} must be a list of non-empty lists of alternatives, e.g. [["three", "3"]], got {value!r}'
        )
    return [_strings(g, what) for g in value]


def default_datasets() -> list[Path]:
    """Every ``*.jsonl`` shipped in ``evals/datasets/`` (the seed report's set; the real-report suite is
    ``evals/datasets/real/``, see :mod:`evals.suites`)."""
    return sorted(DATASETS_DIR.glob("*.jsonl"))


def count_turns(cases: Sequence[Case]) -> int:
    return sum(len(c.turns) for c in cases)
