"""API keys expire (rotation with a grace period); several certificates per relying party; idempotency keys

Revision ID: 0002
Revises: 0001
Hand-written; never edit once released, add a new revision.
Create Date: 2026-11-27 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rp_api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "rp_certificates",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("rp_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rp_id"], ["relying_parties.id"], name=op.f("fk_rp_certificates_rp_id_relying_parties")
        ),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_rp_certificates")),
    )
    with op.batch_alter_table("rp_certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rp_certificates_rp_id"), ["rp_id"], unique=False)
    _copy_certificates()
    # The old column stays (emptied, unused): dropping it means rebuilding relying_parties on SQLite,
    # which its foreign keys forbid inside the migration's transaction.
    op.execute("UPDATE relying_parties SET certificate_sha256 = NULL")

    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=96), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "request_id", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False)


def _copy_certificates() -> None:
    """Each relying party's one certificate fingerprint becomes a row of rp_certificates."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, certificate_sha256 FROM relying_parties WHERE certificate_sha256 IS NOT NULL")
    ).all()
    now = datetime.now(UTC)
    stamp = now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now
    for rp_id, fingerprint in rows:
        bind.execute(
            sa.text("INSERT INTO rp_certificates (fingerprint, rp_id, created_at) VALUES (:f, :r, :c)"),
            {"f": fingerprint, "r": rp_id, "c": stamp},
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_created_at"))
    op.drop_table("idempotency_keys")
    op.execute(
        "UPDATE relying_parties SET certificate_sha256 = (SELECT MIN(fingerprint) FROM rp_certificates "
        "WHERE rp_certificates.rp_id = relying_parties.id)"
    )
    with op.batch_alter_table("rp_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rp_certificates_rp_id"))
    op.drop_table("rp_certificates")
    with op.batch_alter_table("rp_api_keys", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
