"""civid.service.db.migrate: a program's own Alembic scripts, applied once, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from civid.service.db.engine import make_engine
from civid.service.db.migrate import Migrations, current_revision, head_revision, migrate
from civid.service.db.url import database_url as to_url

ENV_PY = """
from sqlalchemy import MetaData

from civid.service.db.alembic_env import run_migrations

run_migrations(MetaData())
"""

REVISION_0001 = """
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.execute("CREATE TABLE runs (n INTEGER NOT NULL)")
    op.execute("INSERT INTO runs (n) VALUES (1)")
"""


@pytest.fixture
def migrations(tmp_path: Path) -> Migrations:
    """A one-revision script folder: creating table ``runs`` and putting one row in it."""
    scripts = tmp_path / "migrations"
    (scripts / "versions").mkdir(parents=True)
    (scripts / "env.py").write_text(ENV_PY, encoding="utf-8")
    (scripts / "versions" / "0001_runs.py").write_text(REVISION_0001, encoding="utf-8")
    return Migrations(scripts=scripts, lock_id=0x63697669_640000FF, version_table="test_program_version")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:  # database_url: tests/issuer/db_fixtures.py
    opened = make_engine(to_url(database_url, sqlite_file="unused.db"))
    yield opened
    opened.dispose()


def test_an_empty_database_has_no_revision(engine: Engine, migrations: Migrations) -> None:
    assert current_revision(engine, migrations) is None


def test_migrations_run_once_however_often_migrate_is_called(engine: Engine, migrations: Migrations) -> None:
    migrate(engine, migrations)
    migrate(engine, migrations)

    assert current_revision(engine, migrations) == head_revision(migrations) == "0001"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM runs").scalar() == 1


def test_the_revision_is_kept_in_the_programs_own_version_table(
    engine: Engine, migrations: Migrations
) -> None:
    migrate(engine, migrations)

    tables = set(inspect(engine).get_table_names())
    assert "test_program_version" in tables
    assert "alembic_version" not in tables
