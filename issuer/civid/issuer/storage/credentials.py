"""Issued credentials: the signed document as served, its status-list entries and lifecycle flags.

``state`` is the lifecycle (``active``; ``superseded`` once re-issued, e.g. after a move or a new
device key); ``revoked`` and ``suspended`` mirror the bits in the status lists and change with them
(see :meth:`civid.issuer.storage.store.Store.revoke`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Connection, Engine, select, update

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage.common import Clock
from civid.issuer.storage.schema import credentials
from civid.service.db.tx import joined, read

_INSERT: Final = credentials.insert()  # built once; each call passes only its values


class CredentialState(StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class StatusRef:
    """A credential's entry in one status list."""

    list_id: str
    index: int


@dataclass(frozen=True)
class CredentialRecord:
    id: str
    national_id: str
    holder_did: str
    type: str
    document: str = field(repr=False)
    issued_at: datetime
    valid_until: datetime | None = None
    revocation: StatusRef | None = None
    suspension: StatusRef | None = None
    state: CredentialState = CredentialState.ACTIVE
    revoked: bool = False
    suspended: bool = False
    status_reason: str | None = None


class CredentialRepository:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def insert(self, record: CredentialRecord, conn: Connection | None = None) -> None:
        values = {
            "id": record.id,
            "national_id": record.national_id,
            "holder_did": record.holder_did,
            "type": record.type,
            "document": record.document,
            "issued_at": record.issued_at,
            "valid_until": record.valid_until,
            "revocation_list_id": record.revocation.list_id if record.revocation else None,
            "revocation_index": record.revocation.index if record.revocation else None,
            "suspension_list_id": record.suspension.list_id if record.suspension else None,
            "suspension_index": record.suspension.index if record.suspension else None,
            "state": record.state.value,
            "revoked": record.revoked,
            "suspended": record.suspended,
            "status_reason": record.status_reason,
        }
        with joined(self._engine, conn) as c:
            c.execute(_INSERT, values)

    def get(self, credential_id: str, conn: Connection | None = None) -> CredentialRecord | None:
        query = select(credentials).where(credentials.c.id == credential_id)
        with joined(self._engine, conn) if conn else read(self._engine) as c:
            row = c.execute(query).first()
        return None if row is None else _record(row._mapping)

    def require(self, credential_id: str, conn: Connection | None = None) -> CredentialRecord:
        record = self.get(credential_id, conn)
        if record is None:
            raise CividError(ErrorCode.NOT_FOUND, f"no credential {credential_id}")
        return record

    def for_citizen(
        self, national_id: str, type_: str | None = None, *, active_only: bool = True
    ) -> list[CredentialRecord]:
        """The citizen's credentials, newest first."""
        query = select(credentials).where(credentials.c.national_id == national_id)
        if type_ is not None:
            query = query.where(credentials.c.type == type_)
        if active_only:
            query = query.where(credentials.c.state == CredentialState.ACTIVE.value)
        with read(self._engine) as conn:
            rows = conn.execute(query.order_by(credentials.c.issued_at.desc(), credentials.c.id))
            return [_record(r._mapping) for r in rows]

    def for_holder(self, holder_did: str) -> list[CredentialRecord]:
        query = select(credentials).where(credentials.c.holder_did == holder_did)
        with read(self._engine) as conn:
            return [_record(r._mapping) for r in conn.execute(query.order_by(credentials.c.issued_at.desc()))]

    def set_flags(
        self,
        credential_id: str,
        *,
        revoked: bool | None = None,
        suspended: bool | None = None,
        reason: str | None = None,
        conn: Connection | None = None,
    ) -> None:
        """Record a status change (the status-list bit is set by the caller in the same transaction)."""
        values: dict[str, Any] = {"status_changed_at": self._clock(), "status_reason": reason}
        values |= {"revoked": revoked} if revoked is not None else {}
        values |= {"suspended": suspended} if suspended is not None else {}
        self._update(credential_id, values, conn)

    def supersede(self, credential_id: str, conn: Connection | None = None) -> None:
        self._update(credential_id, {"state": CredentialState.SUPERSEDED.value}, conn)

    def _update(self, credential_id: str, values: dict[str, Any], conn: Connection | None) -> None:
        with joined(self._engine, conn) as c:
            result = c.execute(update(credentials).where(credentials.c.id == credential_id).values(**values))
        if result.rowcount != 1:
            raise CividError(ErrorCode.NOT_FOUND, f"no credential {credential_id}")


def _ref(list_id: str | None, index: int | None) -> StatusRef | None:
    return None if list_id is None or index is None else StatusRef(list_id, int(index))


def _record(m: Any) -> CredentialRecord:
    return CredentialRecord(
        id=m["id"],
        national_id=m["national_id"],
        holder_did=m["holder_did"],
        type=m["type"],
        document=m["document"],
        issued_at=m["issued_at"],
        valid_until=m["valid_until"],
        revocation=_ref(m["revocation_list_id"], m["revocation_index"]),
        suspension=_ref(m["suspension_list_id"], m["suspension_index"]),
        state=CredentialState(m["state"]),
        revoked=bool(m["revoked"]),
        suspended=bool(m["suspended"]),
        status_reason=m["status_reason"],
    )
