"""Idempotency keys of creating calls, kept in the verifier's database for 24 hours.

A creating call with a ``request_id`` stores its first answer under (scope, request_id) with a
fingerprint of the request's content; a retry with the same content gets that answer back, at any
verifier process and after a restart; a retry with other content is IDEMPOTENCY_CONFLICT. The scope
names the call and the caller (``presentation-request/<rp id>``), so two relying parties' keys never
meet. Two processes racing on one key both do the work, but the first to store wins and the other
answers with the winner's answer (the loser's extra presentation request simply expires unused).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from civid.core.datetimes import utc_now
from civid.service.db.tx import read, write
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.storage.schema import idempotency_keys

LIFETIME: Final = timedelta(hours=24)


def conflict(request_id: str) -> DomainError:
    return DomainError(
        DomainErrorCode.IDEMPOTENCY_CONFLICT,
        "the request_id was already used with different content",
        {"request_id": request_id},
    )


class IdempotencyStore:
    """First answers of creating calls, by scope and request_id, in the database."""

    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = utc_now, lifetime: timedelta = LIFETIME
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._lifetime = lifetime

    def recall(self, scope: str, request_id: str, fingerprint: str) -> bytes | None:
        """The first answer for this key, None if there is none (or it is older than the lifetime)."""
        query = select(idempotency_keys.c.fingerprint, idempotency_keys.c.answer).where(
            idempotency_keys.c.scope == scope,
            idempotency_keys.c.request_id == request_id,
            idempotency_keys.c.created_at > self._clock() - self._lifetime,
        )
        with read(self._engine) as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        if row.fingerprint != fingerprint:
            raise conflict(request_id)
        answer: bytes = row.answer
        return answer

    def remember(self, scope: str, request_id: str, fingerprint: str, answer: bytes) -> bytes:
        """Store the first answer and return it; when another process stored first, return its answer."""
        now = self._clock()
        row = {
            "scope": scope,
            "request_id": request_id,
            "fingerprint": fingerprint,
            "answer": answer,
            "created_at": now,
        }
        try:
            with write(self._engine) as conn:
                conn.execute(
                    delete(idempotency_keys).where(idempotency_keys.c.created_at <= now - self._lifetime)
                )
                conn.execute(insert(idempotency_keys).values(row))
        except IntegrityError:
            stored = self.recall(scope, request_id, fingerprint)
            if stored is None:  # pragma: no cover - stored and expired between the two statements
                raise
            return stored
        return answer
