"""Admission control: a bounded number of calls in flight, and a token bucket per relying party."""

from __future__ import annotations

import asyncio
import math
import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from civid.rpc.errors import RpcFailure
from civid.verifier.domain.admission import InFlightLimiter, RateLimiter, check_rate_limit
from civid.verifier.domain.errors import DomainError, DomainErrorCode


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_calls_over_capacity_are_refused_at_once_with_overloaded() -> None:
    limiter = InFlightLimiter(2)
    with limiter.admit(), limiter.admit():
        with pytest.raises(DomainError) as caught, limiter.admit():
            pass
        assert caught.value.code is DomainErrorCode.OVERLOADED
        assert caught.value.retry_after_s is not None
    assert limiter.in_flight == 0


def test_a_slot_is_freed_when_the_call_fails() -> None:
    limiter = InFlightLimiter(1)
    with pytest.raises(ValueError), limiter.admit():
        raise ValueError("boom")
    assert limiter.try_acquire()


def test_a_wire_error_leaves_the_admitted_block_unchanged() -> None:
    limiter = InFlightLimiter(1)
    refusal = RpcFailure(
        grpc.StatusCode.INVALID_ARGUMENT, "MALFORMED_DOCUMENT", "the presentation is not JSON"
    )
    with pytest.raises(RpcFailure) as caught, limiter.admit():
        raise refusal  # a frozen dataclass: nothing may be written on it on the way out
    assert caught.value is refusal and limiter.in_flight == 0


def test_many_threads_never_exceed_capacity() -> None:
    limiter = InFlightLimiter(3)
    peak = 0
    lock = threading.Lock()
    admitted = 0

    def call(_: int) -> None:
        nonlocal peak, admitted
        if not limiter.try_acquire():
            return
        try:
            with lock:
                admitted += 1
                peak = max(peak, limiter.in_flight)
        finally:
            limiter.release()

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(call, range(2000)))
    assert 0 < peak <= 3 and admitted > 0
    assert limiter.in_flight == 0


async def test_async_callers_over_capacity_are_refused_without_waiting() -> None:
    limiter = InFlightLimiter(5)
    refused = 0

    async def call() -> None:
        nonlocal refused
        try:
            with limiter.admit():
                await asyncio.sleep(0.05)
        except DomainError:
            refused += 1

    await asyncio.wait_for(asyncio.gather(*(call() for _ in range(20))), timeout=1)
    assert refused == 15


def test_rate_limiter_allows_a_burst_then_refuses_with_retry_time() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=10, burst=3, clock=clock)
    for _ in range(3):
        limiter.check("thai-domestic-air")
    with pytest.raises(DomainError) as caught:
        limiter.check("thai-domestic-air")
    assert caught.value.code is DomainErrorCode.RATE_LIMITED
    assert caught.value.retry_after_s == pytest.approx(0.1)
    assert caught.value.metadata["retry_after_seconds"] == "0.100"


def test_rate_limiter_refills_at_its_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=10, burst=1, clock=clock)
    assert limiter.try_take("rp") == 0.0
    assert limiter.try_take("rp") > 0
    clock.now += 0.1
    assert limiter.try_take("rp") == 0.0


def test_each_relying_party_has_its_own_bucket() -> None:
    limiter = RateLimiter(rate=1, burst=1, clock=Clock())
    limiter.check("thai-domestic-air")
    limiter.check("consular-affairs")
    with pytest.raises(DomainError):
        limiter.check("thai-domestic-air")


def test_rate_limiter_keeps_a_bounded_number_of_buckets() -> None:
    limiter = RateLimiter(rate=1, burst=1, max_keys=10, clock=Clock())
    for i in range(100):
        limiter.check(f"rp-{i}")
    assert len(limiter._buckets) == 10


def test_rate_limiter_is_exact_under_threads() -> None:
    limiter = RateLimiter(rate=0.001, burst=50, clock=Clock())
    with ThreadPoolExecutor(8) as pool:
        allowed = sum(pool.map(lambda _: limiter.try_take("rp") == 0.0, range(400)))
    assert allowed == 50


def test_a_relying_party_with_its_own_rate_is_limited_at_it_while_another_gets_the_default() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=1000, burst=2000, clock=clock)
    for _ in range(2):
        limiter.check("consular-affairs", rate=1, burst=2)
    with pytest.raises(DomainError) as caught:
        limiter.check("consular-affairs", rate=1, burst=2)
    assert caught.value.code is DomainErrorCode.RATE_LIMITED
    assert caught.value.retry_after_s == pytest.approx(1.0)
    for _ in range(100):
        limiter.check("thai-domestic-air")
    clock.now += 1.0
    limiter.check("consular-affairs", rate=1, burst=2)


def test_a_lower_burst_caps_the_tokens_saved_up_under_the_earlier_one_at_once() -> None:
    limiter = RateLimiter(rate=1000, burst=2000, clock=Clock())
    limiter.check("thai-domestic-air")  # a full bucket of the default 2000
    limiter.check("thai-domestic-air", rate=1, burst=1)
    assert limiter.try_take("thai-domestic-air", rate=1, burst=1) == pytest.approx(1.0)


def test_a_new_rate_applies_from_the_next_call() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=1, burst=1, clock=clock)
    limiter.check("rp")
    clock.now += 0.1  # at the default 1/s: 0.9 s to wait; at 100/s the bucket is full again
    assert limiter.try_take("rp", rate=100, burst=1) == 0.0
    assert limiter.try_take("rp", rate=100, burst=1) == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("rate", "burst", "field"),
    [
        (0.0, 10.0, "rate_per_s"),
        (-1.0, 10.0, "rate_per_s"),
        (math.nan, 10.0, "rate_per_s"),
        (math.inf, 10.0, "rate_per_s"),
        (5.0, 0.5, "burst"),
        (5.0, math.inf, "burst"),
        (5.0, math.nan, "burst"),
        (5.0, None, "burst"),
        (None, 5.0, "rate_per_s"),
    ],
)
def test_an_invalid_rate_limit_is_refused_naming_the_field(
    rate: float | None, burst: float | None, field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        check_rate_limit(rate, burst)
    assert (caught.value.code, caught.value.metadata["field"]) == (DomainErrorCode.FIELD_INVALID, field)
    assert field in caught.value.message


def test_no_rate_limit_or_one_in_range_is_accepted() -> None:
    check_rate_limit(None, None)
    check_rate_limit(0.001, 1.0)
