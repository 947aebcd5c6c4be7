"""Certified copies over a real issuer: own credential types, checked by `civid credential verify`."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest

from civid.common.v1 import credential_status_pb2
from civid.issuer.v1 import certified_copy_pb2 as ccpb
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.rpc.errors import error_details
from tests.issuer.eservices_a_fixtures import CURRENT_HOUSE, desk_enrol, issuer_documents, proof
from tests.issuer.eservices_a_fixtures import registry_issuer as registry_issuer
from tests.issuer.server_fixtures import BIDEN, OBAMA, Holder, RunningIssuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher

pytestmark = pytest.mark.slow
HOUSEHOLD = ccpb.CERTIFIED_RECORD_TYPE_HOUSEHOLD_EXTRACT
BIRTH = ccpb.CERTIFIED_RECORD_TYPE_BIRTH_RECORD


async def copy(
    issuer: RunningIssuer, holder: Holder, record_type: int, request_id: str = "copy-1"
) -> ccpb.CertifiedCopy:
    params = {"recordType": ccpb.CertifiedRecordType.Name(record_type), "requestId": request_id}  # type: ignore[arg-type]
    request = ipb.CreateCertifiedCopyRequest(
        holder_proof=proof(issuer, holder, "CreateCertifiedCopy", params),
        record_type=record_type,  # type: ignore[arg-type]
        request_id=request_id,
    )
    return (await issuer.issuer_stub.CreateCertifiedCopy(request)).certified_copy


async def civid_verify(
    issuer: RunningIssuer, document: dict[str, Any], folder: Path
) -> subprocess.CompletedProcess[str]:
    """Run `civid credential verify` with the issuer's DID document and the copy's status list."""
    did_document, lists = await issuer_documents(issuer, document)
    (folder / "copy.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (folder / "did.json").write_text(json.dumps(did_document), encoding="utf-8")
    args = ["credential", "verify", str(folder / "copy.json"), "--controller-doc", str(folder / "did.json")]
    for n, status_list in enumerate(lists):
        (folder / f"status-{n}.json").write_text(json.dumps(status_list), encoding="utf-8")
        args += ["--status-list", str(folder / f"status-{n}.json")]
    return subprocess.run(
        [sys.executable, "-m", "civid.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def test_household_copy_lists_the_members_of_the_callers_house(registry_issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(registry_issuer, OBAMA, holder)
    issued = await copy(registry_issuer, holder, HOUSEHOLD)
    document = json.loads(issued.credential_json)
    subject = document["credentialSubject"]
    assert document["type"] == ["VerifiableCredential", "HouseholdRegistrationCredential"]
    assert subject["houseCode"] == CURRENT_HOUSE
    assert sorted(m["nationalIdNumber"] for m in subject["members"]) == sorted([OBAMA, BIDEN])
    assert subject["certificationReference"].startswith("ทร.14/")
    assert subject["id"] == holder.did


async def test_household_copy_verifies_with_civid_credential_verify(
    registry_issuer: RunningIssuer, tmp_path: Path
) -> None:
    holder = Holder()
    await desk_enrol(registry_issuer, OBAMA, holder)
    document = json.loads((await copy(registry_issuer, holder, HOUSEHOLD)).credential_json)
    done = await civid_verify(registry_issuer, document, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["verified"] is True


async def test_a_tampered_household_copy_fails_civid_credential_verify(
    registry_issuer: RunningIssuer, tmp_path: Path
) -> None:
    holder = Holder()
    await desk_enrol(registry_issuer, OBAMA, holder)
    document = json.loads((await copy(registry_issuer, holder, HOUSEHOLD)).credential_json)
    document["credentialSubject"]["members"] = document["credentialSubject"]["members"][:1]
    done = await civid_verify(registry_issuer, document, tmp_path)
    assert done.returncode == 1
    assert "INVALID_SIGNATURE" in done.stdout


async def test_birth_record_copy_verifies_and_fails_when_its_birth_date_is_changed(
    registry_issuer: RunningIssuer, tmp_path: Path
) -> None:
    holder = Holder()
    await desk_enrol(registry_issuer, OBAMA, holder)
    issued = await copy(registry_issuer, holder, BIRTH)
    document = json.loads(issued.credential_json)
    assert document["type"] == ["VerifiableCredential", "BirthRecordCredential"]
    assert document["credentialSubject"]["birthDate"] == "1961-08-04"
    assert (await civid_verify(registry_issuer, document, tmp_path)).returncode == 0
    document["credentialSubject"]["birthDate"] = "1971-08-04"
    assert (await civid_verify(registry_issuer, document, tmp_path)).returncode == 1


async def test_the_verification_reference_names_the_credential_and_its_digest(
    registry_issuer: RunningIssuer,
) -> None:
    holder = Holder()
    await desk_enrol(registry_issuer, OBAMA, holder)
    issued = await copy(registry_issuer, holder, BIRTH)
    digest = hashlib.sha256(issued.credential_json.encode()).hexdigest()[:16]
    assert (
        issued.verification_reference
        == f"civid:copy:{issued.credential_id.removeprefix('urn:uuid:')}:{digest}"
    )
    status = await registry_issuer.issuer_stub.GetCredentialStatus(
        ipb.GetCredentialStatusRequest(credential_id=issued.credential_id)
    )
    assert status.state == credential_status_pb2.CREDENTIAL_STATE_ACTIVE


async def test_a_retry_with_the_same_request_id_returns_the_same_copy(registry_issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(registry_issuer, OBAMA, holder)
    first = await copy(registry_issuer, holder, BIRTH, "same")
    again = await copy(registry_issuer, holder, BIRTH, "same")
    assert again.credential_id == first.credential_id
    assert len(registry_issuer.app.store.certified_copies.for_citizen(OBAMA)) == 1


async def test_a_copy_without_a_record_type_is_an_invalid_argument(registry_issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(registry_issuer, OBAMA, holder)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await copy(registry_issuer, holder, ccpb.CERTIFIED_RECORD_TYPE_UNSPECIFIED)
    assert error_details(caught.value).reason == "FIELD_INVALID"
