"""The compact, copy-pasteable form of a presentation request, for a QR code or a paste box.

``civid-pr:v1:<base64url without padding of the JCS JSON>`` where the JSON is
``{"verifier": "<host:port>", "request": "<request id>"}``.

The nonce is deliberately *not* in the string: the wallet fetches the full request (nonce, domain,
claims, the relying party's name and purpose) from the verifier with the request id, so what it shows
the citizen comes from the verifier, not from a string anyone could have edited, and a photographed
QR code alone does not carry the challenge. Parsing is strict: unknown members, a non-canonical
encoding or a malformed address are refused with INVALID_REQUEST_STRING.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Final

from civid.core.jcs import canonicalize
from civid.verifier.domain.errors import DomainError, DomainErrorCode

PREFIX: Final = "civid-pr:v1:"
MAX_LENGTH: Final = 1024
_REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_ADDRESS: Final = re.compile(r"^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):[0-9]{1,5}$")
_B64URL: Final = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class RequestReference:
    """Where a presentation request lives: the verifier's address and the request id."""

    verifier: str  # host:port, [ipv6]:port
    request_id: str


def _invalid(message: str) -> DomainError:
    return DomainError(DomainErrorCode.INVALID_REQUEST_STRING, message)


def _check(ref: RequestReference) -> None:
    if not _ADDRESS.match(ref.verifier) or not 0 < int(ref.verifier.rsplit(":", 1)[1]) < 65536:
        raise _invalid(f"the verifier address {ref.verifier!r} is not host:port")
    if not _REQUEST_ID.match(ref.request_id):
        raise _invalid("the request id must be 8 to 64 characters of A-Z a-z 0-9 _ -")


def encode_request(ref: RequestReference) -> str:
    _check(ref)
    payload = canonicalize({"request": ref.request_id, "verifier": ref.verifier})
    return PREFIX + base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")


def decode_request(text: str) -> RequestReference:
    """Parse a compact request string; every defect is INVALID_REQUEST_STRING naming it."""
    text = text.strip()
    if len(text) > MAX_LENGTH:
        raise _invalid(f"longer than {MAX_LENGTH} characters")
    if not text.startswith(PREFIX):
        raise _invalid(f"does not start with {PREFIX!r}")
    body = text[len(PREFIX) :]
    if not _B64URL.match(body):
        raise _invalid("the payload is not base64url without padding")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        data: Any = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _invalid(f"the payload is not base64url JSON: {exc}") from exc
    if not isinstance(data, dict) or set(data) != {"verifier", "request"}:
        raise _invalid('the payload must be {"verifier": ..., "request": ...} and nothing else')
    if not all(isinstance(v, str) for v in data.values()):
        raise _invalid("verifier and request must be strings")
    ref = RequestReference(data["verifier"], data["request"])
    if encode_request(ref) != text:  # also checks the address and the id
        raise _invalid("the payload is not in canonical form (JCS JSON, base64url without padding)")
    return ref
