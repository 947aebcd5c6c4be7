"""House-number applications over a real issuer: the applicant's side and the officer desk's decision."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest

from civid.issuer.v1 import house_number_pb2 as hnpb
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.issuer.v1 import officer_service_pb2 as opb
from civid.rpc.errors import error_details
from tests.issuer.eservices_a_fixtures import desk_enrol, issuer_documents, proof, verify_with_status
from tests.issuer.server_fixtures import BIDEN, OBAMA, Holder, RunningIssuer
from tests.issuer.server_fixtures import issuer as issuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher

pytestmark = pytest.mark.slow
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
LOCATION = hnpb.HouseLocation(
    moo="4",
    village="หมู่บ้านสุขใจ",
    soi="สุขุมวิท 21",
    sub_district="คลองเตยเหนือ",
    district="วัฒนา",
    province="กรุงเทพมหานคร",
    postal_code="10110",
    latitude=13.738,
    longitude=100.5605,
)


async def apply(
    issuer: RunningIssuer, holder: Holder, request_id: str = "hn-1", photos: tuple[bytes, ...] = ()
) -> hnpb.HouseNumberApplication:
    params = {"buildingPermitNumber": "ก.1-2568/7", "landTitleNumber": "โฉนด 4567", "requestId": request_id}
    request = ipb.CreateHouseNumberApplicationRequest(
        holder_proof=proof(issuer, holder, "CreateHouseNumberApplication", params),
        location=LOCATION,
        land_title_number="โฉนด 4567",
        building_permit_number="ก.1-2568/7",
        photos=list(photos),
        request_id=request_id,
    )
    answer: ipb.CreateHouseNumberApplicationResponse = await issuer.issuer_stub.CreateHouseNumberApplication(
        request
    )
    return answer.application


async def approve(issuer: RunningIssuer, application_id: str) -> hnpb.HouseNumberApplication:
    request = opb.ApproveHouseNumberRequest(application_id=application_id, reason="site visited")
    answer: opb.ApproveHouseNumberResponse = await issuer.officer_stub.ApproveHouseNumber(
        request, metadata=issuer.officer_metadata("ApproveHouseNumber")
    )
    return answer.application


async def get(issuer: RunningIssuer, holder: Holder, application_id: str) -> hnpb.HouseNumberApplication:
    params = {"applicationId": application_id}
    request = ipb.GetHouseNumberApplicationRequest(
        holder_proof=proof(issuer, holder, "GetHouseNumberApplication", params), application_id=application_id
    )
    answer: ipb.GetHouseNumberApplicationResponse = await issuer.issuer_stub.GetHouseNumberApplication(
        request
    )
    return answer.application


async def house_credential(issuer: RunningIssuer, holder: Holder, credential_id: str) -> dict[str, Any]:
    listed = await issuer.issuer_stub.ListCredentials(
        ipb.ListCredentialsRequest(holder_proof=proof(issuer, holder, "ListCredentials", {}))
    )
    found = [c for c in listed.credentials if c.credential_id == credential_id]
    assert len(found) == 1
    document: dict[str, Any] = json.loads(found[0].credential_json)
    return document


async def test_application_is_submitted_with_its_location_and_photos(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)

    submitted = await apply(issuer, holder, photos=(PNG, PNG))

    assert submitted.state == hnpb.HOUSE_NUMBER_APPLICATION_STATE_SUBMITTED
    assert submitted.application_id.startswith("hn_")
    assert submitted.applicant_did == holder.did
    assert submitted.location.soi == "สุขุมวิท 21"
    assert submitted.location.latitude == pytest.approx(13.738)
    assert submitted.photo_count == 2
    assert (await get(issuer, holder, submitted.application_id)) == submitted


async def test_officer_sees_pending_applications_and_their_photos(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    submitted = await apply(issuer, holder, photos=(PNG,))

    pending = await issuer.officer_stub.ListPendingApplications(
        opb.ListPendingApplicationsRequest(), metadata=issuer.officer_metadata("ListPendingApplications")
    )
    photos = await issuer.officer_stub.GetApplicationPhotos(
        opb.GetApplicationPhotosRequest(application_id=submitted.application_id),
        metadata=issuer.officer_metadata("GetApplicationPhotos"),
    )

    assert [a.application_id for a in pending.applications] == [submitted.application_id]
    assert list(photos.photos) == [PNG]


async def test_approval_registers_the_house_with_the_applicant_as_owner(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    submitted = await apply(issuer, holder)

    approved = await approve(issuer, submitted.application_id)

    assert approved.state == hnpb.HOUSE_NUMBER_APPLICATION_STATE_APPROVED
    code = approved.allocated_address.house_code
    house = issuer.app.store.houses.get(code)
    assert house is not None and house.owner_national_id == OBAMA
    # the registry's only house in หมู่ 4 คลองเตยเหนือ is 99/1 (not a plain number): the next is 1
    assert house.house_number == approved.allocated_address.house_number == "1"
    assert (house.moo, house.village, house.soi) == ("4", "หมู่บ้านสุขใจ", "สุขุมวิท 21")
    actions = [e.action for e in issuer.app.store.audit.entries(issuer.app.store.audit.citizen(OBAMA))]
    assert actions[:2] == ["house_number.approve", "house_number.apply"]


async def test_second_approval_in_the_village_gets_the_next_number(issuer: RunningIssuer) -> None:
    obama, biden = Holder(), Holder()
    await desk_enrol(issuer, OBAMA, obama)
    await desk_enrol(issuer, BIDEN, biden)
    first = await approve(issuer, (await apply(issuer, obama)).application_id)

    second = await approve(issuer, (await apply(issuer, biden, "hn-2")).application_id)

    assert (first.allocated_address.house_number, second.allocated_address.house_number) == ("1", "2")
    assert first.allocated_address.house_code != second.allocated_address.house_code


async def test_owners_house_registration_credential_verifies(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    approved = await approve(issuer, (await apply(issuer, holder)).application_id)

    document = await house_credential(issuer, holder, approved.credential_id)
    result = await verify_with_status(issuer, document)

    assert result.verified, result.to_json()
    assert "HouseRegistrationCredential" in document["type"]
    subject = document["credentialSubject"]
    assert subject["id"] == holder.did
    assert subject["houseCode"] == approved.allocated_address.house_code
    assert subject["owner"]["nationalIdNumber"] == OBAMA
    assert (subject["plotNumber"], subject["latitude"]) == ("โฉนด 4567", "13.738000")


async def test_owners_credential_verifies_with_the_civid_command(
    issuer: RunningIssuer, tmp_path: Path
) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    approved = await approve(issuer, (await apply(issuer, holder)).application_id)
    document = await house_credential(issuer, holder, approved.credential_id)
    did_document, lists = await issuer_documents(issuer, document)
    (tmp_path / "house.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "did.json").write_text(json.dumps(did_document), encoding="utf-8")
    args = [
        "credential",
        "verify",
        str(tmp_path / "house.json"),
        "--controller-doc",
        str(tmp_path / "did.json"),
    ]
    for n, status_list in enumerate(lists):
        (tmp_path / f"status-{n}.json").write_text(json.dumps(status_list), encoding="utf-8")
        args += ["--status-list", str(tmp_path / f"status-{n}.json")]

    ran = subprocess.run(
        [sys.executable, "-m", "civid.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert ran.returncode == 0, ran.stdout + ran.stderr


async def test_rejection_carries_the_officers_reason_and_registers_nothing(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    submitted = await apply(issuer, holder)
    request = opb.RejectHouseNumberRequest(
        application_id=submitted.application_id, reason="no building permit"
    )

    await issuer.officer_stub.RejectHouseNumber(
        request, metadata=issuer.officer_metadata("RejectHouseNumber")
    )
    seen = await get(issuer, holder, submitted.application_id)

    assert seen.state == hnpb.HOUSE_NUMBER_APPLICATION_STATE_REJECTED
    assert seen.rejection_reason == "no building permit"
    assert not seen.HasField("allocated_address") and seen.credential_id == ""


async def test_rejection_without_a_reason_is_refused(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    submitted = await apply(issuer, holder)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await issuer.officer_stub.RejectHouseNumber(
            opb.RejectHouseNumberRequest(application_id=submitted.application_id, reason=" "),
            metadata=issuer.officer_metadata("RejectHouseNumber"),
        )

    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_a_decided_application_cannot_be_decided_again(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    submitted = await apply(issuer, holder)
    await approve(issuer, submitted.application_id)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await approve(issuer, submitted.application_id)

    assert raised.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert error_details(raised.value).reason == "INVALID_STATE"


async def test_applicant_can_cancel_while_submitted(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    submitted = await apply(issuer, holder)
    params = {"applicationId": submitted.application_id}
    request = ipb.CancelHouseNumberApplicationRequest(
        holder_proof=proof(issuer, holder, "CancelHouseNumberApplication", params),
        application_id=submitted.application_id,
    )

    cancelled = (await issuer.issuer_stub.CancelHouseNumberApplication(request)).application
    pending = await issuer.officer_stub.ListPendingApplications(
        opb.ListPendingApplicationsRequest(), metadata=issuer.officer_metadata("ListPendingApplications")
    )

    assert cancelled.state == hnpb.HOUSE_NUMBER_APPLICATION_STATE_CANCELLED
    assert list(pending.applications) == []


async def test_another_citizen_cannot_see_the_application(issuer: RunningIssuer) -> None:
    obama, biden = Holder(), Holder()
    await desk_enrol(issuer, OBAMA, obama)
    await desk_enrol(issuer, BIDEN, biden)
    submitted = await apply(issuer, obama)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await get(issuer, biden, submitted.application_id)

    assert raised.value.code() is grpc.StatusCode.NOT_FOUND


async def test_a_holder_without_a_digital_id_cannot_apply(issuer: RunningIssuer) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await apply(issuer, Holder())

    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert error_details(raised.value).reason == "HOLDER_NOT_ENROLLED"


async def test_a_photo_that_is_not_an_image_is_refused(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await apply(issuer, holder, photos=(b"GIF89a not allowed",))

    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_list_shows_the_callers_applications_newest_first(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    first = await apply(issuer, holder, "hn-1")
    second = await apply(issuer, holder, "hn-2")

    listed = await issuer.issuer_stub.ListHouseNumberApplications(
        ipb.ListHouseNumberApplicationsRequest(
            holder_proof=proof(issuer, holder, "ListHouseNumberApplications", {})
        )
    )

    assert {a.application_id for a in listed.applications} == {first.application_id, second.application_id}
    assert listed.applications[0].create_time.ToDatetime() >= listed.applications[1].create_time.ToDatetime()
