"""Alembic environment: runs on the connection that ``civid.verifier.domain.storage.migrate`` hands over."""

from civid.service.db.alembic_env import run_migrations
from civid.verifier.domain.storage.schema import metadata

run_migrations(metadata)
