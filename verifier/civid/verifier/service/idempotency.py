"""Helpers of the doors for idempotency keys (the keys themselves live in the database: domain.idempotency)."""

from __future__ import annotations

import hashlib
import re
from typing import Final

from google.protobuf.message import Message

from civid.verifier.service.errors import field_invalid

_REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_request_id(request_id: str) -> None:
    """FIELD_INVALID unless empty (no idempotency) or 1 to 64 characters of A-Z a-z 0-9 - _."""
    if request_id and not _REQUEST_ID.match(request_id):
        raise field_invalid("request_id", "request_id must be 1 to 64 characters of A-Z a-z 0-9 - _")


def fingerprint(request: Message) -> str:
    """SHA-256 of the request's deterministic encoding without its ``request_id``: its content."""
    content = type(request)()
    content.CopyFrom(request)
    content.ClearField("request_id")
    return hashlib.sha256(content.SerializeToString(deterministic=True)).hexdigest()
