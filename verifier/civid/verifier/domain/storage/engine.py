"""Engines for SQLite (a file in the data directory, WAL mode) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from civid.verifier.domain.errors import DomainError, DomainErrorCode

SQLITE_FILE_NAME: Final = "verifier.db"
BUSY_TIMEOUT_MS: Final = 30_000
_WRITE: Final = "civid_verifier_write"


def database_url(target: str | Path) -> URL:
    """The URL for a database URL or a data directory (→ its SQLite file); postgres gets psycopg 3."""
    if isinstance(target, Path) or "://" not in target:
        directory = Path(target)
        directory.mkdir(parents=True, exist_ok=True)
        return URL.create("sqlite+pysqlite", database=str(directory / SQLITE_FILE_NAME))
    try:
        url = make_url(target)
    except ArgumentError as exc:
        raise DomainError(DomainErrorCode.STORAGE_CONFIG, f"not a database URL: {exc}") from exc
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        return url
    raise DomainError(
        DomainErrorCode.STORAGE_CONFIG, f"unsupported database {url.drivername!r}: use sqlite or postgresql"
    )


def make_engine(target: str | Path) -> Engine:
    """An engine for ``target`` (a URL or a data directory)."""
    url = database_url(target)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event emits BEGIN itself
        cursor = dbapi_connection.cursor()
        pragmas = (
            "journal_mode=WAL",
            "foreign_keys=ON",
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            "synchronous=NORMAL",
        )
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the lock up front (no failed lock upgrade half-way through a transaction).
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A read-write transaction: commits at the end, rolls back on an exception."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction."""
    with engine.connect() as conn, conn.begin():
        yield conn
