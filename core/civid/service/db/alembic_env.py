"""The body of a program's Alembic ``env.py``: ``run_migrations(metadata)``.

It runs on the connection and version table that :func:`civid.service.db.migrate.migrate` puts in
the Alembic config; only call it from inside ``env.py``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, MetaData

from civid.service.db.migrate import CONNECTION, DEFAULT_VERSION_TABLE, VERSION_TABLE


def run_migrations(metadata: MetaData) -> None:
    """Run the pending migrations against ``metadata`` (batch mode on SQLite, types compared)."""
    attributes = context.config.attributes
    connection = attributes.get(CONNECTION)
    if not isinstance(connection, Connection):
        raise RuntimeError("run migrations through civid.service.db.migrate.migrate(engine, migrations)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=attributes.get(VERSION_TABLE, DEFAULT_VERSION_TABLE),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
