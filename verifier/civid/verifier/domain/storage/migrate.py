"""The verifier's schema migrations (``migrations/``), applied at start-up by
:mod:`civid.service.db.migrate`: ``migrate(engine)``.

The verifier keeps its own version table and advisory lock, so it may share a database with the issuer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from alembic.config import Config
from sqlalchemy import Engine

from civid.service.db import migrate as db_migrate

VERSION_TABLE: Final = "civid_verifier_alembic_version"
MIGRATIONS: Final = db_migrate.Migrations(
    scripts=Path(__file__).parent / "migrations",
    lock_id=0x63697669_64000002,  # "civid" + 2: the verifier's advisory lock
    version_table=VERSION_TABLE,
)


def alembic_config() -> Config:
    """The Alembic config for the verifier's migrations (tests step through revisions with it)."""
    return db_migrate.alembic_config(MIGRATIONS)


def current_revision(engine: Engine) -> str | None:
    return db_migrate.current_revision(engine, MIGRATIONS)


def migrate(engine: Engine) -> None:
    """Bring the database at ``engine`` up to the newest schema."""
    db_migrate.migrate(engine, MIGRATIONS)
