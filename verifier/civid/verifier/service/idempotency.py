"""Idempotency keys of creating calls: the first answer, replayed for a retry with the same content.

Kept per process, bounded (least recently used keys are forgotten first) and for 24 hours.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from typing import Final, Generic, TypeVar

import grpc

from civid.rpc.errors import RpcFailure
from civid.verifier.service.errors import failure, field_invalid

T = TypeVar("T")
_REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LIFETIME_S: Final = 24 * 3600


class IdempotencyCache(Generic[T]):
    def __init__(self, max_keys: int = 100_000) -> None:
        self._max = max_keys
        self._entries: OrderedDict[str, tuple[str, T, float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def check_key(request_id: str) -> None:
        if request_id and not _REQUEST_ID.match(request_id):
            raise field_invalid("request_id", "request_id must be 1 to 64 characters of A-Z a-z 0-9 - _")

    def lookup(self, key: str, fingerprint: str) -> T | None:
        """The first answer for ``key``; IDEMPOTENCY_CONFLICT when the content differs."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or time.monotonic() - entry[2] > LIFETIME_S:
                return None
            if entry[0] != fingerprint:
                raise conflict(key)
            return entry[1]

    def remember(self, key: str, fingerprint: str, answer: T) -> None:
        with self._lock:
            self._entries[key] = (fingerprint, answer, time.monotonic())
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


def conflict(key: str) -> RpcFailure:
    request_id = key.rsplit("/", 1)[-1]
    return failure(
        grpc.StatusCode.ALREADY_EXISTS,
        "IDEMPOTENCY_CONFLICT",
        "the request_id was already used with different content",
        request_id=request_id,
    )
