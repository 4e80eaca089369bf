"""What each entry of ``assistant/resources/aliases.txt`` is worth on the development questions.

An entry earns its place when taking it out (and nothing else) loses at least one development turn and wins
none: the turns whose questions use its phrase are asked with the whole list and again without the entry, over
the same index. The development questions are the seed set (it has no test split: it is what the first version
was built on) and the real suite's ``dev`` split; the real ``test`` split is never read here.

    python -m evals.aliases [--suite seed|real|all] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.thesaurus import ALIASES, Aliases, using
from evals.dataset import Case, load_cases
from evals.runner import AssistantLike, run_cases
from evals.suites import Suite, suite_assistant, suites


@dataclass(frozen=True)
class Worth:
    phrase: str
    term: str
    turns: int  # development turns whose question uses the phrase
    lost_without: tuple[str, ...]  # "case#turn" right with the entry and wrong without it
    won_without: tuple[str, ...]  # "case#turn" wrong with the entry and right without it

    @property
    def helps(self) -> bool:
        return bool(self.lost_without) and not self.won_without


def development_cases(suite: Suite) -> list[Case]:
    """The suite's cases one may tune on: all of a set without splits, else its ``dev`` split."""
    cases = load_cases(suite.datasets)
    return cases if not any(c.split for c in cases) else [c for c in cases if c.split == "dev"]


def _good_turns(bot: AssistantLike, cases: Sequence[Case]) -> set[str]:
    run = run_cases(bot, cases, progress=False, warm_up=False)
    return {f"{r.case_id}#{r.turn}" for r in run.results if r.correct and r.supported is not False}


def entry_worth(bot: AssistantLike, cases: Sequence[Case], aliases: Aliases = ALIASES) -> list[Worth]:
    """Each entry of ``aliases``, asked on the turns of ``cases`` that use it with and without it."""
    users = {
        phrase: [c for c in cases if any(aliases.uses(phrase, t.question) for t in c.turns)] for phrase in aliases.terms
    }
    touched = list({c.id: c for group in users.values() for c in group}.values())
    with using(aliases):
        good = _good_turns(bot, touched)
    out = []
    for phrase, group in users.items():
        lost: set[str] = set()
        won: set[str] = set()
        if group:
            with using(aliases.without(phrase)):
                without = _good_turns(bot, group)
            asked = {f"{c.id}#{i}" for c in group for i in range(1, len(c.turns) + 1)}
            lost, won = (good & asked) - without, without - good
        turns = sum(aliases.uses(phrase, t.question) for c in group for t in c.turns)
        out.append(Worth(phrase, aliases.terms[phrase], turns, tuple(sorted(lost)), tuple(sorted(won))))
    return out


def merge(parts: Sequence[list[Worth]]) -> list[Worth]:
    """One row per entry over several suites (the same entries in the same order)."""
    return [
        Worth(
            rows[0].phrase,
            rows[0].term,
            sum(r.turns for r in rows),
            tuple(x for r in rows for x in r.lost_without),
            tuple(x for r in rows for x in r.won_without),
        )
        for rows in zip(*parts, strict=True)
    ]


def table(rows: Sequence[Worth]) -> str:
    lines = [
        "| phrase | report term | dev turns using it | lost without it | won without it | helps |",
        "|---|---|---:|---|---|---|",
    ]
    for r in rows:
        lost, won = ", ".join(r.lost_without) or "—", ", ".join(r.won_without) or "—"
        lines.append(f"| {r.phrase} | {r.term} | {r.turns} | {lost} | {won} | {'yes' if r.helps else 'no'} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.aliases", description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=["seed", "real", "all"], default="all")
    parser.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args(argv)
    parts = []
    for name in ["seed", "real"] if args.suite == "all" else [args.suite]:
        suite = suites()[name]
        if not suite.corpus.is_dir():
            print(f"error: suite {name}: no corpus at {suite.corpus}", file=sys.stderr)
            return 2
        parts.append(entry_worth(suite_assistant(suite), development_cases(suite)))
    text = table(merge(parts))
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
