"""Hot statements compiled once per dialect and run on the driver's own cursor.

SQLAlchemy spends ~50-100 µs of CPU on each ``Connection.execute`` (cache key, execution context,
result wrapping); SQLite runs an issuance's small statements in ~5 µs each, so on SQLite most of
an issuance's storage time was that machinery. A :class:`Prepared` statement is a Core statement
compiled by SQLAlchemy once per dialect and run with the very SQL text and the very bind processors
(``UTCDateTime``, booleans) that ``Connection.execute`` would use, inside the caller's transaction
(the same DBAPI connection). Driver errors come out as SQLAlchemy's exception classes (a broken
connection is invalidated as ``Connection.execute`` would). Only for statements whose result columns
need no result processing (integers, strings): checked when compiled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # parameter names in order for a positional paramstyle (SQLite)
    defaults: Mapping[str, Any]  # values SQLAlchemy bound itself (the 1 of ``allocated + 1``)
    processors: Mapping[str, Callable[[Any], Any]]


class Prepared:
    """``statement`` run on the driver's cursor; ``column_keys`` as for an ``INSERT`` given values."""

    def __init__(self, statement: Executable, column_keys: tuple[str, ...] | None = None) -> None:
        self._statement = statement
        self._column_keys = column_keys
        self._lock = threading.Lock()
        self._compiled: dict[str, _Compiled] = {}  # dialect name -> compiled (one or two entries)

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row the statement returns (or None)."""
        compiled = self._compiled.get(conn.dialect.name) or self._compile(conn.dialect)
        values = dict(compiled.defaults)
        values.update(params)
        for name, process in compiled.processors.items():
            values[name] = process(values[name])
        bound: Any = values if compiled.order is None else tuple(values[n] for n in compiled.order)
        dbapi_connection = conn.connection.dbapi_connection
        assert dbapi_connection is not None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, bound)
            row = cursor.fetchone()
        except conn.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(conn, compiled.sql, bound, exc, cursor) from exc
        finally:
            cursor.close()
        return None if row is None else tuple(row)

    def _compile(self, dialect: Dialect) -> _Compiled:
        with self._lock:
            compiled = self._compiled.get(dialect.name)
            if compiled is None:
                compiled = _compile(self._statement, dialect, self._column_keys)
                self._compiled[dialect.name] = compiled
            return compiled


def _compile(statement: Executable, dialect: Dialect, column_keys: tuple[str, ...] | None) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=list(column_keys or ()) or None)  # type: ignore[attr-defined]
    assert isinstance(compiled, SQLCompiler)
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("a prepared statement takes plain parameters only (no IN lists)")
    for column in compiled._result_columns:
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
            raise ValueError(f"result column {column.name!r} needs processing: use Connection.execute")
    defaults = {name: value for name, value in compiled.params.items() if value is not None}
    processors = {}
    for name in compiled.params:
        process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
    return _Compiled(compiled.string, order, defaults, processors)


def _wrapped(conn: Connection, sql: str, params: Any, exc: Any, cursor: Any) -> DBAPIError:
    """The SQLAlchemy exception ``Connection.execute`` raises for ``exc`` (invalidating the connection
    when the driver says it is gone)."""
    dialect = conn.dialect
    gone = dialect.is_disconnect(exc, conn.connection.dbapi_connection, cursor)
    if gone:
        conn.invalidate(exc)
    wrapped = DBAPIError.instance(
        sql, params, exc, dialect.loaded_dbapi.Error, connection_invalidated=gone, dialect=dialect
    )
    assert isinstance(wrapped, DBAPIError)
    return wrapped
