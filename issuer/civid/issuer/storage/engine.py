"""Engines for SQLite (the default, a file in the data directory) and PostgreSQL (psycopg 3).

SQLite runs in WAL mode with foreign keys on and a busy timeout. Python's sqlite3 module is put in
autocommit mode and SQLAlchemy emits ``BEGIN`` itself, so that write transactions can start with
``BEGIN IMMEDIATE`` (see :mod:`civid.issuer.storage.tx`): a writer waits for the lock up front instead
of failing half-way when it upgrades a read lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError

from civid.core.errors import CividError, ErrorCode

SQLITE_FILE_NAME: Final = "issuer.db"
BUSY_TIMEOUT_MS: Final = 30_000
WRITE_OPTION: Final = "civid_write"


def database_url(target: str | Path) -> URL:
    """The SQLAlchemy URL for a database URL or a data directory (→ its SQLite file).

    ``postgresql://`` and ``postgres://`` URLs are given the psycopg 3 driver.
    """
    if isinstance(target, Path) or "://" not in target:
        directory = Path(target)
        directory.mkdir(parents=True, exist_ok=True)
        return URL.create("sqlite+pysqlite", database=str(directory / SQLITE_FILE_NAME))
    try:
        url = make_url(target)
    except ArgumentError as exc:
        raise CividError(ErrorCode.STORAGE_CONFIG, f"not a database URL: {exc}") from exc
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        return url
    raise CividError(
        ErrorCode.STORAGE_CONFIG, f"unsupported database {url.drivername!r}: use sqlite or postgresql"
    )


def make_engine(target: str | Path) -> Engine:
    """An engine for ``target`` (a URL or a data directory), configured for this project."""
    url = database_url(target)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, pool_size=10, max_overflow=50
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=50)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
            "PRAGMA synchronous=NORMAL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
