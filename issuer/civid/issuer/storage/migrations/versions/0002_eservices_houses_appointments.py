"""e-services: house-number photos, withdrawal and credential link; appointment check-in

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HN_STATES = ("pending", "approved", "rejected")
_AP_STATES = ("booked", "cancelled")


def _in(values: tuple[str, ...]) -> str:
    return f"state IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("house_number_applications") as batch:
        batch.add_column(sa.Column("soi", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("road", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("credential_id", sa.String(length=128), nullable=True))
        batch.drop_constraint(op.f("ck_house_number_applications_state"), type_="check")
        batch.create_check_constraint(
            op.f("ck_house_number_applications_state"), _in((*_HN_STATES, "cancelled"))
        )
    op.create_table(
        "house_number_photos",
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("photo", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["house_number_applications.id"],
            name=op.f("fk_house_number_photos_application_id_house_number_applications"),
        ),
        sa.PrimaryKeyConstraint("application_id", "position", name=op.f("pk_house_number_photos")),
    )
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("checked_in_by", sa.String(length=64), nullable=True))
        batch.drop_constraint(op.f("ck_appointments_state"), type_="check")
        batch.create_check_constraint(op.f("ck_appointments_state"), _in((*_AP_STATES, "checked_in")))


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.drop_constraint(op.f("ck_appointments_state"), type_="check")
        batch.create_check_constraint(op.f("ck_appointments_state"), _in(_AP_STATES))
        batch.drop_column("checked_in_by")
        batch.drop_column("checked_in_at")
    op.drop_table("house_number_photos")
    with op.batch_alter_table("house_number_applications") as batch:
        batch.drop_constraint(op.f("ck_house_number_applications_state"), type_="check")
        batch.create_check_constraint(op.f("ck_house_number_applications_state"), _in(_HN_STATES))
        batch.drop_column("credential_id")
        batch.drop_column("road")
        batch.drop_column("soi")
