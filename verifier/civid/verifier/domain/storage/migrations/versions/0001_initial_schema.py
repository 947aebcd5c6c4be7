"""initial schema

Revision ID: 0001
Revises:
Hand-checked after autogenerate; never edit once released, add a new revision.
Create Date: 2026-11-26 19:51:19.669450
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "relying_parties",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("display_name_en", sa.String(length=256), nullable=False),
        sa.Column("display_name_th", sa.String(length=256), nullable=False),
        sa.Column("policy_ids", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("certificate_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relying_parties")),
        sa.UniqueConstraint("certificate_sha256", name=op.f("uq_relying_parties_certificate_sha256")),
    )
    op.create_table(
        "presentation_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("rp_id", sa.String(length=64), nullable=False),
        sa.Column("policy_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("domain", sa.String(length=512), nullable=False),
        sa.Column("requested_claims", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["rp_id"], ["relying_parties.id"], name=op.f("fk_presentation_requests_rp_id_relying_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presentation_requests")),
        sa.UniqueConstraint("nonce", name=op.f("uq_presentation_requests_nonce")),
    )
    with op.batch_alter_table("presentation_requests", schema=None) as batch_op:
        batch_op.create_index("ix_presentation_requests_rp_created", ["rp_id", "created_at"], unique=False)
        batch_op.create_index("ix_presentation_requests_state_expires", ["state", "expires_at"], unique=False)

    op.create_table(
        "rp_api_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("rp_id", sa.String(length=64), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["rp_id"], ["relying_parties.id"], name=op.f("fk_rp_api_keys_rp_id_relying_parties")
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_rp_api_keys")),
    )
    with op.batch_alter_table("rp_api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rp_api_keys_rp_id"), ["rp_id"], unique=False)

    op.create_table(
        "presentation_results",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("released_claims", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["presentation_requests.id"],
            name=op.f("fk_presentation_results_request_id_presentation_requests"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_presentation_results")),
    )


def downgrade() -> None:
    op.drop_table("presentation_results")
    with op.batch_alter_table("rp_api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rp_api_keys_rp_id"))

    op.drop_table("rp_api_keys")
    with op.batch_alter_table("presentation_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_presentation_requests_state_expires")
        batch_op.drop_index("ix_presentation_requests_rp_created")

    op.drop_table("presentation_requests")
    op.drop_table("relying_parties")
