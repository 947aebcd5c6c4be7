"""Field checks shared by the enrollment and officer flows (each failure names its field)."""

from __future__ import annotations

import re
from typing import Final

from civid.core.did.key import public_key_of_did_key
from civid.core.errors import CividError, ErrorCode
from civid.issuer.domain.errors import IssuerFailure, field_invalid
from civid.issuer.registry.laser_code import parse_laser_code
from civid.issuer.registry.national_id import parse_national_id

_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_REASON: Final = 500


def national_id(value: str, field: str = "national_id") -> str:
    try:
        return parse_national_id(value)
    except CividError as exc:
        raise IssuerFailure(ErrorCode.INVALID_NATIONAL_ID, exc.message, {"field": field}, field) from exc


def laser_code(value: str, field: str = "laser_code") -> str:
    try:
        return parse_laser_code(value)
    except CividError as exc:
        raise IssuerFailure(ErrorCode.INVALID_LASER_CODE, exc.message, {"field": field}, field) from exc


def holder_did(value: str, field: str = "holder_did") -> str:
    try:
        public_key_of_did_key(value)
    except CividError as exc:
        raise IssuerFailure(ErrorCode.INVALID_DID, exc.message, {"field": field}, field) from exc
    return value


def request_id(value: str, field: str = "request_id") -> str:
    if not _REQUEST_ID.fullmatch(value):
        raise field_invalid(field, "1 to 64 characters of [A-Za-z0-9-_]")
    return value


def required_text(value: str, field: str, limit: int = MAX_REASON) -> str:
    if not value.strip():
        raise field_invalid(field, "is required")
    if len(value) > limit:
        raise field_invalid(field, f"at most {limit} characters")
    return value


def image_size(data: bytes, limit: int, field: str) -> bytes:
    if len(data) > limit:
        raise IssuerFailure(
            ErrorCode.IMAGE_TOO_LARGE,
            f"{field} is {len(data)} bytes; the limit is {limit} bytes",
            {"field": field, "limit_bytes": str(limit)},
            field,
        )
    return data
