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

from sqlalchemy import Connection, Engine, bindparam, exists, select, update

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage.common import Clock
from civid.issuer.storage.prepared import Prepared
from civid.issuer.storage.schema import credentials, issuer_keys
from civid.service.db.tx import joined, read

_INSERTED: Final = (
    "id",
    "national_id",
    "holder_did",
    "type",
    "document",
    "issued_at",
    "valid_until",
    "revocation_list_id",
    "revocation_index",
    "suspension_list_id",
    "suspension_index",
    "state",
    "revoked",
    "suspended",
    "status_reason",
)
_INSERT: Final = Prepared(credentials.insert().returning(credentials.c.id), column_keys=_INSERTED)


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
        with joined(self._engine, conn) as c:
            _INSERT.first(c, _values(record))

    def insert_signed(self, record: CredentialRecord, key_id: str, conn: Connection) -> bool:
        """Insert ``record`` if ``key_id`` (the key that signed it) is the active issuer key, checked
        in the same statement (no query of its own); False, with nothing written, if it is not."""
        values = {f"v_{name}": value for name, value in _values(record).items()}
        return _INSERT_IF_KEY_ACTIVE.first(conn, values | {"key_id": key_id}) is not None

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


def _values(record: CredentialRecord) -> dict[str, Any]:
    return {
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


def _insert_if_key_active() -> Any:
    """``INSERT … SELECT <the values> WHERE <key_id is the active issuer key> RETURNING id``."""
    values = select(*(bindparam(f"v_{name}", type_=credentials.c[name].type) for name in _INSERTED))
    active = exists().where(issuer_keys.c.id == bindparam("key_id"), issuer_keys.c.active.is_(True))
    return credentials.insert().from_select(_INSERTED, values.where(active)).returning(credentials.c.id)


_INSERT_IF_KEY_ACTIVE: Final = Prepared(_insert_if_key_active())


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
