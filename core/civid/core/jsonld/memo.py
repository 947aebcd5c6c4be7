"""Bounded, thread-safe memo tables for the fast path, and the exact content keys they use.

A key is ``marshal`` bytes (format 2: no back-references, so the bytes never depend on reference
counts): they tell apart every difference a JSON-LD processor can see (list or tuple, ``1`` or
``1.0`` or ``True``, key order), and refuse anything that is not plain data (a dict subclass, a
custom object, a cycle), which then simply is not memoized. Equal data may give different bytes
(an interned string): that only costs a miss, never a wrong hit.
"""

from __future__ import annotations

import marshal
import threading
from collections import OrderedDict
from typing import Any, Generic, TypeVar

_MARSHAL_VERSION = 2

K = TypeVar("K")
V = TypeVar("V")


def content_key(value: Any) -> bytes | None:
    """Exact bytes for plain JSON-like data; None when ``value`` holds anything else."""
    try:
        return marshal.dumps(value, _MARSHAL_VERSION)
    except ValueError:
        return None


def plain_copy(document: dict[str, Any]) -> dict[str, Any] | None:
    """A deep copy of a plain JSON-like object made in C (``marshal``), sharing nothing with it;
    None when ``document`` holds anything else (then copy it some other way)."""
    try:
        copied: dict[str, Any] = marshal.loads(marshal.dumps(document, _MARSHAL_VERSION))
    except ValueError:
        return None
    return copied


class LockedLru(Generic[K, V]):
    """A least-recently-used table of at most ``maxsize`` entries, safe to share between threads."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._maxsize = maxsize
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)

    def pop(self, key: K) -> V | None:
        with self._lock:
            return self._entries.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class BoundedTable(Generic[K, V]):
    """A table for hot, cheap lookups: reads take no lock (a dict read is atomic in CPython),
    writes do; when full, it starts over empty, so it never holds more than ``maxsize``."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._maxsize = maxsize
        self._entries: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            if len(self._entries) >= self._maxsize:
                self._entries = {}
            self._entries[key] = value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries = {}
