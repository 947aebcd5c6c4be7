"""Engines for SQLite (WAL, foreign keys, a busy timeout) and PostgreSQL (psycopg 3, pinged when idle).

Python's sqlite3 module is put in autocommit mode and SQLAlchemy emits ``BEGIN`` itself, so that a
write transaction (:func:`civid.service.db.tx.write`) starts with ``BEGIN IMMEDIATE``: a writer waits
for the lock up front instead of failing half-way when it upgrades a read lock.

A PostgreSQL connection taken from the pool is pinged (and replaced if the server dropped it) when it
sat unused for ``PING_AFTER_IDLE_S`` or more. SQLAlchemy's ``pool_pre_ping`` pinged at every checkout:
a round trip per transaction, a fifth of an issuance's. A connection back in the pool moments ago
is not pinged; should the server have dropped it within that second, the transaction fails as one
would whose connection broke after a ping, and SQLAlchemy replaces the pool's connections.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError

from civid.service.db.writers import take_turns

BUSY_TIMEOUT_MS: Final = 30_000
PING_AFTER_IDLE_S: Final = 1.0
_RETURNED_AT: Final = "civid_returned_at"  # connection record info: when it went back to the pool
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
        engine = create_engine(url, **sizes)
        _ping_when_idle(engine, PING_AFTER_IDLE_S)
        return engine
    connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    engine = create_engine(url, connect_args=connect_args, **sizes)
    _configure_sqlite(engine)
    take_turns(engine)
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


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < idle_s:
            return  # just opened, or in use moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool discards this connection and checks out another
            raise DisconnectionError("the pooled connection no longer answers") from exc
