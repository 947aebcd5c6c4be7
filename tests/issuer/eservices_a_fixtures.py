"""Fixtures for the address-change and certified-copy tests: a registry with a second house, owned by
BIDEN, that OBAMA can ask to move into; wallets enrolled at the officer desk (no face pipeline)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Final

import pytest

from civid.cli.credential import FileStatusLists
from civid.core.credential import CredentialChecks, verify_credential
from civid.core.did.resolver import DidResolver
from civid.core.result import VerificationResult
from civid.issuer.face import FaceMatcher
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.issuer.v1 import officer_service_pb2 as opb
from tests.issuer.server_fixtures import (
    BIDEN,
    OBAMA,
    OBAMA_LASER,
    Holder,
    RunningIssuer,
    issuer_test_config,
    start_issuer,
    stop_issuer,
    write_test_registry,
)

NEW_HOUSE: Final = "10050999999"
CURRENT_HOUSE: Final = "10050123456"


def write_registry_with_owned_house(path: Path) -> Path:
    """The two-citizen test registry plus house NEW_HOUSE owned by BIDEN."""
    write_test_registry(path)
    house = {
        "kind": "house",
        "house_number": "12",
        "moo": "7",
        "sub_district": "บางรัก",
        "district": "บางรัก",
        "province": "กรุงเทพมหานคร",
        "postal_code": "10500",
        "house_code": NEW_HOUSE,
        "owner_national_id": BIDEN,
    }
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(house, ensure_ascii=False) + "\n")
    return path


async def started(tmp_path: Path, matcher: FaceMatcher, **overrides: Any) -> RunningIssuer:
    config = issuer_test_config(tmp_path / "issuer", **overrides)
    return await start_issuer(config, matcher, write_registry_with_owned_house(tmp_path / "registry.jsonl"))


@pytest.fixture
async def registry_issuer(tmp_path: Path, issuer_face_matcher: FaceMatcher) -> AsyncIterator[RunningIssuer]:
    running = await started(tmp_path, issuer_face_matcher)
    try:
        yield running
    finally:
        await stop_issuer(running)


@pytest.fixture
async def short_expiry_issuer(
    tmp_path: Path, issuer_face_matcher: FaceMatcher
) -> AsyncIterator[RunningIssuer]:
    """Address changes expire one second after they are made."""
    running = await started(tmp_path, issuer_face_matcher, address_change_ttl_seconds=1)
    try:
        yield running
    finally:
        await stop_issuer(running)


async def desk_enrol(issuer: RunningIssuer, nid: str, holder: Holder) -> dict[str, Any]:
    """Officer-assisted enrollment of ``nid`` bound to ``holder``; the credential document."""
    request = opb.AssistedEnrollmentRequest(
        national_id=nid,
        laser_code=OBAMA_LASER if nid == OBAMA else "",
        holder_did=holder.did,
        desk_photo=b"\xff\xd8\xff desk photo",
        reason="card and face checked at the desk",
        request_id=f"enrol-{uuid.uuid4().hex[:12]}",
    )
    answer = await issuer.officer_stub.AssistedEnrollment(
        request, metadata=issuer.officer_metadata("AssistedEnrollment")
    )
    document: dict[str, Any] = json.loads(answer.credential.credential_json)
    return document


def nonce() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex[:8]


def proof(issuer: RunningIssuer, holder: Holder, rpc: str, params: dict[str, str]) -> Any:
    """A fresh HolderProof by ``holder`` for IssuerService.<rpc>."""
    return holder.proof(issuer.app.keys.did, f"/civid.issuer.v1.IssuerService/{rpc}", nonce(), params)


async def issuer_documents(
    issuer: RunningIssuer, credential: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The issuer's DID document and the status lists ``credential`` points to, fetched over gRPC."""
    did = await issuer.issuer_stub.GetDidDocument(ipb.GetDidDocumentRequest())
    lists = []
    for entry in credential.get("credentialStatus", []):
        answer = await issuer.issuer_stub.GetStatusList(
            ipb.GetStatusListRequest(status_list_credential=entry["statusListCredential"])
        )
        lists.append(json.loads(answer.status_list_credential_json))
    return json.loads(did.did_document_json), lists


async def verify_with_status(issuer: RunningIssuer, credential: dict[str, Any]) -> VerificationResult:
    did_document, lists = await issuer_documents(issuer, credential)
    checks = CredentialChecks(DidResolver([did_document]), None, FileStatusLists(lists))
    return verify_credential(credential, checks)
