"""Domain values ↔ protobuf messages (no logic beyond the mapping)."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from civid.common.v1 import credential_status_pb2, holder_proof_pb2, localized_text_pb2
from civid.issuer.domain.holder_proof import HolderProofInput
from civid.issuer.domain.issuance import CREDENTIAL_TYPES
from civid.issuer.registry.model import Citizen
from civid.issuer.storage import CredentialRecord, CredentialState, StatusPurpose
from civid.issuer.v1 import address_pb2, citizen_pb2, credential_pb2

State = credential_status_pb2.CredentialState


def timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def credential_state(record: CredentialRecord, now: datetime) -> int:
    if record.revoked or record.state is CredentialState.SUPERSEDED:
        return State.CREDENTIAL_STATE_REVOKED
    if record.suspended:
        return State.CREDENTIAL_STATE_SUSPENDED
    if record.valid_until is not None and record.valid_until <= now:
        return State.CREDENTIAL_STATE_EXPIRED
    return State.CREDENTIAL_STATE_ACTIVE


def credential(record: CredentialRecord, now: datetime) -> credential_pb2.Credential:
    types = (
        list(CREDENTIAL_TYPES)
        if record.type == CREDENTIAL_TYPES[1]
        else ["VerifiableCredential", record.type]
    )
    return credential_pb2.Credential(
        credential_id=record.id,
        types=types,
        credential_json=record.document,
        holder_did=record.holder_did,
        state=credential_state(record, now),  # type: ignore[arg-type]
        issue_time=timestamp(record.issued_at),
        expire_time=timestamp(record.valid_until),
    )


def purpose(value: StatusPurpose) -> int:
    if value is StatusPurpose.REVOCATION:
        return credential_status_pb2.STATUS_PURPOSE_REVOCATION
    return credential_status_pb2.STATUS_PURPOSE_SUSPENSION


def holder_proof(proof: holder_proof_pb2.HolderProof, present: bool) -> HolderProofInput:
    return HolderProofInput(
        did=proof.did,
        nonce=proof.nonce,
        created=proof.create_time.seconds,
        nanos=proof.create_time.nanos,
        signature=proof.signature,
        present=present,
    )


def citizen_record(citizen: Citizen, locked: bool, holder_did: str) -> citizen_pb2.CitizenRecord:
    a = citizen.address
    name = localized_text_pb2.LocalizedText(th=citizen.name_th.full(), en=citizen.name_en.full())
    return citizen_pb2.CitizenRecord(
        national_id=citizen.national_id,
        full_name=name,
        birth_date=citizen.birth_date.isoformat(),
        address=address_pb2.Address(
            house_code=a.house_code,
            house_number=a.house_number,
            moo=a.moo or "",
            soi=a.soi or "",
            road=a.road or "",
            sub_district=a.sub_district,
            district=a.district,
            province=a.province,
            postal_code=a.postal_code,
        ),
        card_expire_date=citizen.card_expires.isoformat(),
        photo_jpeg=citizen.photo_jpeg,
        enrollment_locked=locked,
        holder_did=holder_did,
    )
