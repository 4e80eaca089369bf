"""The fuzz suite: Hypothesis throws random and malformed input at every entry point.

Each test has a fixed example budget and Hypothesis runs derandomized (a fixed seed), so ``make test`` is
repeatable and bounded (about 2,800 inputs in all). A longer run:

    ASSISTANT_FUZZ_EXAMPLES=5000 python -m pytest tests/fuzz      # that many per test, a random seed

Servers under fuzz run in their own process (``tests/fake_server.py``): every test checks that no response
was a 5xx, that the server logged no traceback, and that nothing was written outside its data dir. The
terminal summary reports how many inputs were tried.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import pytest
from fake_server import FakeServer, start_fake_server
from hypothesis import HealthCheck, settings

LONG_RUN = int(os.environ.get("ASSISTANT_FUZZ_EXAMPLES", "0") or 0)
TRIED: Counter[str] = Counter()


def budget(examples: int) -> settings:
    """Hypothesis settings for one fuzz test: ``examples`` inputs, fixed seed (unless a long run)."""
    return settings(
        max_examples=LONG_RUN or examples,
        derandomize=not LONG_RUN,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    )


def tried(target: str) -> None:
    TRIED[target] += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if TRIED:
        parts = ", ".join(f"{name} {count}" for name, count in sorted(TRIED.items()))
        terminalreporter.write_line(f"fuzz: {sum(TRIED.values())} inputs tried ({parts})")


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory) -> Iterator[FakeServer]:
    server = start_fake_server(tmp_path_factory.mktemp("fuzz-server"))
    yield server
    server.stop()


def assert_server_clean(server: FakeServer) -> None:
    log = server.log()
    assert "Traceback" not in log, log[-4000:]
    assert server.process.poll() is None, "the server died"
    assert server.files_outside_data_dir() == []
