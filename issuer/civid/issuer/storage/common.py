"""Small helpers shared by the repositories: clock, ids, dialect-neutral upserts."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A random record id (uuid4, 32 hex digits)."""
    return uuid.uuid4().hex


def _insert_for(conn: Connection, table: Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignore(conn: Connection, table: Table, values: Mapping[str, Any]) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING``; True if the row was inserted.

    On PostgreSQL a conflicting insert waits for the transaction holding the other row, so the
    answer is final once that transaction commits or rolls back.
    """
    key = next(iter(table.primary_key.columns))
    stmt: Insert = _insert_for(conn, table).values(**values).on_conflict_do_nothing().returning(key)
    return conn.execute(stmt).first() is not None  # rowcount is not reliable here on every driver


def upsert_add(
    conn: Connection, table: Table, key: Mapping[str, Any], column: str, amount: int, extra: Mapping[str, Any]
) -> int:
    """Insert ``key`` with ``column = amount`` or add ``amount`` to the existing row; the new value."""
    insert = _insert_for(conn, table).values(**key, **{column: amount}, **extra)
    stmt = insert.on_conflict_do_update(
        index_elements=list(key), set_={column: table.c[column] + amount, **extra}
    ).returning(table.c[column])
    value = conn.execute(stmt).scalar_one()
    return int(value)
