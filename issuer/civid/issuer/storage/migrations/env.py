"""Alembic environment: runs on the connection that :func:`civid.issuer.storage.migrate` hands over."""

from civid.issuer.storage.schema import metadata
from civid.service.db.alembic_env import run_migrations

run_migrations(metadata)
