"""The statements that reserve a status-list slot and claim an index, built once per dialect.

Two steps, identical on both engines in what they guarantee: *reserve* adds one to the list's
``allocated`` counter only while it is below ``size`` (so a full list refuses), and *claim* inserts
``(list_id, idx)`` unless that primary key is taken (so no index is handed out twice, on PostgreSQL
even against a concurrent, uncommitted claim: the insert waits for it). On PostgreSQL both run as one
statement (data-modifying CTEs); SQLite has no DML in a CTE, so there they are two statements, cheap
ones inside its single write transaction. Every statement here is built at import time and run on
the driver's cursor (:mod:`civid.issuer.storage.prepared`: compiled once per dialect).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from civid.issuer.storage.prepared import Prepared
from civid.issuer.storage.schema import status_list_allocations as allocations
from civid.issuer.storage.schema import status_lists

_RESERVE_BASE: Final = (
    update(status_lists)
    .where(status_lists.c.id == bindparam("list_id"), status_lists.c.allocated < status_lists.c.size)
    .values(allocated=status_lists.c.allocated + 1)
)
_RESERVE: Final = Prepared(_RESERVE_BASE.returning(status_lists.c.size))


def _claim_statement(insert: Any) -> Any:
    return insert(allocations).on_conflict_do_nothing().returning(allocations.c.idx)


_CLAIM: Final = {
    "postgresql": Prepared(_claim_statement(postgresql.insert)),
    "sqlite": Prepared(_claim_statement(sqlite.insert)),
}


def _reserve_and_claim_postgresql() -> Any:
    slot = _RESERVE_BASE.returning(status_lists.c.id, status_lists.c.size).cte("slot")
    source = select(
        slot.c.id,
        bindparam("idx", type_=allocations.c.idx.type),
        bindparam("allocated_at", type_=allocations.c.allocated_at.type),
    )
    claim = (
        postgresql.insert(allocations)
        .from_select(["list_id", "idx", "allocated_at"], source)
        .on_conflict_do_nothing()
        .returning(allocations.c.idx)
        .cte("claim")
    )
    claimed = select(claim.c.idx).scalar_subquery()
    return select(slot.c.size, claimed.label("claimed")).select_from(slot).add_cte(claim)


_RESERVE_AND_CLAIM_POSTGRESQL: Final = Prepared(_reserve_and_claim_postgresql())
_EXISTS: Final = select(status_lists.c.id).where(status_lists.c.id == bindparam("list_id"))


def reserve_and_claim(conn: Connection, list_id: str, index: int, now: datetime) -> tuple[int, bool] | None:
    """Reserve a slot of the list and try to claim ``index`` for it: ``(size, claimed)``, or None
    when the list is full or missing (nothing changed then)."""
    params = {"list_id": list_id, "idx": index, "allocated_at": now}
    if conn.dialect.name == "postgresql":
        row = _RESERVE_AND_CLAIM_POSTGRESQL.first(conn, params)
        return None if row is None else (int(row[0]), row[1] is not None)
    reserved = _RESERVE.first(conn, params)
    if reserved is None:
        return None
    return int(reserved[0]), claim(conn, list_id, index, now)


def claim(conn: Connection, list_id: str, index: int, now: datetime) -> bool:
    """Insert ``(list_id, index)`` unless taken; True if this call claimed it."""
    row = {"list_id": list_id, "idx": index, "allocated_at": now}
    return _CLAIM[conn.dialect.name].first(conn, row) is not None


def list_exists(conn: Connection, list_id: str) -> bool:
    return conn.execute(_EXISTS, {"list_id": list_id}).first() is not None
