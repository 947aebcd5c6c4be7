"""The verifier's database engine: SQLite ``verifier.db`` in the data directory, or PostgreSQL by URL.

The engine set-up itself (WAL, busy timeout, ``BEGIN IMMEDIATE`` writers, psycopg 3) is
:mod:`civid.service.db.engine`; transactions are :mod:`civid.service.db.tx`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from civid.core.errors import CividError
from civid.service.db import engine as db_engine
from civid.service.db import url as db_url
from civid.verifier.domain.errors import DomainError, DomainErrorCode

SQLITE_FILE_NAME: Final = "verifier.db"
POOL: Final = db_engine.PoolSize(size=10, overflow=20)


def database_url(target: str | Path) -> URL:
    """The URL for a database URL or a data directory (→ its ``verifier.db``); postgres gets psycopg 3."""
    try:
        return db_url.database_url(target, sqlite_file=SQLITE_FILE_NAME)
    except CividError as exc:
        raise DomainError(DomainErrorCode.STORAGE_CONFIG, exc.message) from exc


def make_engine(target: str | Path) -> Engine:
    """An engine for ``target`` (a URL or a data directory)."""
    return db_engine.make_engine(database_url(target), POOL)
