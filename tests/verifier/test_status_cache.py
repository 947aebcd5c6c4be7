"""The status list cache: freshness, ETags, fail-closed, single flight, bounds, verification once."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.verifier.domain.status_cache import FetchResult, StatusListCache

URL = "https://issuer.civid.example/status/1"


def status_list(version: int) -> dict[str, Any]:
    return {"id": URL, "type": ["VerifiableCredential", "BitstringStatusListCredential"], "version": version}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Issuer:
    """A fetch function that counts calls, answers with ETags and can be taken down."""

    def __init__(self) -> None:
        self.version = 1
        self.calls: list[tuple[str, str | None]] = []
        self.down = False
        self.delay = 0.0
        self.lock = threading.Lock()

    def __call__(self, url: str, etag: str | None) -> FetchResult:
        with self.lock:
            self.calls.append((url, etag))
        if self.delay:
            time.sleep(self.delay)
        if self.down:
            raise CividError(ErrorCode.STATUS_UNAVAILABLE, "the issuer did not answer")
        current = f'"v{self.version}"'
        if etag == current:
            return FetchResult(None, current)
        return FetchResult(status_list(self.version), current)


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_fresh_list_is_served_from_the_cache(issuer: Issuer, clock: Clock) -> None:
    cache = StatusListCache(issuer, freshness_s=60, clock=clock)
    assert cache.status_list(URL) == status_list(1)
    clock.now = 59
    assert cache.status_list(URL) == status_list(1)
    assert len(issuer.calls) == 1


def test_stale_list_is_refetched_with_its_etag(issuer: Issuer, clock: Clock) -> None:
    cache = StatusListCache(issuer, freshness_s=60, clock=clock)
    cache.status_list(URL)
    clock.now = 61
    assert cache.status_list(URL) == status_list(1)  # "not modified" keeps the cached document
    assert issuer.calls[-1] == (URL, '"v1"')
    issuer.version = 2
    clock.now = 200
    assert cache.status_list(URL) == status_list(2)


def test_issuer_down_and_cache_stale_fails_closed_with_status_unavailable(
    issuer: Issuer, clock: Clock
) -> None:
    cache = StatusListCache(issuer, freshness_s=60, clock=clock)
    cache.status_list(URL)
    issuer.down = True
    clock.now = 120
    with pytest.raises(CividError) as caught:
        cache.status_list(URL)
    assert caught.value.code is ErrorCode.STATUS_UNAVAILABLE
    assert "120 s old" in caught.value.message and "no older than 60 s" in caught.value.message


def test_issuer_down_with_no_cached_copy_is_status_unavailable(issuer: Issuer) -> None:
    issuer.down = True
    with pytest.raises(CividError) as caught:
        StatusListCache(issuer, allow_stale=True).status_list(URL)
    assert caught.value.code is ErrorCode.STATUS_UNAVAILABLE


def test_policy_allowing_stale_status_gets_the_cached_copy(issuer: Issuer, clock: Clock) -> None:
    cache = StatusListCache(issuer, freshness_s=60, clock=clock)
    cache.status_list(URL)
    issuer.down = True
    clock.now = 120
    assert cache.for_policy(60, allow_stale=True).status_list(URL) == status_list(1)
    with pytest.raises(CividError):
        cache.for_policy(60, allow_stale=False).status_list(URL)


def test_policy_with_zero_freshness_always_asks_the_issuer(issuer: Issuer, clock: Clock) -> None:
    cache = StatusListCache(issuer, freshness_s=300, clock=clock)
    strict = cache.for_policy(0, allow_stale=False)
    strict.status_list(URL)
    issuer.version = 2
    assert strict.status_list(URL) == status_list(2)
    assert len(issuer.calls) == 2


def test_not_found_is_passed_on_not_turned_into_stale_data(clock: Clock) -> None:
    def missing(url: str, etag: str | None) -> FetchResult:
        raise CividError(ErrorCode.STATUS_LIST_NOT_FOUND, "no such list")

    with pytest.raises(CividError) as caught:
        StatusListCache(missing, allow_stale=True, clock=clock).status_list(URL)
    assert caught.value.code is ErrorCode.STATUS_LIST_NOT_FOUND


def test_concurrent_misses_for_one_url_fetch_once(issuer: Issuer) -> None:
    issuer.delay = 0.2
    cache = StatusListCache(issuer, freshness_s=60)
    barrier = threading.Barrier(16)

    def read(_: int) -> Mapping[str, Any]:
        barrier.wait()
        return cache.status_list(URL)

    with ThreadPoolExecutor(16) as pool:
        documents = list(pool.map(read, range(16)))
    assert all(d == status_list(1) for d in documents)
    assert len(issuer.calls) == 1


def test_concurrent_waiters_all_get_the_failure_of_the_one_fetch(issuer: Issuer) -> None:
    issuer.delay = 0.2
    issuer.down = True
    cache = StatusListCache(issuer)
    barrier = threading.Barrier(8)

    def read(_: int) -> str:
        barrier.wait()
        try:
            cache.status_list(URL)
        except CividError as exc:
            return exc.code.value
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(read, range(8))) == {"STATUS_UNAVAILABLE"}
    assert len(issuer.calls) == 1


def test_cache_keeps_at_most_max_entries(issuer: Issuer) -> None:
    cache = StatusListCache(issuer, max_entries=3)
    for i in range(10):
        cache.status_list(f"{URL}/{i}")
    assert len(cache) == 3


def test_a_status_list_is_verified_once_per_document(issuer: Issuer, clock: Clock) -> None:
    cache = StatusListCache(issuer, freshness_s=60, clock=clock)
    verified: list[Mapping[str, Any]] = []
    for _ in range(5):
        cache.verified_document(URL, verified.append)
    assert len(verified) == 1
    clock.now = 61  # refetched, "not modified": still the verified document
    cache.verified_document(URL, verified.append)
    assert len(verified) == 1
    issuer.version = 2
    clock.now = 200
    assert cache.verified_document(URL, verified.append) == status_list(2)
    assert verified[-1] == status_list(2) and len(verified) == 2


def test_a_status_list_that_fails_verification_is_checked_again_next_time(issuer: Issuer) -> None:
    cache = StatusListCache(issuer)
    attempts: list[int] = []

    def reject(document: Mapping[str, Any]) -> None:
        attempts.append(1)
        raise CividError(ErrorCode.STATUS_LIST_INVALID, "bad signature")

    for _ in range(2):
        with pytest.raises(CividError):
            cache.verified_document(URL, reject)
    assert len(attempts) == 2
