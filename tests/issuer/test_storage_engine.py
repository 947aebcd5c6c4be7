"""The issuer's engines: SQLite writer threads take turns before BEGIN IMMEDIATE; a PostgreSQL
connection is pinged only after sitting idle, and one the server dropped meanwhile is replaced."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from civid.issuer.storage.engine import make_engine
from civid.service.db.engine import PING_AFTER_IDLE_S
from civid.service.db.tx import read, write
from tests.issuer.db_fixtures import PG_URL, _pg_admin


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    name = f"civid_test_{secrets.token_hex(6)}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(PG_URL.format(name=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(tmp_path)
    yield engine
    engine.dispose()


def test_a_sqlite_writer_thread_begins_only_after_the_writer_before_it_ends(sqlite_engine: Engine) -> None:
    events: list[str] = []

    @event.listens_for(sqlite_engine, "before_cursor_execute")
    def _begin(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            events.append(f"begin {threading.current_thread().name}")

    @event.listens_for(sqlite_engine, "commit")
    def _commit(_conn: Any) -> None:
        events.append(f"commit {threading.current_thread().name}")

    inside, go = threading.Event(), threading.Event()

    def first() -> None:
        with write(sqlite_engine):
            inside.set()
            assert go.wait(10)

    def second() -> None:
        with write(sqlite_engine):
            pass

    one = threading.Thread(target=first, name="one")
    two = threading.Thread(target=second, name="two")
    one.start()
    assert inside.wait(10)
    two.start()
    time.sleep(0.2)  # room for the second writer to (wrongly) reach SQLite meanwhile
    go.set()
    one.join(10)
    two.join(10)
    assert events == ["begin one", "commit one", "begin two", "commit two"]


@pytest.mark.postgres
def test_a_postgres_connection_dropped_while_idle_is_replaced(postgres_engine: Engine) -> None:
    with read(postgres_engine) as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with _pg_admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    time.sleep(PING_AFTER_IDLE_S + 0.2)
    with read(postgres_engine) as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid


@pytest.mark.postgres
def test_a_postgres_connection_used_moments_ago_is_not_pinged(
    postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[object] = []
    ping = postgres_engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(postgres_engine.dialect, "do_ping", counted)
    for _ in range(5):
        with read(postgres_engine) as conn:
            conn.execute(text("SELECT 1"))
    assert pings == []
    time.sleep(PING_AFTER_IDLE_S + 0.2)
    with read(postgres_engine) as conn:
        conn.execute(text("SELECT 1"))
    assert len(pings) == 1
