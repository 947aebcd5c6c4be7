"""Apply the schema migrations at start-up, with no alembic.ini: ``migrate(engine)``.

Safe to call on every start and from several processes at once: on PostgreSQL an advisory lock
serialises concurrent callers, on SQLite the write lock does; an up-to-date database is left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from civid.issuer.storage.tx import write

MIGRATIONS: Final = Path(__file__).parent / "migrations"
_PG_LOCK_ID: Final = 0x63697669_64000001  # "civid" + 1: our advisory lock number


def alembic_config() -> Config:
    """A programmatic Alembic config pointing at the migrations shipped in this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of the code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the database at ``engine`` up to the newest schema."""
    config = alembic_config()
    with write(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
