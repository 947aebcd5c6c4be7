"""The issuer's database engine: SQLite ``issuer.db`` in the data directory, or PostgreSQL by URL.

The engine set-up itself (WAL, busy timeout, ``BEGIN IMMEDIATE`` writers, psycopg 3) is
:mod:`civid.service.db.engine`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from civid.service.db import engine as db_engine
from civid.service.db import url as db_url

SQLITE_FILE_NAME: Final = "issuer.db"


def database_url(target: str | Path) -> URL:
    """The SQLAlchemy URL for a database URL or a data directory (→ its ``issuer.db``)."""
    return db_url.database_url(target, sqlite_file=SQLITE_FILE_NAME)


def make_engine(target: str | Path) -> Engine:
    """An engine for ``target`` (a URL or a data directory)."""
    return db_engine.make_engine(database_url(target))
