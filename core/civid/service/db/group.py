"""Group commit: the write transactions of concurrent threads committed together, each acknowledged
only once the commit that holds it is done.

On PostgreSQL a commit waits for its WAL flush (0.5-4 ms on the machines measured), and issuances
all update the same status-list counter rows, so concurrent issuers queued on each other's row locks
for a flush apiece: 8 threads issued fewer credentials per second than one. :meth:`GroupCommit.write`
runs the callers' blocks one at a time in one shared transaction, each after the first behind a
SAVEPOINT, and the last caller of a batch (none other waiting, or ``max_batch`` reached) commits it
for all: one flush per batch. Each caller returns from its ``with`` only after that commit, and sees
its error if it failed, so nothing is acknowledged before it is durable. A block that raises is
undone alone (back to its SAVEPOINT; the first block, alone in its batch, by a rollback): its caller
gets its exception at once, the others are unaffected. A lone caller (one thread) thus runs exactly
the statements of a plain write transaction.

A block sees the uncommitted work of the blocks before it in its batch (as later transactions would
once committed); it must not open another ``GroupCommit.write`` of the same group (it would wait for
itself). A batch holds its row locks until its commit, like one longer transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from sqlalchemy import Connection, Engine, RootTransaction

from civid.service.db.engine import WRITE_OPTION
from civid.service.db.writers import wait_for_turn

MAX_BATCH: Final = 16
# One name for every block's SAVEPOINT: ROLLBACK TO goes back to the newest of that name, the block's
# own; none is released (a RELEASE would cost a round trip; they all end with the batch).
_SAVEPOINT: Final = "SAVEPOINT civid_group_member"
_ROLLBACK_TO_SAVEPOINT: Final = "ROLLBACK TO SAVEPOINT civid_group_member"


class _Batch:
    """One shared write transaction and the callers whose blocks it holds."""

    def __init__(self, engine: Engine) -> None:
        self.conn = engine.connect()
        self._end_turn = _nothing
        try:
            self._end_turn = wait_for_turn(engine)  # SQLite: as tx.write, one writer of this process
            self.conn.execution_options(**{WRITE_OPTION: True})
            self._transaction: RootTransaction = self.conn.begin()
        except BaseException:
            self._close()
            raise
        self.members = 0
        self._done = threading.Event()
        self._error: BaseException | None = None

    def finish(self) -> None:
        """Commit (or, with no member left, roll back) and release the waiting members."""
        try:
            if self.members:
                self._transaction.commit()
            else:
                self._transaction.rollback()
        except BaseException as exc:
            self._error = exc
        finally:
            self._close()
            self._done.set()

    def fail(self, error: BaseException | None) -> None:
        """Roll back; the members (if any) get ``error``: their work is lost."""
        self._error = error if error is not None or not self.members else _lost()
        try:
            self._transaction.rollback()
        except BaseException:
            pass  # the connection is gone: the server rolls back
        finally:
            self._close()
            self._done.set()

    def _close(self) -> None:
        try:
            self.conn.close()
        finally:
            self._end_turn()

    def committed(self) -> None:
        """Wait for :meth:`finish`; raise what the commit raised."""
        self._done.wait()
        if self._error is not None:
            raise self._error


class GroupCommit:
    """Write transactions of ``engine`` that may share a commit (see the module)."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._turn = threading.Lock()  # one block at a time: they share one connection
        self._state = threading.Lock()  # guards the two below
        self._open: _Batch | None = None
        self._waiting = 0  # callers waiting for the turn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction that commits with those of other threads; returns once committed."""
        with self._state:
            self._waiting += 1
        self._turn.acquire()
        with self._state:
            self._waiting -= 1
        batch = self._open
        try:
            batch = batch or self._start()
            shared = batch.members > 0  # a first block needs no SAVEPOINT: alone, it can undo all
            if shared:
                batch.conn.exec_driver_sql(_SAVEPOINT)
        except BaseException as exc:
            self._break(batch, exc)
            raise
        try:
            yield batch.conn
        except BaseException:
            self._undo(batch, shared)
            raise
        batch.members += 1
        self._hand_on(batch)
        batch.committed()

    def _start(self) -> _Batch:
        self._open = _Batch(self._engine)
        return self._open

    def _undo(self, batch: _Batch, shared: bool) -> None:
        """A block raised: undo it alone (back to its SAVEPOINT, or the whole batch when it was the
        first) and hand on; if that fails, the batch fails whole."""
        if not shared:
            self._break(batch, None)
            return
        try:
            batch.conn.exec_driver_sql(_ROLLBACK_TO_SAVEPOINT)
        except BaseException as exc:
            self._break(batch, exc)
            return
        self._hand_on(batch)

    def _break(self, batch: _Batch | None, error: BaseException | None) -> None:
        """End ``batch`` with a rollback (its members, if any, get ``error``) and hand on the turn."""
        self._open = None
        self._turn.release()
        if batch is not None:
            batch.fail(error)

    def _hand_on(self, batch: _Batch) -> None:
        """Let the next caller in; the last one of a batch (none waiting, or it is full) commits it."""
        with self._state:
            last = self._waiting == 0 or batch.members >= self._max_batch
            if last:
                self._open = None
        self._turn.release()
        if last:
            batch.finish()


def _nothing() -> None:
    pass


def _lost() -> BaseException:
    return RuntimeError("the group commit's transaction broke before it committed")
