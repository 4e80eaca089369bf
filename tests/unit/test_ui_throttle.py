"""Failed logins are throttled per client and per user, with a delay that doubles (finding 1)."""

from __future__ import annotations

import pytest

from ui.throttle import Backoff, LoginThrottle, TooManyAttempts


def test_a_few_failures_are_free_then_the_lockout_doubles_up_to_a_cap():
    clock = [0.0]
    backoff = Backoff(free_failures=3, first_delay=1.0, max_delay=8.0, clock=lambda: clock[0])
    lockouts = []
    for _ in range(9):
        backoff.failed("k")
        lockouts.append(backoff.retry_after("k"))
    assert lockouts == [0, 0, 0, 1, 2, 4, 8, 8, 8]
    clock[0] += 8
    assert backoff.retry_after("k") == 0


def test_success_or_a_long_quiet_period_starts_over():
    clock = [0.0]
    backoff = Backoff(free_failures=1, first_delay=1.0, max_delay=10.0, clock=lambda: clock[0])
    backoff.failed("k")
    backoff.failed("k")
    assert backoff.retry_after("k") == 1
    backoff.succeeded("k")
    assert backoff.retry_after("k") == 0
    backoff.failed("k")
    backoff.failed("k")
    clock[0] += 21  # more than twice the cap without a failure
    backoff.failed("k")
    assert backoff.retry_after("k") == 0  # the first failure of a new series is free again


def test_a_locked_out_client_gets_retry_after_even_with_the_right_password():
    clock = [0.0]
    throttle = LoginThrottle(client_free=2, user_free=100, clock=lambda: clock[0])
    for _ in range(4):
        throttle.failed("10.0.0.9", "ana")
    with pytest.raises(TooManyAttempts) as locked:
        throttle.check("10.0.0.9", "ana")
    assert locked.value.retry_after == 2
    throttle.check("10.0.0.10", "bo")  # other clients and users are not affected


def test_guessing_one_user_from_many_addresses_is_throttled_per_user():
    clock = [0.0]
    throttle = LoginThrottle(client_free=5, user_free=3, clock=lambda: clock[0])
    for i in range(5):
        throttle.failed(f"10.0.0.{i}", "Ana")
    with pytest.raises(TooManyAttempts):
        throttle.check("10.0.0.99", "ana")  # user names are counted case-insensitively
    throttle.check("10.0.0.99", "bo")


def test_the_key_table_stays_bounded():
    backoff = Backoff(free_failures=0, first_delay=0.0, max_keys=100)
    for i in range(1000):
        backoff.failed(f"client-{i}")
    assert len(backoff._records) <= 100
