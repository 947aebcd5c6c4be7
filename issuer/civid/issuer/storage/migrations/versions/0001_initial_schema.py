"""initial schema

Revision ID: 0001
Revises:
Hand-checked after autogenerate; never edit once released, add a new revision.
Create Date: 2026-11-26 19:49:28.609318
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
        "appointment_slots",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("office", sa.String(length=256), nullable=False),
        sa.Column("service", sa.String(length=128), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name=op.f("ck_appointment_slots_booked")),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_appointment_slots_capacity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_slots")),
        sa.UniqueConstraint(
            "office", "service", "starts_at", name=op.f("uq_appointment_slots_office_service_starts_at")
        ),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=256), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_audit_log_seq")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_index(op.f("ix_audit_log_subject"), "audit_log", ["subject"], unique=False)

    op.create_table(
        "citizens",
        sa.Column("national_id", sa.String(length=13), nullable=False),
        sa.Column("laser_code", sa.String(length=14), nullable=False),
        sa.Column("title_th", sa.String(length=64), nullable=False),
        sa.Column("given_th", sa.String(length=128), nullable=False),
        sa.Column("family_th", sa.String(length=128), nullable=False),
        sa.Column("title_en", sa.String(length=64), nullable=False),
        sa.Column("given_en", sa.String(length=128), nullable=False),
        sa.Column("family_en", sa.String(length=128), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("religion", sa.String(length=64), nullable=False),
        sa.Column("house_number", sa.String(length=32), nullable=False),
        sa.Column("moo", sa.String(length=8), nullable=True),
        sa.Column("soi", sa.String(length=128), nullable=True),
        sa.Column("road", sa.String(length=128), nullable=True),
        sa.Column("sub_district", sa.String(length=128), nullable=False),
        sa.Column("district", sa.String(length=128), nullable=False),
        sa.Column("province", sa.String(length=128), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("house_code", sa.String(length=11), nullable=False),
        sa.Column("card_issued", sa.Date(), nullable=False),
        sa.Column("card_expires", sa.Date(), nullable=False),
        sa.Column("issuing_office", sa.String(length=256), nullable=False),
        sa.Column("photo_jpeg", sa.LargeBinary(), nullable=False),
        sa.Column("face_template_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sex IN ('male', 'female')", name=op.f("ck_citizens_sex")),
        sa.CheckConstraint("card_issued < card_expires", name=op.f("ck_citizens_card_dates")),
        sa.CheckConstraint("length(national_id) = 13", name=op.f("ck_citizens_national_id_length")),
        sa.PrimaryKeyConstraint("national_id", name=op.f("pk_citizens")),
    )
    op.create_index(op.f("ix_citizens_house_code"), "citizens", ["house_code"], unique=False)

    op.create_table(
        "enrollment_attempts",
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_enrollment_attempts_failures")),
        sa.PrimaryKeyConstraint("subject_key", "day", name=op.f("pk_enrollment_attempts")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"], unique=False)

    op.create_table(
        "issuer_keys",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=128), nullable=False),
        sa.Column("sealed_secret", sa.LargeBinary(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuer_keys")),
        sa.UniqueConstraint("public_key_multibase", name=op.f("uq_issuer_keys_public_key_multibase")),
    )
    op.create_index(
        "uq_issuer_keys_one_active",
        "issuer_keys",
        ["active"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )

    op.create_table(
        "officers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
        sa.UniqueConstraint("public_key_multibase", name=op.f("uq_officers_public_key_multibase")),
    )
    op.create_table(
        "settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_settings")),
    )
    op.create_table(
        "status_lists",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("bitstring", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("purpose IN ('revocation', 'suspension')", name=op.f("ck_status_lists_purpose")),
        sa.CheckConstraint("allocated >= 0 AND allocated <= size", name=op.f("ck_status_lists_allocated")),
        sa.CheckConstraint("size > 0 AND size % 8 = 0", name=op.f("ck_status_lists_size")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_status_lists_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lists")),
    )
    op.create_index(
        "ix_status_lists_purpose_created_at", "status_lists", ["purpose", "created_at"], unique=False
    )

    op.create_table(
        "credentials",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("national_id", sa.String(length=13), nullable=False),
        sa.Column("holder_did", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("revocation_list_id", sa.String(length=64), nullable=True),
        sa.Column("revocation_index", sa.Integer(), nullable=True),
        sa.Column("suspension_list_id", sa.String(length=64), nullable=True),
        sa.Column("suspension_index", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("revoked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("suspended", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("state IN ('active', 'superseded')", name=op.f("ck_credentials_state")),
        sa.ForeignKeyConstraint(
            ["national_id"], ["citizens.national_id"], name=op.f("fk_credentials_national_id_citizens")
        ),
        sa.ForeignKeyConstraint(
            ["revocation_list_id"],
            ["status_lists.id"],
            name=op.f("fk_credentials_revocation_list_id_status_lists"),
        ),
        sa.ForeignKeyConstraint(
            ["suspension_list_id"],
            ["status_lists.id"],
            name=op.f("fk_credentials_suspension_list_id_status_lists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint(
            "revocation_list_id",
            "revocation_index",
            name=op.f("uq_credentials_revocation_list_id_revocation_index"),
        ),
        sa.UniqueConstraint(
            "suspension_list_id",
            "suspension_index",
            name=op.f("uq_credentials_suspension_list_id_suspension_index"),
        ),
    )
    op.create_index("ix_credentials_holder_did", "credentials", ["holder_did"], unique=False)
    op.create_index(
        "ix_credentials_national_id_type_state", "credentials", ["national_id", "type", "state"], unique=False
    )

    op.create_table(
        "enrollment_locks",
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unlocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unlocked_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["unlocked_by"], ["officers.id"], name=op.f("fk_enrollment_locks_unlocked_by_officers")
        ),
        sa.PrimaryKeyConstraint("subject_key", name=op.f("pk_enrollment_locks")),
    )
    op.create_table(
        "houses",
        sa.Column("house_code", sa.String(length=11), nullable=False),
        sa.Column("house_number", sa.String(length=32), nullable=False),
        sa.Column("moo", sa.String(length=8), nullable=True),
        sa.Column("village", sa.String(length=128), nullable=True),
        sa.Column("soi", sa.String(length=128), nullable=True),
        sa.Column("road", sa.String(length=128), nullable=True),
        sa.Column("sub_district", sa.String(length=128), nullable=False),
        sa.Column("district", sa.String(length=128), nullable=False),
        sa.Column("province", sa.String(length=128), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("owner_national_id", sa.String(length=13), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_national_id"], ["citizens.national_id"], name=op.f("fk_houses_owner_national_id_citizens")
        ),
        sa.PrimaryKeyConstraint("house_code", name=op.f("pk_houses")),
        sa.UniqueConstraint(
            "province",
            "district",
            "sub_district",
            "moo",
            "house_number",
            name=op.f("uq_houses_province_district_sub_district_moo_house_number"),
        ),
    )
    op.create_index(op.f("ix_houses_owner_national_id"), "houses", ["owner_national_id"], unique=False)

    op.create_table(
        "status_list_allocations",
        sa.Column("list_id", sa.String(length=64), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("allocated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("idx >= 0", name=op.f("ck_status_list_allocations_idx")),
        sa.ForeignKeyConstraint(
            ["list_id"], ["status_lists.id"], name=op.f("fk_status_list_allocations_list_id_status_lists")
        ),
        sa.PrimaryKeyConstraint("list_id", "idx", name=op.f("pk_status_list_allocations")),
    )
    op.create_table(
        "address_change_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("requester_national_id", sa.String(length=13), nullable=False),
        sa.Column("house_code", sa.String(length=11), nullable=False),
        sa.Column("owner_national_id", sa.String(length=13), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_signature", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'consented', 'refused', 'cancelled', 'expired', 'completed')",
            name=op.f("ck_address_change_requests_state"),
        ),
        sa.ForeignKeyConstraint(
            ["house_code"], ["houses.house_code"], name=op.f("fk_address_change_requests_house_code_houses")
        ),
        sa.ForeignKeyConstraint(
            ["owner_national_id"],
            ["citizens.national_id"],
            name=op.f("fk_address_change_requests_owner_national_id_citizens"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_national_id"],
            ["citizens.national_id"],
            name=op.f("fk_address_change_requests_requester_national_id_citizens"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_change_requests")),
    )
    op.create_index(
        "ix_address_change_requests_owner_state",
        "address_change_requests",
        ["owner_national_id", "state"],
        unique=False,
    )
    op.create_index(
        "uq_address_change_requests_one_pending",
        "address_change_requests",
        ["requester_national_id"],
        unique=True,
        sqlite_where=sa.text("state = 'pending'"),
        postgresql_where=sa.text("state = 'pending'"),
    )

    op.create_table(
        "appointments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("slot_id", sa.String(length=64), nullable=False),
        sa.Column("national_id", sa.String(length=13), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credential_id", sa.String(length=128), nullable=True),
        sa.CheckConstraint("state IN ('booked', 'cancelled')", name=op.f("ck_appointments_state")),
        sa.ForeignKeyConstraint(
            ["credential_id"], ["credentials.id"], name=op.f("fk_appointments_credential_id_credentials")
        ),
        sa.ForeignKeyConstraint(
            ["national_id"], ["citizens.national_id"], name=op.f("fk_appointments_national_id_citizens")
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["appointment_slots.id"], name=op.f("fk_appointments_slot_id_appointment_slots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index("ix_appointments_national_id", "appointments", ["national_id"], unique=False)
    op.create_index(
        "uq_appointments_one_booking",
        "appointments",
        ["slot_id", "national_id"],
        unique=True,
        sqlite_where=sa.text("state = 'booked'"),
        postgresql_where=sa.text("state = 'booked'"),
    )

    op.create_table(
        "certified_copies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("national_id", sa.String(length=13), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("credential_id", sa.String(length=128), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('household_registration', 'birth_record')", name=op.f("ck_certified_copies_kind")
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"], ["credentials.id"], name=op.f("fk_certified_copies_credential_id_credentials")
        ),
        sa.ForeignKeyConstraint(
            ["national_id"], ["citizens.national_id"], name=op.f("fk_certified_copies_national_id_citizens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certified_copies")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_certified_copies_credential_id")),
    )
    op.create_index(
        op.f("ix_certified_copies_national_id"), "certified_copies", ["national_id"], unique=False
    )

    op.create_table(
        "enrollments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("national_id", sa.String(length=13), nullable=True),
        sa.Column("holder_did", sa.Text(), nullable=False),
        sa.Column("challenge", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credential_id", sa.String(length=128), nullable=True),
        sa.CheckConstraint(
            "state IN ('challenged', 'key_proven', 'issued', 'failed', 'expired')",
            name=op.f("ck_enrollments_state"),
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"], ["credentials.id"], name=op.f("fk_enrollments_credential_id_credentials")
        ),
        sa.ForeignKeyConstraint(
            ["national_id"], ["citizens.national_id"], name=op.f("fk_enrollments_national_id_citizens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint("challenge", name=op.f("uq_enrollments_challenge")),
    )
    op.create_index(op.f("ix_enrollments_expires_at"), "enrollments", ["expires_at"], unique=False)
    op.create_index(op.f("ix_enrollments_subject_key"), "enrollments", ["subject_key"], unique=False)

    op.create_table(
        "house_number_applications",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("applicant_national_id", sa.String(length=13), nullable=False),
        sa.Column("province", sa.String(length=128), nullable=False),
        sa.Column("district", sa.String(length=128), nullable=False),
        sa.Column("sub_district", sa.String(length=128), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("moo", sa.String(length=8), nullable=True),
        sa.Column("village", sa.String(length=128), nullable=True),
        sa.Column("location", sa.String(length=128), nullable=False),
        sa.Column("plot", sa.String(length=128), nullable=False),
        sa.Column("building_permit_no", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("officer_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("house_code", sa.String(length=11), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'rejected')", name=op.f("ck_house_number_applications_state")
        ),
        sa.ForeignKeyConstraint(
            ["applicant_national_id"],
            ["citizens.national_id"],
            name=op.f("fk_house_number_applications_applicant_national_id_citizens"),
        ),
        sa.ForeignKeyConstraint(
            ["house_code"], ["houses.house_code"], name=op.f("fk_house_number_applications_house_code_houses")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_house_number_applications_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_house_number_applications")),
    )
    op.create_index(
        "ix_house_number_applications_applicant",
        "house_number_applications",
        ["applicant_national_id"],
        unique=False,
    )
    op.create_index(
        "ix_house_number_applications_state_created_at",
        "house_number_applications",
        ["state", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_house_number_applications_state_created_at", table_name="house_number_applications")
    op.drop_index("ix_house_number_applications_applicant", table_name="house_number_applications")

    op.drop_table("house_number_applications")
    op.drop_index(op.f("ix_enrollments_subject_key"), table_name="enrollments")
    op.drop_index(op.f("ix_enrollments_expires_at"), table_name="enrollments")

    op.drop_table("enrollments")
    op.drop_index(op.f("ix_certified_copies_national_id"), table_name="certified_copies")

    op.drop_table("certified_copies")
    op.drop_index(
        "uq_appointments_one_booking",
        sqlite_where=sa.text("state = 'booked'"),
        postgresql_where=sa.text("state = 'booked'"),
        table_name="appointments",
    )
    op.drop_index("ix_appointments_national_id", table_name="appointments")

    op.drop_table("appointments")
    op.drop_index(
        "uq_address_change_requests_one_pending",
        sqlite_where=sa.text("state = 'pending'"),
        postgresql_where=sa.text("state = 'pending'"),
        table_name="address_change_requests",
    )
    op.drop_index("ix_address_change_requests_owner_state", table_name="address_change_requests")

    op.drop_table("address_change_requests")
    op.drop_table("status_list_allocations")
    op.drop_index(op.f("ix_houses_owner_national_id"), table_name="houses")

    op.drop_table("houses")
    op.drop_table("enrollment_locks")
    op.drop_index("ix_credentials_national_id_type_state", table_name="credentials")
    op.drop_index("ix_credentials_holder_did", table_name="credentials")

    op.drop_table("credentials")
    op.drop_index("ix_status_lists_purpose_created_at", table_name="status_lists")

    op.drop_table("status_lists")
    op.drop_table("settings")
    op.drop_table("officers")
    op.drop_index(
        "uq_issuer_keys_one_active",
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
        table_name="issuer_keys",
    )

    op.drop_table("issuer_keys")
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")

    op.drop_table("idempotency_keys")
    op.drop_table("enrollment_attempts")
    op.drop_index(op.f("ix_citizens_house_code"), table_name="citizens")

    op.drop_table("citizens")
    op.drop_index(op.f("ix_audit_log_subject"), table_name="audit_log")

    op.drop_table("audit_log")
    op.drop_table("audit_head")
    op.drop_table("appointment_slots")
