"""JSON Schemas of civid's credential types and the validator over them."""

from civid.core.schemas.schemas import (
    APPOINTMENT_TICKET_V1,
    BIRTH_RECORD_V1,
    HOUSE_REGISTRATION_V1,
    HOUSEHOLD_REGISTRATION_V1,
    NATIONAL_ID_V1,
    SCHEMA_BY_CREDENTIAL_TYPE,
    known_schema_urls,
    schema_for,
    validate_credential,
)

__all__ = [
    "APPOINTMENT_TICKET_V1",
    "BIRTH_RECORD_V1",
    "HOUSEHOLD_REGISTRATION_V1",
    "HOUSE_REGISTRATION_V1",
    "NATIONAL_ID_V1",
    "SCHEMA_BY_CREDENTIAL_TYPE",
    "known_schema_urls",
    "schema_for",
    "validate_credential",
]
