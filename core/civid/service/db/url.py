"""Database URLs: a data directory means its SQLite file; ``postgresql://`` gets the psycopg 3 driver."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from civid.core.errors import CividError, ErrorCode

POSTGRES_DRIVER = "postgresql+psycopg"
_ACCEPTED = frozenset({POSTGRES_DRIVER, "sqlite", "sqlite+pysqlite"})


def database_url(target: str | Path, *, sqlite_file: str) -> URL:
    """The SQLAlchemy URL for a database URL, or for a data directory (created) → ``sqlite_file`` in it.

    Raises ``CividError(STORAGE_CONFIG)`` for a malformed URL or a database other than SQLite or
    PostgreSQL.
    """
    if isinstance(target, Path) or "://" not in target:
        directory = Path(target)
        directory.mkdir(parents=True, exist_ok=True)
        return URL.create("sqlite+pysqlite", database=str(directory / sqlite_file))
    try:
        url = make_url(target)
    except ArgumentError as exc:
        raise CividError(ErrorCode.STORAGE_CONFIG, f"not a database URL: {exc}") from exc
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername=POSTGRES_DRIVER)
    if url.drivername in _ACCEPTED:
        return url
    raise CividError(
        ErrorCode.STORAGE_CONFIG, f"unsupported database {url.drivername!r}: use sqlite or postgresql"
    )
