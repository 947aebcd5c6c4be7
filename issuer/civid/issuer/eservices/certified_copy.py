"""Certified copies (คัดรับรองเอกสาร) of the caller's records, issued as credentials of their own type.

The household registration extract lists the members registered in the caller's house; the birth
record copies the caller's own birth data. The registry model holds no birth place or birth
registration number: the copy says the place is not recorded and uses the national ID (assigned at
birth registration) as the registration number, with the registry office that keeps the record.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection

from civid.core.schemas import BIRTH_RECORD_V1, HOUSEHOLD_REGISTRATION_V1
from civid.core.text import claim_text
from civid.issuer.app import IssuerApp
from civid.issuer.domain.errors import field_invalid
from civid.issuer.domain.issuance import BANGKOK, address_claims
from civid.issuer.eservices.parties import enrolled_citizen
from civid.issuer.eservices.signing import CredentialDraft, EServiceSigner, xsd
from civid.issuer.registry.model import Citizen, House
from civid.issuer.storage import CredentialRecord, request_hash
from civid.issuer.storage.certified_copies import CopyKind

HOUSEHOLD_TYPE: Final = "HouseholdRegistrationCredential"
BIRTH_TYPE: Final = "BirthRecordCredential"
COPY_VALIDITY: Final = timedelta(days=180)
HEAD: Final = "เจ้าบ้าน"
RESIDENT: Final = "ผู้อาศัย"
NOT_RECORDED: Final = "ไม่ปรากฏในทะเบียน"
FORM: Final = {CopyKind.HOUSEHOLD_REGISTRATION: "ทร.14", CopyKind.BIRTH_RECORD: "ทร.1"}
NAME: Final = {CopyKind.HOUSEHOLD_REGISTRATION: "สำเนาทะเบียนบ้านรับรอง", CopyKind.BIRTH_RECORD: "สูติบัตรรับรอง"}


@dataclass(frozen=True)
class IssuedCopy:
    kind: CopyKind
    credential: CredentialRecord

    @property
    def verification_reference(self) -> str:
        return verification_reference(self.credential.id, self.credential.document)


def verification_reference(credential_id: str, credential_json: str) -> str:
    """ "civid:copy:<uuid>:<first 16 hex of SHA-256 of the JSON>" (printed as a QR code)."""
    digest = hashlib.sha256(credential_json.encode("utf-8")).hexdigest()[:16]
    return f"civid:copy:{credential_id.removeprefix('urn:uuid:')}:{digest}"


def certification_reference(kind: CopyKind, credential_id: str, at: datetime) -> str:
    """The registry's document number: form / Buddhist-era year / a serial from the credential id."""
    serial = credential_id.removeprefix("urn:uuid:").split("-")[0].upper()
    return f"{FORM[kind]}/{at.astimezone(BANGKOK).year + 543}/{serial}"


def _nfc(value: str) -> str:
    """Registry text as a claim (NFC; characters other implementations would sort otherwise refused)."""
    return claim_text(value, "registry text")


def _names(citizen: Citizen) -> dict[str, str]:
    names = {
        "titleTh": citizen.name_th.title,
        "givenNameTh": citizen.name_th.given,
        "familyNameTh": citizen.name_th.family,
        "givenNameEn": citizen.name_en.given,
        "familyNameEn": citizen.name_en.family,
    }
    return {k: _nfc(v) for k, v in names.items() if v}


def household_subject(
    holder_did: str, house: House, members: list[Citizen], certified: dict[str, str]
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = [
        {"type": "HouseholdMember", "nationalIdNumber": m.national_id}
        | _names(m)
        | {
            "birthDate": m.birth_date.isoformat(),
            "sex": m.sex.value,
            "relationToHead": HEAD if m.national_id == house.owner_national_id else RESIDENT,
            "isHouseOwner": m.national_id == house.owner_national_id,
        }
        for m in members
    ]
    return {
        "id": holder_did,
        "type": "Household",
        "houseCode": house.house_code,
        "address": _address_of(house),
        "members": rows,
    } | certified


def _address_of(house: House) -> dict[str, str]:
    """The house's ThaiAddress as the national ID writes it."""
    return address_claims(house.address())


def birth_subject(holder_did: str, citizen: Citizen, certified: dict[str, str]) -> dict[str, Any]:
    names = _names(citizen) | ({"titleEn": _nfc(citizen.name_en.title)} if citizen.name_en.title else {})
    return (
        {"id": holder_did, "type": "BirthRecord", "nationalIdNumber": citizen.national_id}
        | names
        | {
            "sex": citizen.sex.value,
            "nationality": "ไทย",
            "birthDate": citizen.birth_date.isoformat(),
            "birthPlace": NOT_RECORDED,
            "registrationOffice": _nfc(citizen.issuing_office),
            "registrationNumber": citizen.national_id,
        }
        | certified
    )


def record_kind(name: str) -> CopyKind:
    """The copy kind for a CertifiedRecordType value name."""
    kinds = {
        "CERTIFIED_RECORD_TYPE_HOUSEHOLD_EXTRACT": CopyKind.HOUSEHOLD_REGISTRATION,
        "CERTIFIED_RECORD_TYPE_BIRTH_RECORD": CopyKind.BIRTH_RECORD,
    }
    if name not in kinds:
        raise field_invalid("record_type", "must be HOUSEHOLD_EXTRACT or BIRTH_RECORD")
    return kinds[name]


class CertifiedCopies:
    def __init__(self, app: IssuerApp) -> None:
        self._app = app
        self._store = app.store
        self._signer = EServiceSigner(app)

    def create(self, did: str, kind: CopyKind, request_id: str) -> IssuedCopy:
        """Issue a copy of the caller's record (idempotent by ``request_id``)."""
        citizen = enrolled_citizen(self._store, did)
        req_hash = request_hash(f"{did}|{kind.value}".encode())

        def produce(conn: Connection) -> bytes:
            record = self._signer.issue(self._draft(citizen, did, kind), conn)
            self._store.certified_copies.record(citizen.national_id, kind, record.id, conn)
            self._store.audit.append(
                actor="citizen:self-service",
                action="certified_copy.issue",
                subject=self._store.audit.citizen(citizen.national_id),
                reason="citizen request",
                details={"kind": kind.value, "credential_id": record.id},
                conn=conn,
            )
            return record.id.encode()

        result = self._store.idempotency.run_once(request_id, "CreateCertifiedCopy", req_hash, produce)
        return IssuedCopy(kind, self._store.credentials.require(result.response.decode()))

    def _draft(self, citizen: Citizen, did: str, kind: CopyKind) -> CredentialDraft:
        now = self._app.clock().replace(microsecond=0)
        credential_id = f"urn:uuid:{uuid.uuid4()}"
        certified = {
            "certifiedAt": xsd(now),
            "certificationReference": certification_reference(kind, credential_id, now),
        }
        if kind is CopyKind.HOUSEHOLD_REGISTRATION:
            house = self._store.houses.get(citizen.address.house_code)
            if house is None:
                house = House(**{k: getattr(citizen.address, k) for k in _HOUSE_FIELDS})
            members = self._store.citizens.members_of_house(house.house_code)
            subject = household_subject(did, house, members, certified)
            schema, type_ = HOUSEHOLD_REGISTRATION_V1, HOUSEHOLD_TYPE
        else:
            subject = birth_subject(did, citizen, certified)
            schema, type_ = BIRTH_RECORD_V1, BIRTH_TYPE
        return CredentialDraft(
            credential_id=credential_id,
            type=type_,
            name=NAME[kind],
            schema=schema,
            subject=subject,
            national_id=citizen.national_id,
            holder_did=did,
            valid_from=now,
            valid_until=now + COPY_VALIDITY,
        )


_HOUSE_FIELDS: Final = (
    "house_code",
    "house_number",
    "sub_district",
    "district",
    "province",
    "postal_code",
    "moo",
    "soi",
    "road",
)
