"""Relying-party rate limits: the same token buckets in memory (one process) and in Redis (shared by
every process using the same server and key prefix)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from conftest import AIRLINE, REDIS_URL, VerifierEnv, start_env
from redis import Redis
from server_fixtures import TestIssuer, free_port

from civid.rpc.errors import error_details
from civid.verifier.app import rate_limiter
from civid.verifier.domain.admission import RateLimit, RateLimiter
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.shared_rate_limits import MAX_EXPIRY_MS, RedisRateLimiter
from civid.verifier.settings import VerifierSettings
from civid.verifier.v1 import verifier_service_pb2 as pb

SLOW = 0.001  # calls per second: what refills during a test (a few seconds at most) is negligible


class Limiters:
    """Makes limiters of one kind (``memory`` or ``redis``); Redis ones share the test's prefix."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.kind: str = request.param
        self._request = request

    def __call__(self, rate: float, burst: float) -> RateLimit:
        if self.kind == "memory":
            return RateLimiter(rate, burst)
        client = self._request.getfixturevalue("redis_client")
        return RedisRateLimiter(client, self._request.getfixturevalue("prefix"), rate, burst)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def make_limiter(request: pytest.FixtureRequest) -> Limiters:
    return Limiters(request)


def refused(limiter: RateLimit, key: str, rate: float | None = None, burst: float | None = None) -> float:
    """The retry time of a call that must be refused RATE_LIMITED."""
    with pytest.raises(DomainError) as caught:
        limiter.check(key, rate, burst)
    assert caught.value.code is DomainErrorCode.RATE_LIMITED
    assert caught.value.message == "too many requests from this relying party"
    assert caught.value.retry_after_s is not None
    return caught.value.retry_after_s


# --- the same behaviour, in memory and in Redis ---------------------------------------------------


def test_a_burst_is_allowed_then_a_call_is_refused_with_the_time_to_retry(make_limiter: Limiters) -> None:
    limiter = make_limiter(rate=SLOW, burst=3)
    for _ in range(3):
        limiter.check("thai-domestic-air")
    assert refused(limiter, "thai-domestic-air") == pytest.approx(1 / SLOW, rel=0.01)


def test_a_refused_calls_retry_time_is_the_missing_fraction_of_a_token_over_the_rate(
    make_limiter: Limiters,
) -> None:
    limiter = make_limiter(rate=SLOW, burst=1.5)  # a token taken leaves half a token
    limiter.check("rp")
    assert limiter.try_take("rp") == pytest.approx((1 - 0.5) / SLOW, rel=0.01)


def test_a_retry_time_under_a_second_keeps_its_fraction(make_limiter: Limiters) -> None:
    limiter = make_limiter(rate=0.9, burst=1)
    limiter.check("rp")
    # 1/0.9 s less the time between the calls; a Lua number returned to Redis would lose its fraction
    wait = limiter.try_take("rp")
    assert 0 < wait <= 1 / 0.9 and wait % 1 != 0


def test_an_allowed_call_answers_exactly_zero(make_limiter: Limiters) -> None:
    assert make_limiter(rate=SLOW, burst=1).try_take("rp") == 0.0


def test_each_relying_party_has_its_own_bucket(make_limiter: Limiters) -> None:
    limiter = make_limiter(rate=SLOW, burst=1)
    limiter.check("thai-domestic-air")
    limiter.check("consular-affairs")
    refused(limiter, "thai-domestic-air")


def test_a_new_rate_refills_the_time_since_the_previous_call(make_limiter: Limiters) -> None:
    limiter = make_limiter(rate=SLOW, burst=1)
    limiter.check("rp")
    refused(limiter, "rp")  # at the default rate: some 1000 s to wait
    time.sleep(0.01)  # at 1000/s, 10 ms refill the bucket (1 ms would do)
    assert limiter.try_take("rp", rate=1000, burst=1) == 0.0


def test_a_relying_partys_own_limits_override_the_defaults(make_limiter: Limiters) -> None:
    limiter = make_limiter(rate=1000, burst=2000)
    for _ in range(2):
        limiter.check("consular-affairs", rate=SLOW, burst=2)
    assert refused(limiter, "consular-affairs", rate=SLOW, burst=2) == pytest.approx(1 / SLOW, rel=0.01)
    for _ in range(100):
        limiter.check("thai-domestic-air")  # the defaults: 2000 at once


def test_a_lower_burst_caps_the_tokens_saved_up_under_the_earlier_one_at_once(
    make_limiter: Limiters,
) -> None:
    limiter = make_limiter(rate=1000, burst=2000)
    limiter.check("thai-domestic-air")  # a full bucket of the default 2000
    limiter.check("thai-domestic-air", rate=SLOW, burst=1)
    assert limiter.try_take("thai-domestic-air", rate=SLOW, burst=1) == pytest.approx(1 / SLOW, rel=0.01)


def test_a_new_rates_retry_time_applies_from_the_next_call(make_limiter: Limiters) -> None:
    limiter = make_limiter(rate=SLOW, burst=1)
    limiter.check("rp")
    assert limiter.try_take("rp") == pytest.approx(1 / SLOW, rel=0.01)
    # the same empty bucket at a hundred times the rate: a hundredth of the wait
    assert limiter.try_take("rp", rate=100 * SLOW, burst=1) == pytest.approx(0.01 / SLOW, rel=0.01)


def test_concurrent_takes_from_8_threads_let_exactly_the_burst_through(make_limiter: Limiters) -> None:
    limiter = make_limiter(rate=SLOW, burst=5)
    barrier = threading.Barrier(8)

    def take() -> bool:
        barrier.wait()
        return limiter.try_take("contested") == 0.0

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: take(), range(40)))
    assert outcomes.count(True) == 5


@pytest.mark.parametrize(
    ("rate", "burst", "named"),
    [
        (math.nan, 10.0, "rate"),
        (math.inf, 10.0, "rate"),
        (0.0, 10.0, "rate"),
        (5.0, math.nan, "burst"),
        (5.0, math.inf, "burst"),
        (5.0, 0.5, "burst"),
    ],
)
def test_non_finite_or_out_of_range_defaults_are_refused(
    make_limiter: Limiters, rate: float, burst: float, named: str
) -> None:
    with pytest.raises(ValueError, match=f"^{named} must be a finite number"):
        make_limiter(rate=rate, burst=burst)


# --- shared through Redis ------------------------------------------------------------------------


@pytest.mark.redis
def test_two_limiters_with_the_same_prefix_share_one_bucket(prefix: str, redis_client: Redis) -> None:
    first = RedisRateLimiter(Redis.from_url(REDIS_URL), prefix, SLOW, 3)  # as two processes would
    second = RedisRateLimiter(Redis.from_url(REDIS_URL), prefix, SLOW, 3)
    first.check("thai-domestic-air")
    second.check("thai-domestic-air")
    first.check("thai-domestic-air")
    assert refused(second, "thai-domestic-air") > 0


@pytest.mark.redis
def test_limiters_with_different_prefixes_do_not_share(prefix: str, redis_client: Redis) -> None:
    first = RedisRateLimiter(redis_client, prefix + "a:", SLOW, 1)
    second = RedisRateLimiter(redis_client, prefix + "b:", SLOW, 1)
    first.check("thai-domestic-air")
    second.check("thai-domestic-air")
    refused(first, "thai-domestic-air")


@pytest.mark.redis
def test_a_bucket_expires_in_redis_once_it_would_be_full_again(prefix: str, redis_client: Redis) -> None:
    limiter = RedisRateLimiter(redis_client, prefix, SLOW, 5)
    limiter.check("rp")
    refill_ms = 5 / SLOW * 1000
    assert refill_ms <= redis_client.pttl(prefix + "rp") <= refill_ms + 2_000


@pytest.mark.redis
def test_a_bucket_that_would_take_longer_than_a_week_to_refill_expires_within_a_week(
    prefix: str, redis_client: Redis
) -> None:
    limiter = RedisRateLimiter(redis_client, prefix, 1e-9, 1000)
    limiter.check("rp")
    assert 0 < redis_client.pttl(prefix + "rp") <= MAX_EXPIRY_MS


@pytest.mark.redis
def test_with_a_redis_url_the_verifiers_limiter_is_shared_through_redis(
    prefix: str, redis_client: Redis
) -> None:
    settings = VerifierSettings(redis_url=REDIS_URL, redis_prefix=prefix, rp_rate_per_s=SLOW, rp_burst=1)
    limiter = rate_limiter(settings)
    assert isinstance(limiter, RedisRateLimiter)
    limiter.check("rp")
    refused(rate_limiter(settings), "rp")  # another process's limiter: the same bucket
    assert redis_client.exists(prefix + "rate:rp")


def test_without_a_redis_url_the_verifiers_limiter_is_in_memory() -> None:
    settings = VerifierSettings(rp_rate_per_s=SLOW, rp_burst=1)
    assert isinstance(rate_limiter(settings), RateLimiter)


def unreachable_redis() -> Redis:
    """A client for a port where no Redis listens (connections are refused at once)."""
    return Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=2)


def test_a_redis_out_of_reach_refuses_the_call_as_shared_store_unavailable() -> None:
    limiter = RedisRateLimiter(unreachable_redis(), "civid-test:", rate=1.0, burst=1.0)
    with pytest.raises(DomainError) as caught:
        limiter.check("thai-domestic-air")
    assert caught.value.code is DomainErrorCode.SHARED_STORE_UNAVAILABLE
    assert caught.value.retry_after_s is not None and caught.value.retry_after_s > 0


@pytest.fixture
def verifier_without_its_redis(tmp_path: Path, test_issuer: TestIssuer) -> Iterator[VerifierEnv]:
    """A verifier whose Redis (for nonces and rate limits) is out of reach."""
    yield from start_env(tmp_path, test_issuer, redis_url=f"redis://127.0.0.1:{free_port()}/0")


def test_a_verifier_whose_redis_is_out_of_reach_answers_unavailable_with_a_time_to_retry(
    verifier_without_its_redis: VerifierEnv,
) -> None:
    env = verifier_without_its_redis
    with pytest.raises(grpc.RpcError) as caught:
        env.stub.ListPolicies(pb.ListPoliciesRequest(), metadata=env.rp_metadata(AIRLINE), timeout=30)
    details = error_details(caught.value)
    assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "SHARED_STORE_UNAVAILABLE")
    assert details.retry_after_s == 1.0
