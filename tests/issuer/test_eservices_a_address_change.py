"""Address change over a real issuer: the owner's consent moves the applicant and re-issues the card."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import pytest

from civid.core.errors import ErrorCode
from civid.issuer.v1 import address_change_pb2 as acpb
from civid.issuer.v1 import citizen_request_pb2 as crpb
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.rpc.errors import error_details
from tests.issuer.eservices_a_fixtures import (
    CURRENT_HOUSE,
    NEW_HOUSE,
    desk_enrol,
    proof,
    verify_with_status,
)
from tests.issuer.eservices_a_fixtures import registry_issuer as registry_issuer
from tests.issuer.eservices_a_fixtures import short_expiry_issuer as short_expiry_issuer
from tests.issuer.server_fixtures import BIDEN, OBAMA, Holder, RunningIssuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher

pytestmark = pytest.mark.slow
S = acpb.AddressChangeState


class Parties:
    """OBAMA (the applicant) and BIDEN (the owner of NEW_HOUSE), each with a wallet key."""

    def __init__(self, issuer: RunningIssuer) -> None:
        self.issuer = issuer
        self.applicant = Holder()
        self.owner = Holder()
        self.card: dict[str, Any] = {}

    async def enrol(self) -> Parties:
        self.card = await desk_enrol(self.issuer, OBAMA, self.applicant)
        await desk_enrol(self.issuer, BIDEN, self.owner)
        return self

    async def create(self, house: str = NEW_HOUSE, request_id: str = "move-1") -> acpb.AddressChange:
        params = {"houseCode": house, "requestId": request_id}
        request = ipb.CreateAddressChangeRequest(
            holder_proof=proof(self.issuer, self.applicant, "CreateAddressChange", params),
            house_code=house,
            request_id=request_id,
        )
        return (await self.issuer.issuer_stub.CreateAddressChange(request)).address_change

    async def consent(self, change_id: str, signer: Holder) -> acpb.AddressChange:
        p = proof(self.issuer, signer, "ConsentAddressChange", {"addressChangeId": change_id})
        request = ipb.ConsentAddressChangeRequest(holder_proof=p, address_change_id=change_id)
        return (await self.issuer.issuer_stub.ConsentAddressChange(request)).address_change

    async def get(self, change_id: str, caller: Holder) -> acpb.AddressChange:
        p = proof(self.issuer, caller, "GetAddressChange", {"addressChangeId": change_id})
        request = ipb.GetAddressChangeRequest(holder_proof=p, address_change_id=change_id)
        return (await self.issuer.issuer_stub.GetAddressChange(request)).address_change

    async def credentials(self, holder: Holder) -> list[dict[str, Any]]:
        request = ipb.ListCredentialsRequest(holder_proof=proof(self.issuer, holder, "ListCredentials", {}))
        answer = await self.issuer.issuer_stub.ListCredentials(request)
        return [json.loads(c.credential_json) for c in answer.credentials]


async def failure(call: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    details = error_details(caught.value)
    return caught.value.code(), details.reason


async def test_a_new_request_is_pending_and_names_the_applicant_to_the_owner(
    registry_issuer: RunningIssuer,
) -> None:
    parties = await Parties(registry_issuer).enrol()
    created = await parties.create()
    assert created.state == S.ADDRESS_CHANGE_STATE_PENDING_CONSENT
    assert created.caller_role == acpb.ADDRESS_CHANGE_ROLE_APPLICANT
    p = proof(registry_issuer, parties.owner, "ListAddressChanges", {})
    listed = await registry_issuer.issuer_stub.ListAddressChanges(
        ipb.ListAddressChangesRequest(holder_proof=p, role=acpb.ADDRESS_CHANGE_ROLE_OWNER)
    )
    [seen] = listed.address_changes
    assert seen.address_change_id == created.address_change_id
    assert seen.applicant_name.en == "Mr. Barack Obama"
    assert seen.applicant_did == parties.applicant.did
    assert seen.new_address.house_code == NEW_HOUSE


async def test_owner_consent_moves_the_applicant_and_reissues_the_card_with_the_new_address(
    registry_issuer: RunningIssuer,
) -> None:
    parties = await Parties(registry_issuer).enrol()
    created = await parties.create()
    done = await parties.consent(created.address_change_id, parties.owner)
    assert done.state == S.ADDRESS_CHANGE_STATE_COMPLETED
    [new_card] = await parties.credentials(parties.applicant)
    assert new_card["id"] == done.new_credential_id != parties.card["id"]
    assert new_card["credentialSubject"]["address"]["houseCode"] == NEW_HOUSE
    assert new_card["credentialSubject"]["address"]["postalCode"] == "10500"
    assert registry_issuer.app.store.citizens.require(OBAMA).address.house_code == NEW_HOUSE
    assert (await verify_with_status(registry_issuer, new_card)).verified


async def test_after_the_move_the_old_card_fails_verification_as_revoked(
    registry_issuer: RunningIssuer,
) -> None:
    parties = await Parties(registry_issuer).enrol()
    created = await parties.create()
    await parties.consent(created.address_change_id, parties.owner)
    result = await verify_with_status(registry_issuer, parties.card)
    assert not result.verified
    assert ErrorCode.REVOKED in [c.code for c in result.checks]


async def test_every_step_of_a_move_is_in_the_audit_log(registry_issuer: RunningIssuer) -> None:
    parties = await Parties(registry_issuer).enrol()
    created = await parties.create()
    await parties.consent(created.address_change_id, parties.owner)
    audit = registry_issuer.app.store.audit
    actions = [e.action for e in audit.entries(audit.citizen(OBAMA))]
    assert actions[:2] == ["address_change.consent", "address_change.create"]


async def test_a_consent_signed_by_the_applicant_is_refused_as_not_the_house_owner(
    registry_issuer: RunningIssuer,
) -> None:
    parties = await Parties(registry_issuer).enrol()
    created = await parties.create()
    code, reason = await failure(parties.consent(created.address_change_id, parties.applicant))
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_HOUSE_OWNER")
    still = await parties.get(created.address_change_id, parties.applicant)
    assert still.state == S.ADDRESS_CHANGE_STATE_PENDING_CONSENT


async def test_a_consent_naming_the_owner_but_signed_by_another_key_is_refused(
    registry_issuer: RunningIssuer,
) -> None:
    parties = await Parties(registry_issuer).enrol()
    created = await parties.create()
    forger = Holder()
    p = proof(registry_issuer, forger, "ConsentAddressChange", {"addressChangeId": created.address_change_id})
    p.did = parties.owner.did
    request = ipb.ConsentAddressChangeRequest(holder_proof=p, address_change_id=created.address_change_id)
    code, reason = await failure(registry_issuer.issuer_stub.ConsentAddressChange(request))
    assert (code, reason) == (grpc.StatusCode.UNAUTHENTICATED, "HOLDER_PROOF_INVALID")
    assert registry_issuer.app.store.citizens.require(OBAMA).address.house_code == CURRENT_HOUSE


async def test_owner_refusal_keeps_the_address_and_tells_the_applicant_why(
    registry_issuer: RunningIssuer,
) -> None:
    parties = await Parties(registry_issuer).enrol()
    created = await parties.create()
    params = {"addressChangeId": created.address_change_id, "reason": "no room"}
    request = ipb.RefuseAddressChangeRequest(
        holder_proof=proof(registry_issuer, parties.owner, "RefuseAddressChange", params),
        address_change_id=created.address_change_id,
        reason="no room",
    )
    await registry_issuer.issuer_stub.RefuseAddressChange(request)
    seen = await parties.get(created.address_change_id, parties.applicant)
    assert (seen.state, seen.refusal_reason) == (S.ADDRESS_CHANGE_STATE_REFUSED, "no room")
    assert registry_issuer.app.store.citizens.require(OBAMA).address.house_code == CURRENT_HOUSE
    assert [c["id"] for c in await parties.credentials(parties.applicant)] == [parties.card["id"]]


async def test_the_applicant_can_cancel_and_then_the_owner_cannot_consent(
    registry_issuer: RunningIssuer,
) -> None:
    parties = await Parties(registry_issuer).enrol()
    created = await parties.create()
    p = proof(
        registry_issuer,
        parties.applicant,
        "CancelAddressChange",
        {"addressChangeId": created.address_change_id},
    )
    cancelled = await registry_issuer.issuer_stub.CancelAddressChange(
        ipb.CancelAddressChangeRequest(holder_proof=p, address_change_id=created.address_change_id)
    )
    assert cancelled.address_change.state == S.ADDRESS_CHANGE_STATE_CANCELLED
    code, reason = await failure(parties.consent(created.address_change_id, parties.owner))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE")


async def test_a_second_pending_request_is_refused(registry_issuer: RunningIssuer) -> None:
    parties = await Parties(registry_issuer).enrol()
    await parties.create()
    code, reason = await failure(parties.create(request_id="move-2"))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE")


async def test_a_citizen_without_a_card_cannot_ask_to_move(registry_issuer: RunningIssuer) -> None:
    parties = Parties(registry_issuer)
    code, reason = await failure(parties.create())
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "HOLDER_NOT_ENROLLED")


async def test_an_unanswered_request_expires_and_can_no_longer_be_consented(
    short_expiry_issuer: RunningIssuer,
) -> None:
    parties = await Parties(short_expiry_issuer).enrol()
    created = await parties.create()
    await asyncio.sleep(1.5)
    code, reason = await failure(parties.consent(created.address_change_id, parties.owner))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE")
    seen = await parties.get(created.address_change_id, parties.applicant)
    assert seen.state == S.ADDRESS_CHANGE_STATE_EXPIRED
    assert short_expiry_issuer.app.store.citizens.require(OBAMA).address.house_code == CURRENT_HOUSE


async def test_the_owner_watch_shows_a_new_request_then_its_completion(
    registry_issuer: RunningIssuer,
) -> None:
    parties = await Parties(registry_issuer).enrol()
    p = proof(registry_issuer, parties.owner, "WatchCitizenRequests", {})
    stream = registry_issuer.issuer_stub.WatchCitizenRequests(ipb.WatchCitizenRequestsRequest(holder_proof=p))
    events = stream.__aiter__()
    first = await asyncio.wait_for(events.__anext__(), 10)
    assert first.event.type == crpb.CITIZEN_REQUEST_EVENT_TYPE_SNAPSHOT_END
    created = await parties.create()
    added = await asyncio.wait_for(events.__anext__(), 10)
    assert added.event.type == crpb.CITIZEN_REQUEST_EVENT_TYPE_CREATED
    assert added.event.request.address_change.address_change_id == created.address_change_id
    await parties.consent(created.address_change_id, parties.owner)
    changed = await asyncio.wait_for(events.__anext__(), 10)
    assert changed.event.type == crpb.CITIZEN_REQUEST_EVENT_TYPE_UPDATED
    assert changed.event.request.address_change.state == S.ADDRESS_CHANGE_STATE_COMPLETED
    stream.cancel()


async def test_a_watch_starts_with_a_snapshot_of_open_requests(registry_issuer: RunningIssuer) -> None:
    parties = await Parties(registry_issuer).enrol()
    created = await parties.create()
    p = proof(registry_issuer, parties.applicant, "WatchCitizenRequests", {})
    stream = registry_issuer.issuer_stub.WatchCitizenRequests(ipb.WatchCitizenRequestsRequest(holder_proof=p))
    events = stream.__aiter__()
    snapshot = await asyncio.wait_for(events.__anext__(), 10)
    end = await asyncio.wait_for(events.__anext__(), 10)
    stream.cancel()
    assert snapshot.event.type == crpb.CITIZEN_REQUEST_EVENT_TYPE_SNAPSHOT
    assert snapshot.event.request.address_change.address_change_id == created.address_change_id
    assert end.event.type == crpb.CITIZEN_REQUEST_EVENT_TYPE_SNAPSHOT_END
