"""Every entry of ``assistant/resources/aliases.txt`` earns its place on the development questions (real model,
real index): taking it out, and nothing else, loses at least one development turn and wins none. The
development questions are the seed set and the real suite's ``dev`` split (never its ``test`` split)."""

from __future__ import annotations

import pytest

from assistant import Assistant, Settings
from assistant.thesaurus import ALIASES
from evals.aliases import Worth, development_cases, entry_worth, merge, table
from evals.suites import suites

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def worth(tmp_path_factory: pytest.TempPathFactory, real_reports_assistant: Assistant) -> list[Worth]:
    seed, real = suites()["seed"], suites()["real"]
    # the seed set in float32, as the list was measured: bfloat16 arithmetic (on CPUs that have it) may move a
    # turn that sits at a decision boundary, and the verdict must not depend on the machine
    data = tmp_path_factory.mktemp("aliases-seed")
    seed_bot = Assistant(Settings(corpus_dir=seed.corpus, data_dir=data, embedding_precision="float32"))
    seed_bot.ensure_index()
    return merge(
        [
            entry_worth(seed_bot, development_cases(seed)),
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
