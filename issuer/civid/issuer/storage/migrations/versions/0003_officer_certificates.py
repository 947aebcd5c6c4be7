"""officers may authenticate with an mTLS client certificate (its SHA-256 fingerprint)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 20:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("officers") as batch:
        batch.add_column(sa.Column("certificate_sha256", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_officers_certificate_sha256"), ["certificate_sha256"])


def downgrade() -> None:
    with op.batch_alter_table("officers") as batch:
        batch.drop_constraint(op.f("uq_officers_certificate_sha256"), type_="unique")
        batch.drop_column("certificate_sha256")
