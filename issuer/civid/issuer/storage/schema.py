"""The issuer database: every table, constraint and index, as SQLAlchemy Core ``Table``s.

Migrations (``migrations/versions``) create exactly this schema; ``test_storage_migrations`` checks that
they agree. National IDs are the 13 bare digits. Times are UTC (:class:`UTCDateTime`).
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from civid.service.db.columns import UTCDateTime

NAMING: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: Final = MetaData(naming_convention=NAMING)

NID: Final = 13  # national ID length
HOUSE_CODE: Final = 11
ID: Final = 64  # our own record ids (uuid4 hex or urn:uuid:...)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _where(condition: str) -> dict[str, Any]:
    """A partial-index predicate for both engines."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


settings: Final = Table(
    "settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

citizens: Final = Table(
    "citizens",
    metadata,
    Column("national_id", String(NID), primary_key=True),
    Column("laser_code", String(14), nullable=False),
    Column("title_th", String(64), nullable=False),
    Column("given_th", String(128), nullable=False),
    Column("family_th", String(128), nullable=False),
    Column("title_en", String(64), nullable=False),
    Column("given_en", String(128), nullable=False),
    Column("family_en", String(128), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", String(6), nullable=False),
    Column("religion", String(64), nullable=False),
    Column("house_number", String(32), nullable=False),
    Column("moo", String(8)),
    Column("soi", String(128)),
    Column("road", String(128)),
    Column("sub_district", String(128), nullable=False),
    Column("district", String(128), nullable=False),
    Column("province", String(128), nullable=False),
    Column("postal_code", String(5), nullable=False),
    Column("house_code", String(HOUSE_CODE), nullable=False, index=True),
    Column("card_issued", Date, nullable=False),
    Column("card_expires", Date, nullable=False),
    Column("issuing_office", String(256), nullable=False),
    Column("photo_jpeg", LargeBinary, nullable=False),
    Column("face_template_sealed", LargeBinary),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("length(national_id) = 13", name="national_id_length"),
    CheckConstraint(_in("sex", ("male", "female")), name="sex"),
    CheckConstraint("card_issued < card_expires", name="card_dates"),
)

houses: Final = Table(
    "houses",
    metadata,
    Column("house_code", String(HOUSE_CODE), primary_key=True),
    Column("house_number", String(32), nullable=False),
    Column("moo", String(8)),
    Column("village", String(128)),
    Column("soi", String(128)),
    Column("road", String(128)),
    Column("sub_district", String(128), nullable=False),
    Column("district", String(128), nullable=False),
    Column("province", String(128), nullable=False),
    Column("postal_code", String(5), nullable=False),
    Column("owner_national_id", String(NID), ForeignKey("citizens.national_id"), index=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("province", "district", "sub_district", "moo", "house_number"),
)

officers: Final = Table(
    "officers",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("public_key_multibase", String(128), nullable=False, unique=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("deactivated_at", UTCDateTime),
    Column("certificate_sha256", String(64), unique=True),  # mTLS client certificate (hex SHA-256 of DER)
)

issuer_keys: Final = Table(
    "issuer_keys",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("public_key_multibase", String(128), nullable=False, unique=True),
    Column("sealed_secret", LargeBinary, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("retired_at", UTCDateTime),
    Index("uq_issuer_keys_one_active", "active", unique=True, **_where("active")),
)

status_lists: Final = Table(
    "status_lists",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("purpose", String(16), nullable=False),
    Column("size", Integer, nullable=False),
    Column("allocated", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("bitstring", LargeBinary, nullable=False),
    Column("etag", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint(_in("purpose", ("revocation", "suspension")), name="purpose"),
    CheckConstraint("size > 0 AND size % 8 = 0", name="size"),
    CheckConstraint("allocated >= 0 AND allocated <= size", name="allocated"),
    CheckConstraint("version >= 1", name="version"),
    Index("ix_status_lists_purpose_created_at", "purpose", "created_at"),
)

status_list_allocations: Final = Table(
    "status_list_allocations",
    metadata,
    Column("list_id", String(ID), ForeignKey("status_lists.id"), nullable=False),
    Column("idx", Integer, nullable=False),
    Column("allocated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("list_id", "idx"),
    CheckConstraint("idx >= 0", name="idx"),
)

credentials: Final = Table(
    "credentials",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("national_id", String(NID), ForeignKey("citizens.national_id"), nullable=False),
    Column("holder_did", Text, nullable=False),
    Column("type", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("revocation_list_id", String(ID), ForeignKey("status_lists.id")),
    Column("revocation_index", Integer),
    Column("suspension_list_id", String(ID), ForeignKey("status_lists.id")),
    Column("suspension_index", Integer),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("valid_until", UTCDateTime),
    Column("state", String(16), nullable=False),
    Column("revoked", Boolean, nullable=False, server_default=false()),
    Column("suspended", Boolean, nullable=False, server_default=false()),
    Column("status_changed_at", UTCDateTime),
    Column("status_reason", Text),
    CheckConstraint(_in("state", ("active", "superseded")), name="state"),
    UniqueConstraint("revocation_list_id", "revocation_index"),
    UniqueConstraint("suspension_list_id", "suspension_index"),
    Index("ix_credentials_national_id_type_state", "national_id", "type", "state"),
    Index("ix_credentials_holder_did", "holder_did"),
)

idempotency_keys: Final = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("operation", String(64), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("response", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)

enrollments: Final = Table(
    "enrollments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("subject_key", String(64), nullable=False, index=True),
    Column("national_id", String(NID), ForeignKey("citizens.national_id")),
    Column("holder_did", Text, nullable=False),
    Column("challenge", String(128), nullable=False, unique=True),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("credential_id", String(128), ForeignKey("credentials.id")),
    CheckConstraint(_in("state", ("challenged", "key_proven", "issued", "failed", "expired")), name="state"),
)

enrollment_attempts: Final = Table(
    "enrollment_attempts",
    metadata,
    Column("subject_key", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("subject_key", "day"),
    CheckConstraint("failures >= 0", name="failures"),
)

enrollment_locks: Final = Table(
    "enrollment_locks",
    metadata,
    Column("subject_key", String(64), primary_key=True),
    Column("locked_at", UTCDateTime, nullable=False),
    Column("unlocked_at", UTCDateTime),
    Column("unlocked_by", String(ID), ForeignKey("officers.id")),
)

audit_log: Final = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(256), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(256), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    CheckConstraint("seq >= 1", name="seq"),
)

audit_head: Final = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

address_change_requests: Final = Table(
    "address_change_requests",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("requester_national_id", String(NID), ForeignKey("citizens.national_id"), nullable=False),
    Column("house_code", String(HOUSE_CODE), ForeignKey("houses.house_code"), nullable=False),
    Column("owner_national_id", String(NID), ForeignKey("citizens.national_id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("consent_signature", Text),
    Column("reason", Text),
    CheckConstraint(
        _in("state", ("pending", "consented", "refused", "cancelled", "expired", "completed")), name="state"
    ),
    Index("ix_address_change_requests_owner_state", "owner_national_id", "state"),
    Index(
        "uq_address_change_requests_one_pending",
        "requester_national_id",
        unique=True,
        **_where("state = 'pending'"),
    ),
)

house_number_applications: Final = Table(
    "house_number_applications",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("applicant_national_id", String(NID), ForeignKey("citizens.national_id"), nullable=False),
    Column("province", String(128), nullable=False),
    Column("district", String(128), nullable=False),
    Column("sub_district", String(128), nullable=False),
    Column("postal_code", String(5), nullable=False),
    Column("moo", String(8)),
    Column("village", String(128)),
    Column("soi", String(128)),
    Column("road", String(128)),
    Column("location", String(128), nullable=False),
    Column("plot", String(128), nullable=False),
    Column("building_permit_no", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("officer_id", String(ID), ForeignKey("officers.id")),
    Column("reason", Text),
    Column("house_code", String(HOUSE_CODE), ForeignKey("houses.house_code")),
    Column("credential_id", String(128)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    CheckConstraint(_in("state", ("pending", "approved", "rejected", "cancelled")), name="state"),
    Index("ix_house_number_applications_state_created_at", "state", "created_at"),
    Index("ix_house_number_applications_applicant", "applicant_national_id"),
)

house_number_photos: Final = Table(
    "house_number_photos",
    metadata,
    Column("application_id", String(ID), ForeignKey("house_number_applications.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("photo", LargeBinary, nullable=False),
    PrimaryKeyConstraint("application_id", "position"),
)

appointment_slots: Final = Table(
    "appointment_slots",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("office", String(256), nullable=False),
    Column("service", String(128), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("booked", Integer, nullable=False),
    CheckConstraint("capacity >= 0", name="capacity"),
    CheckConstraint("booked >= 0 AND booked <= capacity", name="booked"),
    UniqueConstraint("office", "service", "starts_at"),
)

appointments: Final = Table(
    "appointments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("slot_id", String(ID), ForeignKey("appointment_slots.id"), nullable=False),
    Column("national_id", String(NID), ForeignKey("citizens.national_id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("cancelled_at", UTCDateTime),
    Column("credential_id", String(128), ForeignKey("credentials.id")),
    Column("checked_in_at", UTCDateTime),
    Column("checked_in_by", String(ID)),
    CheckConstraint(_in("state", ("booked", "cancelled", "checked_in")), name="state"),
    Index("ix_appointments_national_id", "national_id"),
    Index("uq_appointments_one_booking", "slot_id", "national_id", unique=True, **_where("state = 'booked'")),
)

certified_copies: Final = Table(
    "certified_copies",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("national_id", String(NID), ForeignKey("citizens.national_id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("credential_id", String(128), ForeignKey("credentials.id"), nullable=False, unique=True),
    Column("issued_at", UTCDateTime, nullable=False),
    CheckConstraint(_in("kind", ("household_registration", "birth_record")), name="kind"),
)
