"""Issuing the national-ID credential: claims from the registry, status entries, schema check, proof.

:meth:`NationalIdIssuer.issue` runs inside the caller's write transaction: the status indexes, the
signed document and the credential row commit together, so a process killed at any point leaves
either nothing or a recorded credential. Why this order: the indexes are part of what is signed, so
they are allocated first; the signature is made in the transaction and exists only in this process's
memory until commit, and the caller hands the document out (an RPC answer, a side file) only after
:meth:`issue`'s transaction has committed, so a kill before commit rolls back the indexes and the row
and takes the signature with it. Signing before the transaction would need the indexes committed
first (a kill would then strand reserved indexes with no credential); the core canonicalizes a
recurring credential shape from a template (:mod:`civid.core.jsonld.templates`, well under a
millisecond), so the write lock is held only briefly anyway. tests/issuer/test_kill_issuance.py and test_kill_server.py check it with SIGKILL.

The signing key is the one this process last saw active (no query); the credential's insert checks,
in the same statement, that it still is, and after a rotation by another process the credential is
signed again with the key read in this transaction (tests/issuer/test_issuance_keys.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, Final

from sqlalchemy import Connection

from civid.core.jsonld.contexts import CIVID_V1
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.core.schemas import NATIONAL_ID_V1, validate_credential
from civid.core.text import claim_text
from civid.issuer.domain.keys import KeyRing, SigningKey
from civid.issuer.domain.status_lists import StatusLists
from civid.issuer.registry.model import Address, Citizen
from civid.issuer.registry.photo import photo_data_url
from civid.issuer.storage import CredentialRecord, StatusPurpose, Store

CREDENTIALS_V2: Final = "https://www.w3.org/ns/credentials/v2"
NATIONAL_ID_TYPE: Final = "NationalIdCredential"
CREDENTIAL_TYPES: Final = ("VerifiableCredential", NATIONAL_ID_TYPE)
BANGKOK: Final = timezone(timedelta(hours=7))
CARD_NAME: Final = "บัตรประจำตัวประชาชน"


def card_expiry_instant(expires: date) -> datetime:
    """The end of the card's expiry day in Thailand (23:59:59 +07:00), in UTC."""
    return datetime.combine(expires, time(23, 59, 59), BANGKOK).astimezone(UTC)


def _nfc(value: str) -> str:
    """Registry text as a claim: NFC, and only characters every implementation canonicalizes alike."""
    return claim_text(value, "registry text")


def _xsd(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def address_claims(a: Address) -> dict[str, str]:
    """A registered address as the ``ThaiAddress`` claim the national ID (and certified copies) carry."""
    fields = {
        "houseNumber": a.house_number,
        "moo": a.moo,
        "soi": a.soi,
        "road": a.road,
        "subDistrict": a.sub_district,
        "district": a.district,
        "province": a.province,
        "postalCode": a.postal_code,
        "houseCode": a.house_code,
    }
    return {"type": "ThaiAddress"} | {k: _nfc(v) for k, v in fields.items() if v}


def national_id_claims(citizen: Citizen, holder_did: str) -> dict[str, Any]:
    """``credentialSubject`` of the national-ID credential (text NFC-normalized)."""
    texts = {
        "titleTh": citizen.name_th.title,
        "givenNameTh": citizen.name_th.given,
        "familyNameTh": citizen.name_th.family,
        "titleEn": citizen.name_en.title,
        "givenNameEn": citizen.name_en.given,
        "familyNameEn": citizen.name_en.family,
        "religion": citizen.religion,
    }
    subject: dict[str, Any] = {
        "id": holder_did,
        "type": "Citizen",
        "nationalIdNumber": citizen.national_id,
        "laserCode": citizen.laser_code,
    }
    subject |= {k: _nfc(v) for k, v in texts.items() if v}
    return subject | {
        "birthDate": citizen.birth_date.isoformat(),
        "sex": citizen.sex.value,
        "photo": photo_data_url(citizen.photo_jpeg),
        "cardIssueDate": citizen.card_issued.isoformat(),
        "cardExpiryDate": citizen.card_expires.isoformat(),
        "cardIssuingOffice": _nfc(citizen.issuing_office),
        "address": address_claims(citizen.address),
    }


class NationalIdIssuer:
    def __init__(
        self, store: Store, keys: KeyRing, status_lists: StatusLists, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._keys = keys
        self._lists = status_lists
        self._clock = clock

    def issue(self, citizen: Citizen, holder_did: str, conn: Connection) -> CredentialRecord:
        """Sign and record a credential for ``citizen`` bound to ``holder_did`` (in ``conn``)."""
        now = self._clock().astimezone(UTC).replace(microsecond=0)
        revocation, revocation_entry = self._lists.allocate(StatusPurpose.REVOCATION, conn)
        suspension, suspension_entry = self._lists.allocate(StatusPurpose.SUSPENSION, conn)
        valid_until = card_expiry_instant(citizen.card_expires)
        credential_id = f"urn:uuid:{uuid.uuid4()}"
        unsigned = {
            "@context": [CREDENTIALS_V2, CIVID_V1],
            "id": credential_id,
            "type": list(CREDENTIAL_TYPES),
            "name": CARD_NAME,
            "issuer": self._keys.did,
            "validFrom": _xsd(now),
            "validUntil": _xsd(valid_until),
            "credentialSubject": national_id_claims(citizen, holder_did),
            "credentialSchema": {"id": NATIONAL_ID_V1, "type": "JsonSchema"},
            "credentialStatus": [revocation_entry, suspension_entry],
        }
        validate_credential(unsigned, NATIONAL_ID_V1)

        def signed_with(key: SigningKey) -> CredentialRecord:
            signed = add_proof(
                unsigned, key.pair, ProofOptions(verification_method=key.verification_method, created=now)
            )
            return CredentialRecord(
                id=credential_id,
                national_id=citizen.national_id,
                holder_did=holder_did,
                type=NATIONAL_ID_TYPE,
                document=json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
                issued_at=now,
                valid_until=valid_until,
                revocation=revocation,
                suspension=suspension,
            )

        # Signed with the key this process last saw active; the insert checks that it still is. After
        # a rotation elsewhere it writes nothing, and the key is read in this transaction and used.
        guess = self._keys.last_active()
        record = signed_with(guess)
        if not self._store.credentials.insert_signed(record, guess.key_id, conn):
            record = signed_with(self._keys.signing_key(conn))
            self._store.credentials.insert(record, conn)
        return record
