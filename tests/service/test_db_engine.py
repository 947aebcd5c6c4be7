"""civid.service.db.engine and .tx: SQLite set up for concurrent writers, explicit transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from civid.service.db.engine import make_engine
from civid.service.db.tx import joined, read, write
from civid.service.db.url import database_url


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    opened = make_engine(database_url(tmp_path, sqlite_file="test.db"))
    with write(opened) as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id))"
        )
    yield opened
    opened.dispose()


def test_sqlite_connections_run_in_wal_mode_with_foreign_keys_and_a_busy_timeout(engine: Engine) -> None:
    with read(engine) as conn:
        pragmas = [
            conn.exec_driver_sql(f"PRAGMA {p}").scalar()
            for p in ("journal_mode", "foreign_keys", "busy_timeout")
        ]
    assert pragmas == ["wal", 1, 30000]


def test_a_row_pointing_at_nothing_is_refused(engine: Engine) -> None:
    with pytest.raises(IntegrityError), write(engine) as conn:
        conn.exec_driver_sql("INSERT INTO child (id, parent) VALUES (1, 42)")


def test_a_write_transaction_holds_the_write_lock_from_its_start(engine: Engine) -> None:
    other = sqlite3.connect(str(engine.url.database), timeout=0, isolation_level=None)
    with write(engine) as conn:
        conn.exec_driver_sql("SELECT 1")  # nothing written yet: BEGIN IMMEDIATE already took the lock
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # free again once the transaction ends
    other.close()


def test_a_failed_write_transaction_is_rolled_back(engine: Engine) -> None:
    with pytest.raises(RuntimeError), write(engine) as conn:
        conn.exec_driver_sql("INSERT INTO parent (id) VALUES (1)")
        raise RuntimeError("boom")
    with read(engine) as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM parent").scalar() == 0


def test_joined_work_commits_with_the_callers_transaction(engine: Engine) -> None:
    with pytest.raises(RuntimeError), write(engine) as conn:
        with joined(engine, conn) as inner:
            inner.exec_driver_sql("INSERT INTO parent (id) VALUES (1)")
        raise RuntimeError("the caller fails after the joined work")
    with read(engine) as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM parent").scalar() == 0
