"""Run an assistant (ours or the naive baseline) over eval cases and score every turn."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tqdm import tqdm

from evals.dataset import Case, count_turns
from evals.metrics import ReplyLike, TurnResult, score_turn, summarise, summarise_by_category

# Asked before timing starts: the first few questions pay for lazy loading and cold caches.
WARM_UP_QUESTIONS = (
    "What is this report about?",
    "Which countries are in the table?",
    "What does the report recommend?",
)


class SettingsLike(Protocol):
    @property
    def top_k(self) -> int: ...


class AssistantLike(Protocol):
    """The surface the runner needs: :class:`assistant.Assistant` and :class:`evals.naive.NaiveRag` fit."""

    @property
    def settings(self) -> SettingsLike: ...

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> ReplyLike: ...

    def source_text(self, source: str) -> str: ...


@dataclass
class RunResult:
    """One system's run over the cases: every scored turn plus the aggregate metrics."""

    name: str
    results: list[TurnResult]
    n_cases: int
    k: int
    setup_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def overall(self) -> dict[str, float | None]:
        return summarise(self.results)

    @property
    def by_category(self) -> dict[str, dict[str, float | None]]:
        return summarise_by_category(self.results)

    @property
    def failing(self) -> list[TurnResult]:
        return [r for r in self.results if not r.passed]

    @property
    def by_split(self) -> dict[str, dict[str, float | None]]:
        """Metrics of each split ("dev", "test") of a set that has splits; empty otherwise."""
        splits = sorted({r.split for r in self.results if r.split})
        return {s: summarise([r for r in self.results if r.split == s]) for s in splits}

    @property
    def by_report(self) -> dict[str, dict[str, float | None]]:
        """Metrics of the turns about each report (a case about several reports counts for each)."""
        names = sorted({name for r in self.results for name in r.reports})
        return {
            n: {
                **summarise([r for r in self.results if n in r.reports]),
                "turns": float(sum(n in r.reports for r in self.results)),
            }
            for n in names
        }

    def summary(self) -> dict[str, Any]:
        """The ``--json`` shape: overall, per-category, per-split and per-report metrics and the case count."""
        return {
            "overall": self.overall,
            "by_category": self.by_category,
            "by_split": self.by_split,
            "by_report": self.by_report,
            "n_cases": self.n_cases,
        }


class _CachedSource:
    """Memoises ``source_text`` (it is called for every citation and retrieved chunk)."""

    def __init__(self, bot: AssistantLike) -> None:
        self._bot = bot
        self._cache: dict[str, str] = {}

    def __call__(self, source: str) -> str:
        if source not in self._cache:
            self._cache[source] = self._bot.source_text(source)
        return self._cache[source]


def run_cases(
    bot: AssistantLike,
    cases: Sequence[Case],
    name: str = "ours",
    progress: bool = True,
    warm_up: bool = True,
) -> RunResult:
    """Ask every case's turns in order, each with the real history of the earlier turns, and score them.

    Args:
        bot: The system under test.
        cases: The eval cases.
        name: Label for the progress bar and the report ("ours", "naive").
        progress: Show a progress bar on stderr.
        warm_up: Ask a few throwaway questions first, so index building and model loading are reported as
            ``setup_seconds`` instead of inflating the first case's latency.
    """
    setup = 0.0
    if warm_up:
        start = time.perf_counter()
        for question in WARM_UP_QUESTIONS:
            try:
                bot.ask(question)
            except Exception as exc:
                print(f"[evals] warm-up question failed for {name}: {exc!r}", file=sys.stderr)
                break
        setup = time.perf_counter() - start
    source_text = _CachedSource(bot)
    k = int(bot.settings.top_k)
    results: list[TurnResult] = []
    with tqdm(
        total=count_turns(cases),
        desc=f"eval {name}",
        unit="turn",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    ) as bar:
        for case in cases:
            history: list[dict[str, str]] = []
            for index, turn in enumerate(case.turns):
                reply: ReplyLike | None = None
                error = ""
                start = time.perf_counter()
                try:
                    reply = bot.ask(turn.question, history=list(history) or None)
                except Exception as exc:  # one broken case must not hide the rest of the run
                    error = f"{type(exc).__name__}: {exc}"
                latency_ms = (time.perf_counter() - start) * 1000.0
                results.append(
                    score_turn(
                        case.id,
                        case.category,
                        turn,
                        index,
                        len(case.turns),
                        reply,
                        source_text,
                        k,
                        latency_ms=latency_ms,
                        error=error,
                    )
                )
                results[-1].split, results[-1].reports = case.split, list(case.reports)
                history.append({"role": "user", "content": turn.question})
                history.append({"role": "assistant", "content": reply.answer if reply is not None else ""})
                bar.update(1)
    return RunResult(name=name, results=results, n_cases=len(cases), k=k, setup_seconds=round(setup, 2))
