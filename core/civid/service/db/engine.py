"""Engines for SQLite (WAL, foreign keys, a busy timeout) and PostgreSQL (psycopg 3, pre-ping).

Python's sqlite3 module is put in autocommit mode and SQLAlchemy emits ``BEGIN`` itself, so that a
write transaction (:func:`civid.service.db.tx.write`) starts with ``BEGIN IMMEDIATE``: a writer waits
for the lock up front instead of failing half-way when it upgrades a read lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import URL, Connection, Engine, create_engine, event

BUSY_TIMEOUT_MS: Final = 30_000
WRITE_OPTION: Final = "civid_write"  # execution option set by tx.write
SQLITE_PRAGMAS: Final = (
    "journal_mode=WAL",
    "foreign_keys=ON",
    f"busy_timeout={BUSY_TIMEOUT_MS}",
    "synchronous=NORMAL",
)


@dataclass(frozen=True)
class PoolSize:
    """Connections kept open (``size``) and opened beyond them under load (``overflow``)."""

    size: int = 10
    overflow: int = 50


def make_engine(url: URL, pool: PoolSize = PoolSize()) -> Engine:
    """An engine for ``url`` (see :func:`civid.service.db.url.database_url`), configured as above."""
    sizes = {"pool_size": pool.size, "max_overflow": pool.overflow}
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **sizes)
    connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    engine = create_engine(url, connect_args=connect_args, **sizes)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the "begin" listener emits BEGIN itself
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
