"""Apply a program's Alembic migrations at start-up, with no alembic.ini: ``migrate(engine, migrations)``.

Safe to call on every start and from several processes at once: on PostgreSQL an advisory lock
serialises concurrent callers, on SQLite the write lock does; an up-to-date database is left alone.
Each program has its own script folder, version table and lock, so programs may share a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from civid.service.db.tx import write

DEFAULT_VERSION_TABLE: Final = "alembic_version"
CONNECTION: Final = "connection"  # Config.attributes keys read by civid.service.db.alembic_env
VERSION_TABLE: Final = "version_table"


@dataclass(frozen=True)
class Migrations:
    """One program's migrations: the script folder (``env.py``, ``versions/``), its version table and
    its PostgreSQL advisory lock number."""

    scripts: Path
    lock_id: int
    version_table: str = DEFAULT_VERSION_TABLE


def alembic_config(migrations: Migrations) -> Config:
    """A programmatic Alembic config for ``migrations``; put a connection in ``attributes["connection"]``."""
    config = Config()
    config.set_main_option("script_location", str(migrations.scripts))
    config.attributes[VERSION_TABLE] = migrations.version_table
    return config


def head_revision(migrations: Migrations) -> str:
    """The newest revision in the script folder."""
    head = ScriptDirectory.from_config(alembic_config(migrations)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine, migrations: Migrations) -> str | None:
    """The revision the database is at (None before the first migration)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": migrations.version_table})
        return context.get_current_revision()


def migrate(engine: Engine, migrations: Migrations) -> None:
    """Bring the database at ``engine`` up to the newest revision of ``migrations``."""
    config = alembic_config(migrations)
    with write(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({migrations.lock_id})")
        config.attributes[CONNECTION] = conn
        command.upgrade(config, "head")
