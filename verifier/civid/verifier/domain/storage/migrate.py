"""Apply the verifier's schema migrations at start-up with no alembic.ini: ``migrate(engine)``.

Safe on every start and from several processes at once (a PostgreSQL advisory lock, SQLite's write
lock). The verifier keeps its own version table, so it may share a database with the issuer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from civid.verifier.domain.storage.engine import write

MIGRATIONS: Final = Path(__file__).parent / "migrations"
VERSION_TABLE: Final = "civid_verifier_alembic_version"
_PG_LOCK_ID: Final = 0x63697669_64000002  # "civid" + 2: the verifier's advisory lock


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the database at ``engine`` up to the newest schema."""
    config = alembic_config()
    with write(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
