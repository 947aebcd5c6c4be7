"""The compact request string of the proto: ``civid-pr:v1:<presentation_request_id>@<host:port>``.

The domain's base64url form (:mod:`civid.verifier.domain.request_codec`) is accepted too when read.
"""

from __future__ import annotations

import re
from typing import Final

from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.request_codec import PREFIX, RequestReference, decode_request

_COMPACT: Final = re.compile(
    r"^civid-pr:v1:([A-Za-z0-9_-]{8,64})@((?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):[0-9]{1,5})$"
)


def encode_compact(request_id: str, address: str) -> str:
    return f"{PREFIX}{request_id}@{address}"


def decode_compact(text: str) -> RequestReference:
    """The request id and verifier address; INVALID_REQUEST_STRING when it is neither form."""
    match = _COMPACT.match(text.strip())
    if match is not None:
        return RequestReference(match.group(2), match.group(1))
    if "@" in text:
        raise DomainError(
            DomainErrorCode.INVALID_REQUEST_STRING,
            "not a compact request string (civid-pr:v1:<request id>@<host:port>)",
        )
    return decode_request(text)
