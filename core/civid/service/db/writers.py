"""Turns for SQLite's single writer among the threads of one process.

SQLite lets one transaction write at a time. A writer that finds the lock taken polls it from
SQLite's busy handler, which sleeps 1, 2, 5, 10, … ms between tries: with several writer threads
most of the waiting is spent asleep after the lock was already free (8 issuing threads managed
fewer credentials per second than one). Threads of one process therefore queue on a lock of their
engine first and begin ``BEGIN IMMEDIATE`` only on their turn; other processes on the same file
still meet at the busy timeout. PostgreSQL writers need no turn (row locks serialise what must be).
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Final

from sqlalchemy import Engine

# one lock per live SQLite engine made by civid.service.db.engine.make_engine (weak: bounded by them)
_TURNS: Final[weakref.WeakKeyDictionary[Engine, threading.Lock]] = weakref.WeakKeyDictionary()
TURN_TIMEOUT_S: Final = 30.0  # as SQLite's busy timeout; past it the writer goes on to meet SQLite's


def take_turns(engine: Engine) -> None:
    """Make the write transactions of ``engine``'s threads take turns (called once, for SQLite)."""
    _TURNS[engine] = threading.Lock()


def wait_for_turn(engine: Engine) -> Callable[[], None]:
    """Wait for the engine's turn (SQLite); the function that ends it, callable from any thread. A
    writer that waited ``TURN_TIMEOUT_S`` in vain (say, a thread nesting write transactions) goes on
    without a turn and meets SQLite's own lock and busy timeout, as before turns."""
    turn = _TURNS.get(engine)
    if turn is None or not turn.acquire(timeout=TURN_TIMEOUT_S):
        return _nothing
    return turn.release


@contextlib.contextmanager
def writer_turn(engine: Engine) -> Iterator[None]:
    """Held for the length of one write transaction (see :func:`wait_for_turn`)."""
    end = wait_for_turn(engine)
    try:
        yield
    finally:
        end()


def _nothing() -> None:
    pass
