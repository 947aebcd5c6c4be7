"""Admission control: refuse at once what the server cannot take, never queue without bound.

* :class:`InFlightLimiter` — at most ``capacity`` calls at a time; ``try_acquire`` never blocks and
  an extra call is refused with OVERLOADED (RESOURCE_EXHAUSTED at the door).
* :class:`RateLimiter` — a token bucket per relying party (``rate`` per second, bursts of
  ``burst``: the relying party's own limits where it has them, else the limiter's defaults); over the
  rate a call is refused with RATE_LIMITED and the time to retry. It counts in this process only;
  :class:`~civid.verifier.domain.shared_rate_limits.RedisRateLimiter` keeps the same buckets in Redis,
  shared by every process (both are a :class:`RateLimit`).

Both use a :class:`threading.Lock` held for a few instructions only, so they are safe from threads
and from asyncio code alike (the lock is never held across an ``await``).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from civid.verifier.domain.errors import DomainError, DomainErrorCode, RetryableError

OVERLOAD_RETRY_S: Final = 0.5


def valid_rate(rate: float) -> bool:
    """A rate limit's rate: a finite number of calls per second above 0 (NaN and inf are not)."""
    return math.isfinite(rate) and rate > 0


def valid_burst(burst: float) -> bool:
    """A rate limit's burst: a finite number of calls of at least 1."""
    return math.isfinite(burst) and burst >= 1


def check_default_limits(rate: float, burst: float) -> None:
    """ValueError unless ``rate`` and ``burst`` are valid defaults for a rate limiter (set at start,
    so a bad value is the operator's configuration, said at once)."""
    if not valid_rate(rate):
        raise ValueError(f"rate must be a finite number of calls per second above 0, got {rate}")
    if not valid_burst(burst):
        raise ValueError(f"burst must be a finite number of calls of at least 1, got {burst}")


def rate_limited(wait: float) -> RetryableError:
    """The refusal of a call over its relying party's rate, with the seconds until a token is free."""
    return RetryableError(DomainErrorCode.RATE_LIMITED, "too many requests from this relying party", wait)


def check_rate_limit(
    rate: float | None, burst: float | None, fields: tuple[str, str] = ("rate_per_s", "burst")
) -> None:
    """FIELD_INVALID (naming ``fields[0]`` for the rate, ``fields[1]`` for the burst) unless both or
    neither are given (neither: the server's defaults), the rate is a finite number of calls per second
    above 0 and the burst a finite number of calls of at least 1."""
    if (rate is None) != (burst is None):
        missing = fields[0] if rate is None else fields[1]
        raise DomainError(
            DomainErrorCode.FIELD_INVALID,
            f"{fields[0]} and {fields[1]} go together: give both, or neither for the server's defaults",
            {"field": missing},
        )
    if rate is not None and not valid_rate(rate):
        raise DomainError(
            DomainErrorCode.FIELD_INVALID,
            f"{fields[0]} must be a number of calls per second above 0, got {rate}",
            {"field": fields[0]},
        )
    if burst is not None and not valid_burst(burst):
        raise DomainError(
            DomainErrorCode.FIELD_INVALID,
            f"{fields[1]} must be a number of calls of at least 1, got {burst}",
            {"field": fields[1]},
        )


def overloaded() -> RetryableError:
    """The refusal of a call over capacity (the gateway answers the same, see civid.verifier.gateway)."""
    return RetryableError(DomainErrorCode.OVERLOADED, "the verifier is at capacity", OVERLOAD_RETRY_S)


class InFlightLimiter:
    """A non-blocking counting semaphore."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._in_flight = 0
        self._lock = threading.Lock()
        self._slot = _Slot(self)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def try_acquire(self) -> bool:
        with self._lock:
            if self._in_flight >= self._capacity:
                return False
            self._in_flight += 1
            return True

    def release(self) -> None:
        with self._lock:
            if self._in_flight == 0:
                raise RuntimeError("release without acquire")
            self._in_flight -= 1

    def admit(self) -> _Slot:
        """Hold a slot for the ``with`` block; OVERLOADED at once when none is free."""
        return self._slot


class _Slot:
    """``with limiter.admit():`` — a plain context manager (no generator), one per limiter.

    It keeps no state of its own, so concurrent ``with`` blocks share it; and an exception leaving
    the block passes through untouched (a generator-based one re-raises it through the generator and
    writes its ``__traceback__``, which frozen-dataclass exceptions refuse)."""

    __slots__ = ("_limiter",)

    def __init__(self, limiter: InFlightLimiter) -> None:
        self._limiter = limiter

    def __enter__(self) -> None:
        if not self._limiter.try_acquire():
            raise overloaded()

    def __exit__(self, *_exc: object) -> None:
        self._limiter.release()


class RateLimit(Protocol):
    """Token buckets by key (a relying-party id), in this process or shared (Redis)."""

    def try_take(self, key: str, rate: float | None = None, burst: float | None = None) -> float:
        """Take one token: 0.0 when allowed, else the seconds until one is available.

        ``rate`` and ``burst``: this key's own limits; None: the limiter's defaults."""
        ...

    def check(self, key: str, rate: float | None = None, burst: float | None = None) -> None:
        """Take one token or raise RATE_LIMITED with the time to retry."""
        ...


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets by key (a relying-party id); at most ``max_keys`` buckets are kept (LRU).

    ``rate`` and ``burst`` are the defaults; a call may give its key's own limits instead. A bucket
    keeps only its tokens, so changed limits apply from the first call that gives them: a lower burst
    caps the tokens saved up at once, a new rate refills the time since the key's previous call."""

    def __init__(
        self,
        rate: float,
        burst: float,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_default_limits(rate, burst)
        self._rate = rate
        self._burst = burst
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def try_take(self, key: str, rate: float | None = None, burst: float | None = None) -> float:
        """Take one token: 0.0 when allowed, else the seconds until one is available.

        ``rate`` and ``burst``: this key's own limits (valid ones, see :func:`check_rate_limit`);
        None: the limiter's defaults."""
        if rate is None or burst is None:
            rate, burst = self._rate, self._burst
        with self._lock:
            now = self._clock()
            bucket = self._buckets.pop(key, None) or _Bucket(burst, now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            self._buckets[key] = bucket
            if len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)  # a forgotten key starts again with a full bucket
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / rate

    def check(self, key: str, rate: float | None = None, burst: float | None = None) -> None:
        """Take one token or raise RATE_LIMITED with the time to retry (limits as for :meth:`try_take`)."""
        wait = self.try_take(key, rate, burst)
        if wait > 0:
            raise rate_limited(wait)
