"""A bounded, time-limited set of used nonces (holder proofs, officer signatures): a repeat is refused."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class ReplayCache:
    """Remembers each nonce for ``ttl_seconds``; :meth:`claim` is True only the first time."""

    def __init__(
        self, ttl_seconds: float, max_entries: int = 1_000_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, nonce: str) -> bool:
        now = self._clock()
        with self._lock:
            self._purge(now)
            if nonce in self._seen:
                return False
            if len(self._seen) >= self._max:
                return False  # full of fresh nonces: refuse rather than forget one too early
            self._seen[nonce] = now + self._ttl
            return True

    def _purge(self, now: float) -> None:
        while self._seen:
            oldest, expiry = next(iter(self._seen.items()))
            if expiry > now:
                return
            del self._seen[oldest]
