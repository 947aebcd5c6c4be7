"""XML Schema dateTime values as VC 2.0 uses them (validFrom, validUntil, created, expires)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from civid.core.errors import CividError, ErrorCode

# xsd:dateTimeStamp — a date-time with a mandatory time-zone offset.
_DATETIME_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def parse_datetime(value: object, field: str) -> datetime:
    """Parse an xsd:dateTimeStamp; anything else raises INVALID_DATETIME naming the field."""
    if not isinstance(value, str) or not _DATETIME_STAMP.match(value):
        raise CividError(
            ErrorCode.INVALID_DATETIME,
            f"{field} must be an XML Schema dateTime with a time zone, got {value!r}",
        )
    text = value
    fraction = re.search(r"\.(\d+)", text) if "." in text else None
    if fraction and len(fraction.group(1)) > 6:  # Python keeps microseconds only
        text = text.replace(fraction.group(0), "." + fraction.group(1)[:6])
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CividError(ErrorCode.INVALID_DATETIME, f"{field} is not a valid date-time: {exc}") from exc


def format_datetime(moment: datetime) -> str:
    """Format as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (seconds precision, the form most verifiers expect)."""
    if moment.tzinfo is None:
        raise ValueError("a date-time without a time zone cannot be formatted")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> datetime:
    return datetime.now(UTC)
