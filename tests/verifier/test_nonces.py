"""Nonces are single-use and expire: in memory for one process, in Redis for several."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import REDIS_URL
from redis import Redis
from server_fixtures import free_port

from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.nonces import InMemoryNonceStore, NonceStore, RedisNonceStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest) -> NonceStore:
    if request.param == "memory":
        return InMemoryNonceStore()
    return RedisNonceStore(request.getfixturevalue("redis_client"), request.getfixturevalue("prefix"))


def test_issued_nonce_is_consumed_once(store: NonceStore) -> None:
    store.issue("n1", 60)
    assert store.consume("n1") is True
    assert store.consume("n1") is False


def test_unknown_nonce_is_not_consumed(store: NonceStore) -> None:
    assert store.consume("never-issued") is False


def test_concurrent_consumers_let_exactly_one_through(store: NonceStore) -> None:
    store.issue("contested", 60)
    barrier = threading.Barrier(8)

    def consume() -> bool:
        barrier.wait()
        return store.consume("contested")

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: consume(), range(8)))
    assert outcomes.count(True) == 1


def test_expired_nonce_is_refused_in_memory() -> None:
    clock = FakeClock()
    store = InMemoryNonceStore(clock=clock)
    store.issue("n", 5)
    clock.now += 5.001
    assert store.consume("n") is False


def test_memory_store_sweeps_expired_nonces() -> None:
    clock = FakeClock()
    store = InMemoryNonceStore(clock=clock)
    for i in range(100):
        store.issue(f"n{i}", 5)
    clock.now += 10
    store.issue("fresh", 5)
    assert len(store) == 1


def test_full_memory_store_refuses_new_nonces_with_overloaded() -> None:
    store = InMemoryNonceStore(max_size=2)
    store.issue("a", 60)
    store.issue("b", 60)
    with pytest.raises(DomainError) as caught:
        store.issue("c", 60)
    assert caught.value.code is DomainErrorCode.OVERLOADED
    assert store.consume("a") and store.consume("b")  # live nonces were never evicted


@pytest.mark.redis
def test_expired_nonce_is_refused_in_redis(redis_client: Redis, prefix: str) -> None:
    store = RedisNonceStore(redis_client, prefix)
    store.issue("short", 0.05)
    assert redis_client.pttl(prefix + "short") > 0  # Redis itself expires it
    time.sleep(0.15)
    assert store.consume("short") is False


@pytest.mark.redis
def test_two_store_objects_share_nonces_through_redis(prefix: str, redis_client: Redis) -> None:
    first = RedisNonceStore(Redis.from_url(REDIS_URL), prefix)
    second = RedisNonceStore(Redis.from_url(REDIS_URL), prefix)
    first.issue("shared", 60)
    assert second.consume("shared") is True
    assert first.consume("shared") is False


CONSUMER = """
import sys
from civid.verifier.domain.nonces import RedisNonceStore
store = RedisNonceStore.from_url(sys.argv[1], sys.argv[2])
print("consumed" if store.consume(sys.argv[3]) else "refused")
"""


@pytest.mark.redis
@pytest.mark.slow
def test_nonce_consumed_in_one_process_is_refused_in_another(prefix: str, redis_client: Redis) -> None:
    RedisNonceStore(redis_client, prefix).issue("cross-process", 60)

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", CONSUMER, REDIS_URL, prefix, "cross-process"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.strip()

    assert run() == "consumed"
    assert run() == "refused"


@pytest.mark.parametrize("operation", ["issue", "consume"])
def test_a_redis_out_of_reach_refuses_issue_and_consume_as_shared_store_unavailable(operation: str) -> None:
    store = RedisNonceStore(Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=2))
    with pytest.raises(DomainError) as caught:
        store.issue("n1", 60) if operation == "issue" else store.consume("n1")
    assert caught.value.code is DomainErrorCode.SHARED_STORE_UNAVAILABLE
