"""The issuer's schema migrations (``migrations/``, version table ``alembic_version``), applied at
start-up by :mod:`civid.service.db.migrate`: ``migrate(engine)``."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from sqlalchemy import Engine

from civid.service.db import migrate as db_migrate

MIGRATIONS: Final = db_migrate.Migrations(
    scripts=Path(__file__).parent / "migrations",
    lock_id=0x63697669_64000001,  # "civid" + 1: the issuer's advisory lock number
)


def head_revision() -> str:
    """The newest migration shipped with this version of the code."""
    return db_migrate.head_revision(MIGRATIONS)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    return db_migrate.current_revision(engine, MIGRATIONS)


def migrate(engine: Engine) -> None:
    """Bring the database at ``engine`` up to the newest schema (safe on every start)."""
    db_migrate.migrate(engine, MIGRATIONS)
