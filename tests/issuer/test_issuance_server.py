"""Issuance and the credential lifecycle over a real gRPC server (officer desk, status lists)."""

from __future__ import annotations

import json

import grpc
import pytest

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.core.statuslist.credential import read_status
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.issuer.v1 import officer_service_pb2 as opb
from civid.rpc.errors import error_details
from tests.issuer.server_fixtures import OBAMA, OBAMA_LASER, RunningIssuer
from tests.issuer.server_fixtures import issuer as issuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher

pytestmark = pytest.mark.slow


def new_holder() -> str:
    return did_key_for(Ed25519KeyPair.generate().public_key)


async def assisted(
    issuer: RunningIssuer, nid: str = OBAMA, did: str | None = None, request_id: str = "req-1"
) -> opb.AssistedEnrollmentResponse:
    request = opb.AssistedEnrollmentRequest(
        national_id=nid,
        laser_code=OBAMA_LASER if nid == OBAMA else "",
        holder_did=did or new_holder(),
        desk_photo=b"\xff\xd8\xff desk photo",
        reason="card and face checked at the desk",
        request_id=request_id,
    )
    return await issuer.officer_stub.AssistedEnrollment(
        request, metadata=issuer.officer_metadata("AssistedEnrollment")
    )


async def status_bit(issuer: RunningIssuer, credential: dict, purpose: str) -> bool:
    entry = next(e for e in credential["credentialStatus"] if e["statusPurpose"] == purpose)
    answer = await issuer.issuer_stub.GetStatusList(
        ipb.GetStatusListRequest(status_list_credential=entry["statusListCredential"])
    )
    return read_status(entry, json.loads(answer.status_list_credential_json))


async def test_assisted_enrollment_issues_a_credential_bound_to_the_holder(issuer: RunningIssuer) -> None:
    did = new_holder()
    answer = await assisted(issuer, did=did)
    document = json.loads(answer.credential.credential_json)
    assert document["credentialSubject"]["id"] == did
    assert document["credentialSubject"]["nationalIdNumber"] == OBAMA
    assert document["issuer"] == "did:web:issuer.civid.example"
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    indexes = [int(e["statusListIndex"]) for e in document["credentialStatus"]]
    assert [e["statusPurpose"] for e in document["credentialStatus"]] == ["revocation", "suspension"]
    assert all(0 <= i < 131072 for i in indexes)


async def test_retried_assisted_enrollment_returns_the_same_credential(issuer: RunningIssuer) -> None:
    did = new_holder()
    first = await assisted(issuer, did=did, request_id="same")
    second = await assisted(issuer, did=did, request_id="same")
    assert first.credential.credential_id == second.credential.credential_id


async def test_officer_call_without_signature_is_unauthenticated(issuer: RunningIssuer) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await issuer.officer_stub.GetCitizen(opb.GetCitizenRequest(national_id=OBAMA))
    details = error_details(raised.value)
    assert (details.code, details.reason) == (grpc.StatusCode.UNAUTHENTICATED, "OFFICER_UNAUTHENTICATED")


async def test_replayed_officer_signature_is_refused(issuer: RunningIssuer) -> None:
    metadata = issuer.officer_metadata("GetCitizen")
    await issuer.officer_stub.GetCitizen(opb.GetCitizenRequest(national_id=OBAMA), metadata=metadata)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await issuer.officer_stub.GetCitizen(opb.GetCitizenRequest(national_id=OBAMA), metadata=metadata)
    assert error_details(raised.value).reason == "OFFICER_UNAUTHENTICATED"


async def test_revocation_is_visible_in_the_next_status_list(issuer: RunningIssuer) -> None:
    credential = json.loads((await assisted(issuer)).credential.credential_json)
    assert not await status_bit(issuer, credential, "revocation")
    await issuer.officer_stub.RevokeCredential(
        opb.RevokeCredentialRequest(credential_id=credential["id"], reason="lost phone"),
        metadata=issuer.officer_metadata("RevokeCredential"),
    )
    assert await status_bit(issuer, credential, "revocation")
    state = await issuer.issuer_stub.GetCredentialStatus(
        ipb.GetCredentialStatusRequest(credential_id=credential["id"])
    )
    assert state.state == 3  # REVOKED


async def test_suspension_and_reinstatement_are_visible_in_the_next_status_list(
    issuer: RunningIssuer,
) -> None:
    credential = json.loads((await assisted(issuer)).credential.credential_json)
    await issuer.officer_stub.SuspendCredential(
        opb.SuspendCredentialRequest(credential_id=credential["id"], reason="investigation"),
        metadata=issuer.officer_metadata("SuspendCredential"),
    )
    assert await status_bit(issuer, credential, "suspension")
    await issuer.officer_stub.ReinstateCredential(
        opb.ReinstateCredentialRequest(credential_id=credential["id"], reason="cleared"),
        metadata=issuer.officer_metadata("ReinstateCredential"),
    )
    assert not await status_bit(issuer, credential, "suspension")


async def test_status_list_etag_answers_not_modified_until_a_change(issuer: RunningIssuer) -> None:
    credential = json.loads((await assisted(issuer)).credential.credential_json)
    url = credential["credentialStatus"][0]["statusListCredential"]
    first = await issuer.issuer_stub.GetStatusList(ipb.GetStatusListRequest(status_list_credential=url))
    again = await issuer.issuer_stub.GetStatusList(
        ipb.GetStatusListRequest(status_list_credential=url, if_none_match=first.etag)
    )
    assert again.not_modified and not again.status_list_credential_json
    await issuer.officer_stub.RevokeCredential(
        opb.RevokeCredentialRequest(credential_id=credential["id"], reason="lost phone"),
        metadata=issuer.officer_metadata("RevokeCredential"),
    )
    changed = await issuer.issuer_stub.GetStatusList(
        ipb.GetStatusListRequest(status_list_credential=url, if_none_match=first.etag)
    )
    assert not changed.not_modified and changed.etag != first.etag


async def test_revoking_twice_fails_with_invalid_state(issuer: RunningIssuer) -> None:
    credential_id = (await assisted(issuer)).credential.credential_id
    for attempt in range(2):
        call = issuer.officer_stub.RevokeCredential(
            opb.RevokeCredentialRequest(credential_id=credential_id, reason="lost phone"),
            metadata=issuer.officer_metadata("RevokeCredential"),
        )
        if attempt == 0:
            await call
            continue
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call
        assert error_details(raised.value).reason == "INVALID_STATE"


async def test_rebind_revokes_the_old_credential_and_issues_a_new_one(issuer: RunningIssuer) -> None:
    old = (await assisted(issuer)).credential
    new_did = new_holder()
    answer = await issuer.officer_stub.RebindHolder(
        opb.RebindHolderRequest(
            national_id=OBAMA, new_holder_did=new_did, reason="new phone", request_id="rb-1"
        ),
        metadata=issuer.officer_metadata("RebindHolder"),
    )
    assert answer.revoked_credential_id == old.credential_id
    assert json.loads(answer.credential.credential_json)["credentialSubject"]["id"] == new_did
    assert await status_bit(issuer, json.loads(old.credential_json), "revocation")


async def test_unknown_status_list_is_not_found(issuer: RunningIssuer) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await issuer.issuer_stub.GetStatusList(
            ipb.GetStatusListRequest(
                status_list_credential="https://issuer.civid.example/status/revocation/9"
            )
        )
    assert error_details(raised.value).reason == "STATUS_LIST_NOT_FOUND"


async def test_audit_log_records_officer_actions_and_verifies(issuer: RunningIssuer) -> None:
    from civid.issuer.audit import verify_audit_log

    await assisted(issuer)
    actions = [e.action for e in issuer.app.store.audit.entries()]
    assert "enrollment.assisted" in actions
    assert verify_audit_log(issuer.app.store).ok
