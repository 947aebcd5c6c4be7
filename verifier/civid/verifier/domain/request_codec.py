"""The compact request string a wallet pastes or scans: ``civid-pr:v1:<request id>@<host:port>``.

This is the one format (the proto's ``PresentationRequest.compact``; the wallet and the TypeScript
kiosk build and read it too). The nonce is deliberately *not* in the string: the wallet fetches the
full request (nonce, domain, claims, the relying party's name and purpose) from the verifier with the
request id, so what it shows the citizen comes from the verifier, not from a string anyone could have
edited, and a photographed QR code alone does not carry the challenge.

Parsing is strict: anything but exactly that shape (a wrong prefix or version, a request id outside
``[A-Za-z0-9_-]{8,64}``, a missing or malformed ``host:port``, a port outside 1-65535) is refused with
INVALID_REQUEST_STRING and a message naming the defect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from civid.verifier.domain.errors import DomainError, DomainErrorCode

PREFIX: Final = "civid-pr:v1:"
MAX_LENGTH: Final = 512
_REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_ADDRESS: Final = re.compile(r"^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):([0-9]{1,5})$")


@dataclass(frozen=True)
class RequestReference:
    """Where a presentation request lives: the verifier's address and the request id."""

    verifier: str  # host:port, [ipv6]:port
    request_id: str


def _invalid(message: str) -> DomainError:
    return DomainError(DomainErrorCode.INVALID_REQUEST_STRING, message)


def _check(ref: RequestReference) -> None:
    if not _REQUEST_ID.match(ref.request_id):
        raise _invalid("the request id must be 8 to 64 characters of A-Z a-z 0-9 _ -")
    address = _ADDRESS.match(ref.verifier)
    if address is None or not 0 < int(address.group(1)) < 65536:
        raise _invalid(f"the verifier address {ref.verifier!r} is not host:port")


def encode_request(ref: RequestReference) -> str:
    """``civid-pr:v1:<request id>@<host:port>``; INVALID_REQUEST_STRING for an id or address it cannot carry."""
    _check(ref)
    return f"{PREFIX}{ref.request_id}@{ref.verifier}"


def decode_request(text: str) -> RequestReference:
    """Parse a compact request string (surrounding whitespace allowed); every defect is named."""
    text = text.strip()
    if len(text) > MAX_LENGTH:
        raise _invalid(f"longer than {MAX_LENGTH} characters")
    if not text.startswith(PREFIX):
        raise _invalid(f"does not start with {PREFIX!r}")
    request_id, at, verifier = text[len(PREFIX) :].partition("@")
    if not at:
        raise _invalid("no '@<host:port>' after the request id (civid-pr:v1:<request id>@<host:port>)")
    ref = RequestReference(verifier, request_id)
    _check(ref)
    return ref
