"""The wallet's values: held credentials, disclosures, settings and e-service requests.

All are frozen. A credential's document is kept as JSON text (the received object serialized with its
keys in their order, so an export carries the same JSON values the issuer signed);
:attr:`HeldCredential.document` parses a fresh copy on each call, so no caller can alter what is held.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from civid.core import jcs
from civid.core.errors import CividError, ErrorCode

VERIFIABLE_CREDENTIAL: Final = "VerifiableCredential"
NATIONAL_ID_CREDENTIAL: Final = "NationalIdCredential"


class CredentialState(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class StatusCache:
    """The credential's status as last seen on the issuer's status list, and when."""

    state: CredentialState = CredentialState.UNKNOWN
    checked_at: datetime | None = None


@dataclass(frozen=True)
class HeldCredential:
    """A credential in the wallet."""

    id: str
    types: tuple[str, ...]
    document_json: str = field(repr=False)
    received_at: datetime
    issuer: str
    status: StatusCache = StatusCache()

    @classmethod
    def from_document(cls, document: Mapping[str, Any], received_at: datetime) -> HeldCredential:
        """Check the shape of a VC 2.0 credential and wrap it; an ``id`` is derived when it has none."""
        types = _types(document)
        if VERIFIABLE_CREDENTIAL not in types:
            raise CividError(ErrorCode.NOT_A_CREDENTIAL, "the document's type lacks VerifiableCredential")
        issuer = document.get("issuer")
        issuer = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        if not isinstance(issuer, str) or not issuer:
            raise CividError(ErrorCode.MALFORMED_DOCUMENT, "the credential has no issuer")
        if not isinstance(document.get("credentialSubject"), Mapping):
            raise CividError(ErrorCode.MALFORMED_DOCUMENT, "the credential has no credentialSubject object")
        text = json.dumps(document, ensure_ascii=False)
        credential_id = document.get("id")
        if not isinstance(credential_id, str) or not credential_id:
            credential_id = "urn:civid:sha256:" + hashlib.sha256(jcs.canonicalize(document)).hexdigest()
        return cls(credential_id, types, text, received_at, issuer)

    @property
    def document(self) -> dict[str, Any]:
        """A fresh parsed copy of the credential."""
        value: dict[str, Any] = json.loads(self.document_json)
        return value

    @property
    def subject(self) -> dict[str, Any]:
        subject: dict[str, Any] = self.document["credentialSubject"]
        return subject

    @property
    def primary_type(self) -> str:
        """The most specific type, e.g. ``NationalIdCredential``."""
        specific = [t for t in self.types if t != VERIFIABLE_CREDENTIAL]
        return specific[-1] if specific else VERIFIABLE_CREDENTIAL

    @property
    def national_id_number(self) -> str | None:
        value = self.subject.get("nationalIdNumber")
        return value if isinstance(value, str) else None

    def supersedes(self, other: HeldCredential) -> bool:
        """True when this credential replaces ``other``: the same id, or a re-issue of a one-per-citizen
        credential (the national ID card: same type and issuer, same citizen), e.g. after a key
        re-binding or a move. Tickets, copies and house registrations are kept side by side."""
        if self.id == other.id:
            return True
        return (
            self.primary_type in ONE_PER_CITIZEN
            and self.primary_type == other.primary_type
            and self.issuer == other.issuer
            and self.national_id_number is not None
            and self.national_id_number == other.national_id_number
        )


ONE_PER_CITIZEN: frozenset[str] = frozenset({"NationalIdCredential"})
"""Credential types a citizen holds at most one live copy of; a re-issue replaces the held one."""


def _types(document: Mapping[str, Any]) -> tuple[str, ...]:
    value = document.get("type")
    values = value if isinstance(value, list) else [value]
    return tuple(v for v in values if isinstance(v, str))


class DisclosureOutcome(StrEnum):
    VERIFIED = "verified"  # the verifier accepted the presentation
    REJECTED = "rejected"  # the verifier checked it and refused
    DECLINED = "declined"  # the citizen said no: nothing was sent
    FAILED = "failed"  # it could not be delivered


@dataclass(frozen=True)
class Disclosure:
    """One answer to a presentation request: who asked, why, which claims, and what happened."""

    request_id: str
    relying_party_id: str
    relying_party_name: str
    purpose: str
    claims: tuple[str, ...]
    outcome: DisclosureOutcome
    at: datetime
    credential_ids: tuple[str, ...] = ()
    detail: str = ""


class Language(StrEnum):
    TH = "th"
    EN = "en"


@dataclass(frozen=True)
class WalletSettings:
    """Where the wallet talks to and how it labels things."""

    issuer_address: str = "127.0.0.1:50051"
    verifier_address: str = "127.0.0.1:50052"
    tls: bool = False
    ca_file: Path | None = None
    language: Language = Language.TH

    def __post_init__(self) -> None:
        """Accept plain strings from a form or a command line; refuse what cannot be used."""
        if not self.issuer_address.strip() or not self.verifier_address.strip():
            raise CividError(ErrorCode.INVALID_SETTING, "the issuer and verifier addresses must not be empty")
        try:
            object.__setattr__(self, "language", Language(self.language))
        except ValueError as exc:
            raise CividError(ErrorCode.INVALID_SETTING, "the language must be 'th' or 'en'") from exc
        if self.ca_file is not None:
            object.__setattr__(self, "ca_file", Path(self.ca_file))


class RequestKind(StrEnum):
    ADDRESS_CHANGE = "address_change"
    OWNER_CONSENT = "owner_consent"  # another citizen asks to move into a house this citizen owns
    CERTIFIED_COPY = "certified_copy"
    HOUSE_NUMBER = "house_number"
    APPOINTMENT = "appointment"


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    AWAITING_CONSENT = "awaiting_consent"
    AWAITING_OFFICER = "awaiting_officer"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    COMPLETED = "completed"

    @property
    def finished(self) -> bool:
        return self not in (
            RequestStatus.SUBMITTED,
            RequestStatus.AWAITING_CONSENT,
            RequestStatus.AWAITING_OFFICER,
        )


@dataclass(frozen=True)
class PendingRequest:
    """An e-service request the wallet follows until it finishes."""

    id: str
    kind: RequestKind
    status: RequestStatus
    updated_at: datetime
    summary: str = ""
