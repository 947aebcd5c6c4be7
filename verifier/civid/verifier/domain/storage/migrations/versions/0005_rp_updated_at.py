"""When each relying party was last changed (existing rows: their revocation, else their registration)

Revision ID: 0005
Revises: 0004
Hand-written; never edit once released, add a new revision.
Create Date: 2026-11-27 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD/DROP COLUMN on SQLite (DROP COLUMN since SQLite 3.35) and PostgreSQL alike, never a batch
# table rebuild: the foreign keys to relying_parties forbid that inside the migration's transaction.
# So the column stays nullable (making it NOT NULL would need the rebuild); every write fills it.


def upgrade() -> None:
    op.add_column("relying_parties", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE relying_parties SET updated_at = COALESCE(revoked_at, created_at)")


def downgrade() -> None:
    op.drop_column("relying_parties", "updated_at")
