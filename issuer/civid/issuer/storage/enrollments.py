"""Enrollment sessions, the per-day failure counter and the enrollment lock.

Attempts are keyed by ``subject_key``, a keyed hash of the national ID the person CLAIMED (see
:meth:`civid.issuer.storage.store.Store.subject_key`), so an unknown ID is counted and locked exactly
like a real one and the tables never reveal which IDs exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage.common import Clock, insert_ignore, upsert_add
from civid.issuer.storage.schema import enrollment_attempts, enrollment_locks, enrollments
from civid.service.db.tx import joined, read


class EnrollmentState(StrEnum):
    CHALLENGED = "challenged"  # challenge sent, key not proven yet
    KEY_PROVEN = "key_proven"  # holder key proven, waiting for the selfie
    ISSUED = "issued"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Enrollment:
    id: str
    subject_key: str
    national_id: str | None  # None when the claimed ID / laser code did not match the registry
    holder_did: str
    challenge: str
    state: EnrollmentState
    created_at: datetime
    expires_at: datetime
    credential_id: str | None = None


@dataclass(frozen=True)
class AttemptState:
    failures_today: int
    locked: bool


class EnrollmentRepository:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def create(self, enrollment: Enrollment, conn: Connection | None = None) -> None:
        values = {k: getattr(enrollment, k) for k in _FIELDS} | {"state": enrollment.state.value}
        with joined(self._engine, conn) as c:
            c.execute(enrollments.insert().values(**values))

    def get(self, enrollment_id: str, conn: Connection | None = None) -> Enrollment | None:
        query = select(enrollments).where(enrollments.c.id == enrollment_id)
        with joined(self._engine, conn) if conn else read(self._engine) as c:
            row = c.execute(query).first()
        return None if row is None else _enrollment(row._mapping)

    def transition(
        self,
        enrollment_id: str,
        from_states: tuple[EnrollmentState, ...],
        to_state: EnrollmentState,
        *,
        credential_id: str | None = None,
        conn: Connection | None = None,
    ) -> None:
        """Move an enrollment on, only from one of ``from_states`` and only before it expires."""
        values: dict[str, Any] = {"state": to_state.value}
        values |= {"credential_id": credential_id} if credential_id is not None else {}
        stmt = (
            update(enrollments)
            .where(
                enrollments.c.id == enrollment_id,
                enrollments.c.state.in_([s.value for s in from_states]),
                enrollments.c.expires_at > self._clock(),
            )
            .values(**values)
        )
        with joined(self._engine, conn) as c:
            if c.execute(stmt).rowcount != 1:
                raise CividError(
                    ErrorCode.INVALID_STATE, "the enrollment is unknown, expired or already finished"
                )

    def expire_due(self, conn: Connection | None = None) -> int:
        """Mark unfinished enrollments past their expiry as expired; how many."""
        open_states = [EnrollmentState.CHALLENGED.value, EnrollmentState.KEY_PROVEN.value]
        stmt = (
            update(enrollments)
            .where(enrollments.c.state.in_(open_states), enrollments.c.expires_at <= self._clock())
            .values(state=EnrollmentState.EXPIRED.value)
        )
        with joined(self._engine, conn) as c:
            return c.execute(stmt).rowcount


class AttemptRepository:
    """Failed attempts per subject per day, and the lock that only an officer lifts."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def record_failure(
        self, subject_key: str, max_failures: int, conn: Connection | None = None
    ) -> AttemptState:
        """Count a failure for today; lock the subject when the count reaches ``max_failures``."""
        now = self._clock()
        with joined(self._engine, conn) as c:
            key = {"subject_key": subject_key, "day": now.date()}
            failures = upsert_add(c, enrollment_attempts, key, "failures", 1, {"updated_at": now})
            if failures >= max_failures:
                self._lock(c, subject_key, now)
            return AttemptState(failures, self._is_locked(c, subject_key))

    def state(self, subject_key: str) -> AttemptState:
        with read(self._engine) as conn:
            return AttemptState(
                self._failures(conn, subject_key, self._clock().date()), self._is_locked(conn, subject_key)
            )

    def unlock(self, subject_key: str, officer_id: str, conn: Connection | None = None) -> None:
        """Lift the lock and reset today's counter (INVALID_STATE if it was not locked)."""
        now = self._clock()
        stmt = (
            update(enrollment_locks)
            .where(enrollment_locks.c.subject_key == subject_key, enrollment_locks.c.unlocked_at.is_(None))
            .values(unlocked_at=now, unlocked_by=officer_id)
        )
        with joined(self._engine, conn) as c:
            if c.execute(stmt).rowcount != 1:
                raise CividError(ErrorCode.INVALID_STATE, "enrollment is not locked")
            c.execute(
                delete(enrollment_attempts).where(
                    enrollment_attempts.c.subject_key == subject_key, enrollment_attempts.c.day == now.date()
                )
            )

    @staticmethod
    def _lock(conn: Connection, subject_key: str, now: datetime) -> None:
        if not insert_ignore(conn, enrollment_locks, {"subject_key": subject_key, "locked_at": now}):
            conn.execute(
                update(enrollment_locks)
                .where(
                    enrollment_locks.c.subject_key == subject_key, enrollment_locks.c.unlocked_at.is_not(None)
                )
                .values(locked_at=now, unlocked_at=None, unlocked_by=None)
            )

    @staticmethod
    def _is_locked(conn: Connection, subject_key: str) -> bool:
        query = select(enrollment_locks.c.subject_key).where(
            enrollment_locks.c.subject_key == subject_key, enrollment_locks.c.unlocked_at.is_(None)
        )
        return conn.execute(query).first() is not None

    @staticmethod
    def _failures(conn: Connection, subject_key: str, day: date) -> int:
        query = select(enrollment_attempts.c.failures).where(
            enrollment_attempts.c.subject_key == subject_key, enrollment_attempts.c.day == day
        )
        return int(conn.execute(query).scalar() or 0)


_FIELDS = (
    "id",
    "subject_key",
    "national_id",
    "holder_did",
    "challenge",
    "created_at",
    "expires_at",
    "credential_id",
)


def _enrollment(m: Any) -> Enrollment:
    return Enrollment(**{k: m[k] for k in _FIELDS}, state=EnrollmentState(m["state"]))
