"""Explicit transactions: ``with write(engine) as conn: ...`` commits at the end or rolls back.

A write transaction takes SQLite's write lock when it begins (``BEGIN IMMEDIATE``), so writers queue
on the busy timeout instead of deadlocking; on PostgreSQL it is an ordinary READ COMMITTED
transaction and row locks (``SELECT ... FOR UPDATE``) or conditional updates do the serialising.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from civid.service.db.engine import WRITE_OPTION
from civid.service.db.writers import writer_turn


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A read-write transaction (on SQLite, this process's threads take turns: :mod:`.writers`)."""
    with engine.connect() as conn, writer_turn(engine):
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (never takes SQLite's write lock)."""
    with engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def joined(engine: Engine, conn: Connection | None) -> Iterator[Connection]:
    """Run inside the caller's transaction ``conn`` if given, else in a new write transaction."""
    if conn is not None:
        yield conn
        return
    with write(engine) as own:
        yield own
