"""Certified copies of civil-registration records issued as credentials (the record of issuance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, Engine, select

from civid.issuer.storage.common import Clock, new_id
from civid.issuer.storage.schema import certified_copies
from civid.service.db.tx import joined, read


class CopyKind(StrEnum):
    HOUSEHOLD_REGISTRATION = "household_registration"
    BIRTH_RECORD = "birth_record"


@dataclass(frozen=True)
class CertifiedCopy:
    id: str
    national_id: str
    kind: CopyKind
    credential_id: str
    issued_at: datetime


class CertifiedCopyRepository:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def record(
        self, national_id: str, kind: CopyKind, credential_id: str, conn: Connection | None = None
    ) -> CertifiedCopy:
        """Record a copy whose credential row was inserted in the same transaction."""
        copy = CertifiedCopy(new_id(), national_id, kind, credential_id, self._clock())
        with joined(self._engine, conn) as c:
            c.execute(certified_copies.insert().values(**copy.__dict__ | {"kind": kind.value}))
        return copy

    def for_citizen(self, national_id: str) -> list[CertifiedCopy]:
        query = select(certified_copies).where(certified_copies.c.national_id == national_id)
        with read(self._engine) as conn:
            rows = conn.execute(query.order_by(certified_copies.c.issued_at))
            return [
                CertifiedCopy(r.id, r.national_id, CopyKind(r.kind), r.credential_id, r.issued_at)
                for r in rows
            ]
