"""An in-process cache of successful API-key authentications, invalidated by the registry's revision.

The registry bumps a revision (one row in the database) in the same transaction as every revoke,
rotate and update. The cache remembers the revision it last read and trusts its entries only while
that reading is younger than ``recheck_seconds``; after that the next authentication reads the
revision again (and drops every entry if it moved). So a change made by another process takes effect
within ``recheck_seconds``; a change made through the same registry clears the cache at once.

Entries hold only what a database lookup would check again: the secret's hash (compared in constant
time by the caller), the key's end of grace, and the relying party.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from civid.verifier.domain.relying_parties import RelyingParty


@dataclass(frozen=True)
class CachedKey:
    """A key that authenticated: its stored hash, when its grace ends (None: never), its owner."""

    secret_sha256: str
    expires_at: datetime | None
    rp: RelyingParty


class AuthCache:
    """Thread-safe; ``monotonic`` is injectable so tests need no sleeps."""

    def __init__(self, recheck_seconds: float, monotonic: Callable[[], float]) -> None:
        self._recheck_seconds = recheck_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._entries: dict[str, CachedKey] = {}
        self._revision: int | None = None
        self._checked_at = 0.0
        self._generation = 0  # moves on every clear: a lookup begun before it must not store

    def get(self, key_id: str) -> CachedKey | None:
        """The entry, while the revision was read less than ``recheck_seconds`` ago; else None."""
        with self._lock:
            if self._revision is None or self._monotonic() - self._checked_at >= self._recheck_seconds:
                return None
            return self._entries.get(key_id)

    def observe(self, revision: int) -> int:
        """Record the revision just read (before the key's row, in the same transaction).

        Drops every entry if it moved; returns the generation to hand to :meth:`put`."""
        with self._lock:
            if revision != self._revision:
                self._clear()
                self._revision = revision
            self._checked_at = self._monotonic()
            return self._generation

    def put(self, key_id: str, entry: CachedKey, generation: int) -> None:
        """Keep ``entry`` unless the cache was cleared since :meth:`observe` returned ``generation``."""
        with self._lock:
            if generation == self._generation:
                self._entries[key_id] = entry

    def invalidate(self) -> None:
        """Forget everything (after this process changed the registry)."""
        with self._lock:
            self._clear()
            self._revision = None

    def _clear(self) -> None:
        self._entries.clear()
        self._generation += 1
