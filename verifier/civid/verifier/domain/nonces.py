"""Single-use, expiring nonces (the challenge of a presentation request).

``issue`` records a nonce for ``ttl`` seconds; ``consume`` answers True exactly once for a live nonce
and False when it is unknown, already consumed or expired. :class:`InMemoryNonceStore` serves one
process; :class:`RedisNonceStore` lets several verifier processes share nonces.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from typing import Final, Protocol

from redis import Redis

from civid.verifier.domain.errors import DomainErrorCode, RetryableError
from civid.verifier.domain.shared_store import reaching


class NonceStore(Protocol):
    def issue(self, nonce: str, ttl: float) -> None:
        """Record ``nonce`` as usable once within ``ttl`` seconds."""
        ...

    def consume(self, nonce: str) -> bool:
        """True the first time a live nonce is consumed; False if unknown, used or expired."""
        ...


class InMemoryNonceStore:
    """A bounded, thread-safe nonce store for one process.

    Expired nonces are swept on every ``issue``; when ``max_size`` live nonces are held a new one is
    refused with OVERLOADED (never an unbounded map, never evicting a live nonce, which would turn
    a valid request into a false "unknown nonce").
    """

    def __init__(self, max_size: int = 1_000_000, clock: Callable[[], float] = time.monotonic) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._max_size = max_size
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []  # (expires, nonce), for sweeping in expiry order
        self._lock = threading.Lock()

    def issue(self, nonce: str, ttl: float) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        with self._lock:
            now = self._clock()
            self._sweep(now)
            if nonce in self._expiry:
                raise ValueError("nonce already issued")
            if len(self._expiry) >= self._max_size:
                retry = self._heap[0][0] - now if self._heap else 1.0
                raise RetryableError(DomainErrorCode.OVERLOADED, "too many open presentation requests", retry)
            self._expiry[nonce] = now + ttl
            heapq.heappush(self._heap, (now + ttl, nonce))

    def consume(self, nonce: str) -> bool:
        with self._lock:
            expires = self._expiry.pop(nonce, None)
            return expires is not None and expires > self._clock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)

    def _sweep(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            expires, nonce = heapq.heappop(self._heap)
            if self._expiry.get(nonce) == expires:
                del self._expiry[nonce]
        if len(self._heap) > 2 * len(self._expiry) + 64:  # consumed nonces leave stale heap entries
            self._heap = [(e, n) for n, e in self._expiry.items()]
            heapq.heapify(self._heap)


DEFAULT_PREFIX: Final = "civid:verifier:nonce:"


class RedisNonceStore:
    """Nonces in Redis, shared by every process using the same server and ``prefix``.

    ``issue`` is ``SET key 1 NX PX ttl`` (Redis expires it); ``consume`` is ``GETDEL``, atomic on the
    server, so of two processes consuming the same nonce exactly one sees it. Both refuse with
    SHARED_STORE_UNAVAILABLE when Redis is out of reach (:mod:`.shared_store`).
    """

    def __init__(self, client: Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = DEFAULT_PREFIX) -> RedisNonceStore:
        return cls(Redis.from_url(url), prefix)

    def issue(self, nonce: str, ttl: float) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        with reaching("nonces"):
            recorded = self._redis.set(self._prefix + nonce, b"1", nx=True, px=max(int(ttl * 1000), 1))
        if not recorded:
            raise ValueError("nonce already issued")

    def consume(self, nonce: str) -> bool:
        with reaching("nonces"):
            return self._redis.getdel(self._prefix + nonce) is not None
