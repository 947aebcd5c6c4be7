"""Self-service enrollment over a real gRPC server with the dlib face matcher."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from civid.issuer.photos import photo_bytes
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.issuer.v1 import officer_service_pb2 as opb
from civid.rpc.errors import ErrorDetails, error_details
from tests.issuer.server_fixtures import (
    BIDEN,
    OBAMA,
    OBAMA_LASER,
    UNKNOWN,
    Holder,
    RunningIssuer,
    enroll,
)
from tests.issuer.server_fixtures import issuer as issuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher

pytestmark = pytest.mark.slow


async def failed(issuer: RunningIssuer, nid: str, laser: str, selfie: bytes) -> ErrorDetails:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await enroll(issuer.issuer_stub, Holder(), nid, laser, selfie)
    return error_details(raised.value)


async def test_selfie_of_the_same_person_enrols_and_the_credential_verifies_with_the_cli(
    issuer: RunningIssuer, tmp_path: Path
) -> None:
    holder = Holder()
    answer = await enroll(issuer.issuer_stub, holder, OBAMA, OBAMA_LASER, photo_bytes("obama2.jpg"))
    credential = json.loads(answer.credential.credential_json)
    assert credential["credentialSubject"]["id"] == holder.did
    assert credential["credentialSubject"]["photo"].startswith("data:image/jpeg;base64,")
    did_doc = await issuer.issuer_stub.GetDidDocument(ipb.GetDidDocumentRequest())
    status = credential["credentialStatus"][0]["statusListCredential"]
    listed = await issuer.issuer_stub.GetStatusList(ipb.GetStatusListRequest(status_list_credential=status))
    (tmp_path / "vc.json").write_text(answer.credential.credential_json)
    (tmp_path / "did.json").write_text(did_doc.did_document_json)
    (tmp_path / "list.json").write_text(listed.status_list_credential_json)
    suspension = credential["credentialStatus"][1]["statusListCredential"]
    listed2 = await issuer.issuer_stub.GetStatusList(
        ipb.GetStatusListRequest(status_list_credential=suspension)
    )
    (tmp_path / "list2.json").write_text(listed2.status_list_credential_json)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "civid.cli.main",
            "credential",
            "verify",
            str(tmp_path / "vc.json"),
            "--controller-doc",
            str(tmp_path / "did.json"),
            "--status-list",
            str(tmp_path / "list.json"),
            "--status-list",
            str(tmp_path / "list2.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["verified"] is True
    evidence = [e for e in issuer.app.store.audit.entries() if e.action == "enrollment.self_service"]
    assert evidence[0].details["face_backend"] == "dlib" and evidence[0].details["face_score"] <= 0.6


async def test_a_different_person_and_an_unknown_id_get_the_identical_answer(issuer: RunningIssuer) -> None:
    biden = photo_bytes("biden.jpg")
    known = await failed(issuer, OBAMA, OBAMA_LASER, biden)
    unknown = await failed(issuer, UNKNOWN, OBAMA_LASER, biden)
    assert (known.code, known.reason, dict(known.metadata)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "ENROLLMENT_FAILED",
        {"failure": "NO_MATCH", "attempts_left": "2"},
    )
    assert (unknown.code, unknown.reason, dict(unknown.metadata)) == (
        known.code,
        known.reason,
        dict(known.metadata),
    )
    assert unknown.message == known.message


async def test_unusable_selfies_fail_with_their_reason_then_enrollment_locks(issuer: RunningIssuer) -> None:
    obama = photo_bytes("obama.jpg")
    cases = [
        (photo_bytes("coffee.png"), "ENROLLMENT_FAILED", "NO_FACE"),
        (photo_bytes("obama2_and_biden.png"), "ENROLLMENT_FAILED", "MULTIPLE_FACES"),
        (obama[: len(obama) // 2], "ATTEMPTS_EXHAUSTED", "IMAGE_UNREADABLE"),
    ]
    for selfie, reason, failure in cases:
        details = await failed(issuer, BIDEN, "ME1-7654321-00", selfie)
        assert (details.reason, details.metadata["failure"]) == (reason, failure)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await issuer.issuer_stub.StartEnrollment(
            ipb.StartEnrollmentRequest(
                national_id=BIDEN, laser_code="ME1-7654321-00", holder_did=Holder().did
            )
        )
    assert error_details(raised.value).reason == "ENROLLMENT_LOCKED"
    unlocked = await issuer.officer_stub.UnlockEnrollment(
        opb.UnlockEnrollmentRequest(national_id=BIDEN, reason="identity checked at the desk"),
        metadata=issuer.officer_metadata("UnlockEnrollment"),
    )
    assert unlocked.attempts_left == 3


async def test_a_non_image_fails_as_image_unreadable(issuer: RunningIssuer) -> None:
    details = await failed(issuer, OBAMA, OBAMA_LASER, b"this is not an image")
    assert (details.reason, details.metadata["failure"]) == ("ENROLLMENT_FAILED", "IMAGE_UNREADABLE")


async def test_an_oversized_selfie_is_refused_with_the_limit_named(issuer: RunningIssuer) -> None:
    limit = issuer.app.config.max_selfie_bytes
    details = await failed(issuer, OBAMA, OBAMA_LASER, b"\xff" * (limit + 1))
    assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "IMAGE_TOO_LARGE")
    assert details.metadata["limit_bytes"] == str(limit)


async def test_a_malformed_national_id_is_invalid_argument(issuer: RunningIssuer) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await issuer.issuer_stub.StartEnrollment(
            ipb.StartEnrollmentRequest(
                national_id="1234567890123", laser_code=OBAMA_LASER, holder_did=Holder().did
            )
        )
    assert error_details(raised.value).reason == "INVALID_NATIONAL_ID"
