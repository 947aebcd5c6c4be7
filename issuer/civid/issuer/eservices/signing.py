"""Signing and recording an e-service credential (certified copies, tickets, house registrations).

Like the national ID (:mod:`civid.issuer.domain.issuance`): status entries are allocated, the document
is schema-checked and signed, and the row is inserted, all inside the caller's write transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection

from civid.core.jsonld.contexts import CIVID_V1
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.core.schemas import validate_credential
from civid.issuer.app import IssuerApp
from civid.issuer.domain.issuance import CREDENTIALS_V2
from civid.issuer.storage import CredentialRecord, StatusPurpose

Clock = Callable[[], datetime]
ISSUER_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"


def xsd(moment: datetime) -> str:
    """An XML Schema dateTime in UTC, whole seconds ("2025-01-15T09:00:00Z")."""
    return moment.astimezone(UTC).strftime(ISSUER_TIME_FORMAT)


def new_credential_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


@dataclass(frozen=True)
class CredentialDraft:
    """What an e-service credential says; the signer adds context, issuer, status and proof."""

    credential_id: str
    type: str
    name: str
    schema: str
    subject: Mapping[str, Any]
    national_id: str
    holder_did: str
    valid_from: datetime
    valid_until: datetime | None


class EServiceSigner:
    """Signs :class:`CredentialDraft` s with the issuer's active key, with a revocation entry."""

    def __init__(self, app: IssuerApp) -> None:
        self._app = app

    def issue(self, draft: CredentialDraft, conn: Connection) -> CredentialRecord:
        revocation, entry = self._app.status_lists.allocate(StatusPurpose.REVOCATION, conn)
        unsigned: dict[str, Any] = {
            "@context": [CREDENTIALS_V2, CIVID_V1],
            "id": draft.credential_id,
            "type": ["VerifiableCredential", draft.type],
            "name": draft.name,
            "issuer": self._app.keys.did,
            "validFrom": xsd(draft.valid_from),
            "credentialSubject": dict(draft.subject),
            "credentialSchema": {"id": draft.schema, "type": "JsonSchema"},
            "credentialStatus": [entry],
        }
        if draft.valid_until is not None:
            unsigned["validUntil"] = xsd(draft.valid_until)
        validate_credential(unsigned, draft.schema)
        key = self._app.keys.signing_key()
        created = draft.valid_from.astimezone(UTC).replace(microsecond=0)
        signed = add_proof(
            unsigned, key.pair, ProofOptions(verification_method=key.verification_method, created=created)
        )
        record = CredentialRecord(
            id=draft.credential_id,
            national_id=draft.national_id,
            holder_did=draft.holder_did,
            type=draft.type,
            document=json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
            issued_at=created,
            valid_until=draft.valid_until,
            revocation=revocation,
        )
        self._app.store.credentials.insert(record, conn)
        return record
