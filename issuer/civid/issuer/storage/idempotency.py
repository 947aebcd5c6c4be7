"""Idempotency keys: a retried request gets the first answer and never runs twice.

:meth:`IdempotencyRepository.run_once` claims the key and runs the operation in the SAME transaction
as the operation's own writes (e.g. the credential row), so either both are committed or neither is.
A concurrent duplicate waits for the first (SQLite's write lock; PostgreSQL's unique-key wait; or it
runs after the first in the same group commit) and then reads its answer. Operations of concurrent
threads commit together (:mod:`civid.service.db.group`), each returning once its commit is done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, Engine, delete, select, update

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage.common import Clock, insert_ignore
from civid.issuer.storage.schema import idempotency_keys
from civid.service.db.group import GroupCommit
from civid.service.db.tx import write

MAX_KEY_LENGTH = 128


def request_hash(canonical_request: bytes) -> str:
    """SHA-256 (hex) of a canonical encoding of the request, to tell a retry from a different request."""
    return hashlib.sha256(canonical_request).hexdigest()


@dataclass(frozen=True)
class IdempotentResult:
    response: bytes
    replayed: bool  # True when this is the stored answer to an earlier identical request


class IdempotencyRepository:
    def __init__(self, engine: Engine, clock: Clock, group: GroupCommit | None = None) -> None:
        self._engine = engine
        self._clock = clock
        self._group = group if group is not None else GroupCommit(engine)

    def run_once(
        self, key: str, operation: str, req_hash: str, produce: Callable[[Connection], bytes]
    ) -> IdempotentResult:
        """Run ``produce(conn)`` once per key; a retry with the same request gets the stored response.

        The same key with a different operation or request raises IDEMPOTENCY_CONFLICT.
        """
        if not key or len(key) > MAX_KEY_LENGTH:
            raise CividError(
                ErrorCode.INVALID_RECORD, f"idempotency key must be 1..{MAX_KEY_LENGTH} characters"
            )
        with self._group.write() as conn:
            claim = {"key": key, "operation": operation, "request_hash": req_hash, "response": b""}
            if insert_ignore(conn, idempotency_keys, claim | {"created_at": self._clock()}):
                response = produce(conn)
                conn.execute(
                    update(idempotency_keys).where(idempotency_keys.c.key == key).values(response=response)
                )
                return IdempotentResult(response, replayed=False)
            return IdempotentResult(self._stored(conn, key, operation, req_hash), replayed=True)

    def purge_older_than(self, cutoff_seconds: float) -> int:
        """Forget keys older than ``cutoff_seconds``; the number removed."""
        limit = self._clock() - timedelta(seconds=cutoff_seconds)
        with write(self._engine) as conn:
            return conn.execute(
                delete(idempotency_keys).where(idempotency_keys.c.created_at < limit)
            ).rowcount

    @staticmethod
    def _stored(conn: Connection, key: str, operation: str, req_hash: str) -> bytes:
        row = conn.execute(select(idempotency_keys).where(idempotency_keys.c.key == key)).one()
        if row.operation != operation or row.request_hash != req_hash:
            raise CividError(
                ErrorCode.IDEMPOTENCY_CONFLICT,
                "this idempotency key was already used for a different request",
            )
        return bytes(row.response)
