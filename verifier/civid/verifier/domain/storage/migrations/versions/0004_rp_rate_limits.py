"""A rate limit of its own per relying party (NULL: the server's rp_rate_per_s and rp_burst)

Revision ID: 0004
Revises: 0003
Hand-written; never edit once released, add a new revision.
Create Date: 2026-11-27 05:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD/DROP COLUMN on SQLite (DROP COLUMN since SQLite 3.35) and PostgreSQL alike, never a batch
# table rebuild: the foreign keys to relying_parties forbid that inside the migration's transaction.


def upgrade() -> None:
    op.add_column("relying_parties", sa.Column("rate_per_s", sa.Float(), nullable=True))
    op.add_column("relying_parties", sa.Column("burst", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("relying_parties", "burst")
    op.drop_column("relying_parties", "rate_per_s")
