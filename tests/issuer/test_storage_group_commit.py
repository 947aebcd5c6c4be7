"""Group commit (civid.service.db.group) on the issuer's store, SQLite and PostgreSQL: concurrent
writers share a commit, none returns before it, and a failing writer is undone alone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, event, select

from civid.issuer.storage import Store
from civid.issuer.storage.schema import settings
from civid.service.db.group import GroupCommit
from civid.service.db.tx import read

WRITERS = 6


def _put(conn: Connection, name: str) -> None:
    conn.execute(settings.insert().values(name=name, value=b"x"))


def _names(store: Store) -> set[str]:
    with read(store.engine) as conn:
        return set(conn.execute(select(settings.c.name).where(settings.c.name.like("g-%"))).scalars())


def _statements(store: Store) -> list[str]:
    seen: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    @event.listens_for(store.engine, "commit")
    def _commit(_conn: Any) -> None:
        seen.append("COMMIT")

    return seen


def _queued(
    group: GroupCommit,
    first: Callable[[Connection], object],
    others: Sequence[Callable[[Connection], object]],
) -> list[Any]:
    """Run ``first``'s block, let the ``others`` queue behind it, then let it finish: one batch.
    Each caller's result: None, or the exception it got."""
    inside, go = threading.Event(), threading.Event()

    def lead(conn: Connection) -> object:
        inside.set()
        assert go.wait(10)
        return first(conn)

    def call(block: Callable[[Connection], object]) -> Any:
        try:
            with group.write() as conn:
                block(conn)
        except Exception as exc:
            return exc
        return None

    with ThreadPoolExecutor(len(others) + 1) as pool:
        leader = pool.submit(call, lead)
        assert inside.wait(10)
        rest = [pool.submit(call, block) for block in others]
        while group._waiting < len(others):  # every other caller is queued behind the first
            threading.Event().wait(0.01)
        go.set()
        return [leader.result(), *(f.result() for f in rest)]


def test_writers_queued_together_share_one_commit(store: Store) -> None:
    seen = _statements(store)
    blocks = [lambda c, n=n: _put(c, f"g-{n}") for n in range(WRITERS)]
    results = _queued(store.group, blocks[0], blocks[1:])
    assert results == [None] * WRITERS
    assert seen.count("COMMIT") == 1
    assert _names(store) == {f"g-{n}" for n in range(WRITERS)}


def test_no_writer_returns_before_its_commit(store: Store) -> None:
    def write_then_look(n: int) -> bool:
        with store.write_together() as conn:
            _put(conn, f"g-{n}")
        return f"g-{n}" in _names(store)  # another connection sees it: committed

    with ThreadPoolExecutor(WRITERS) as pool:
        assert all(pool.map(write_then_look, range(WRITERS * 4)))


def test_a_failing_writer_is_undone_alone(store: Store) -> None:
    def fails(conn: Connection) -> None:
        _put(conn, "g-failed")
        raise RuntimeError("this writer fails")

    results = _queued(store.group, lambda c: _put(c, "g-first"), [fails, lambda c: _put(c, "g-last")])
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], RuntimeError)
    assert _names(store) == {"g-first", "g-last"}


def test_a_writer_whose_statement_fails_is_undone_alone(store: Store) -> None:
    def duplicate(conn: Connection) -> None:
        _put(conn, "g-first")  # the first writer's key: a constraint violation in the shared transaction

    results = _queued(store.group, lambda c: _put(c, "g-first"), [duplicate, lambda c: _put(c, "g-last")])
    assert results[0] is None and results[2] is None
    assert results[1] is not None
    assert _names(store) == {"g-first", "g-last"}


def test_a_failing_first_writer_is_rolled_back(store: Store) -> None:
    def fails(conn: Connection) -> None:
        _put(conn, "g-failed")
        raise RuntimeError("the first writer fails")

    results = _queued(store.group, fails, [lambda c: _put(c, "g-next")])
    assert isinstance(results[0], RuntimeError) and results[1] is None
    assert _names(store) == {"g-next"}


def test_a_lone_writer_runs_a_plain_transaction(store: Store) -> None:
    seen = _statements(store)
    with store.write_together() as conn:
        _put(conn, "g-alone")
    assert not [s for s in seen if "SAVEPOINT" in s.upper()]
    assert seen[-1] == "COMMIT"
    assert _names(store) == {"g-alone"}


def test_issuances_in_one_batch_get_distinct_indexes(
    store: Store, citizen_factory: Callable[..., Any]
) -> None:
    from civid.issuer.storage import StatusPurpose
    from tests.issuer.test_storage_credentials import issue

    person = citizen_factory(1)
    store.citizens.add_many([person])
    store.status_lists.create(StatusPurpose.REVOCATION, size=64)
    store.status_lists.create(StatusPurpose.SUSPENSION, size=64)
    blocks = [
        lambda c, n=n: issue(store, person.national_id, c, f"urn:uuid:g-{n}-{datetime.now(UTC).timestamp()}")
        for n in range(WRITERS)
    ]
    assert _queued(store.group, blocks[0], blocks[1:]) == [None] * WRITERS
    records = store.credentials.for_citizen(person.national_id)
    refs = [r.revocation for r in records] + [r.suspension for r in records]
    assert len(records) == WRITERS and len(set(refs)) == 2 * WRITERS


@pytest.fixture(autouse=True)
def _fresh_group(store: Store) -> None:
    assert store.group._open is None
