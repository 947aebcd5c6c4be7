"""Tables of the verifier's database (SQLAlchemy Core). Change them only with a new migration."""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

from civid.service.db.columns import UTCDateTime

NAMING: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


relying_parties = Table(
    "relying_parties",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("display_name_en", String(256), nullable=False),
    Column("display_name_th", String(256), nullable=False),
    Column("policy_ids", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column(
        "certificate_sha256", String(64), nullable=True, unique=True
    ),  # unused since 0002: rp_certificates
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("rate_per_s", Float, nullable=True),  # its own token bucket (since 0004); NULL: the defaults
    Column("burst", Float, nullable=True),  # set together with rate_per_s
    # last change: registration, update, key rotation, revocation (since 0005; every write fills it)
    Column("updated_at", UTCDateTime, nullable=True),
)

api_keys = Table(
    "rp_api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),  # public part of the key, for lookup
    Column("rp_id", String(64), ForeignKey("relying_parties.id"), nullable=False, index=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("expires_at", UTCDateTime, nullable=True),  # set when rotated with a grace period
)

rp_certificates = Table(
    "rp_certificates",
    metadata,
    Column("fingerprint", String(64), primary_key=True),  # SHA-256 of the client certificate's DER
    Column("rp_id", String(64), ForeignKey("relying_parties.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(96), primary_key=True),  # the call and its caller ("presentation-request/<rp>")
    Column("request_id", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),  # SHA-256 of the request without its request_id
    Column("answer", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)

presentation_requests = Table(
    "presentation_requests",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("rp_id", String(64), ForeignKey("relying_parties.id"), nullable=False),
    Column("policy_id", String(64), nullable=False),
    Column("nonce", String(128), nullable=False, unique=True),
    Column("domain", String(512), nullable=False),
    Column("requested_claims", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Index("ix_presentation_requests_rp_created", "rp_id", "created_at"),
    Index("ix_presentation_requests_state_expires", "state", "expires_at"),
)

presentation_results = Table(
    "presentation_results",
    metadata,
    Column("request_id", String(64), ForeignKey("presentation_requests.id"), primary_key=True),
    Column("verified", Boolean, nullable=False),
    Column("checks", JSON, nullable=False),
    Column("released_claims", JSON, nullable=False),
    Column("errors", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

registry_revision = Table(
    "registry_revision",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1: one row
    Column("revision", Integer, nullable=False),  # bumped with every revoke, rotate and update
)
