"""Every entry of ``assistant/resources/aliases.txt`` earns its place on the development questions (real model,
real index): taking it out, and nothing else, loses at least one development turn and wins none. The
development questions are the seed set and the real suite's ``dev`` split (never its ``test`` split)."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.thesaurus import ALIASES
from evals.aliases import Worth, development_cases, entry_worth, merge, table
from evals.suites import suites

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def worth(assistant_session: Assistant, real_reports_assistant: Assistant) -> list[Worth]:
    seed, real = suites()["seed"], suites()["real"]
    return merge(
        [
            entry_worth(assistant_session, development_cases(seed)),
            entry_worth(real_reports_assistant, development_cases(real)),
        ]
    )


def test_the_development_questions_are_never_the_test_split() -> None:
    real = development_cases(suites()["real"])
    assert real and {c.split for c in real} == {"dev"}
    assert all(c.split == "" for c in development_cases(suites()["seed"]))


def test_every_alias_helps_on_the_development_questions(worth: list[Worth]) -> None:
    assert [w.phrase for w in worth] == list(ALIASES.terms)
    idle = [w for w in worth if not w.helps]
    assert not idle, "entries that no development turn needs (remove them):\n" + table(idle)
