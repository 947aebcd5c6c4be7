"""Several processes, one service: 2 issuers on one PostgreSQL database, 2 verifiers sharing Redis.

Every program is a separate OS process on its own free port. The issuers share a fresh PostgreSQL
database (and the key passphrase); the verifiers share a second fresh PostgreSQL database (relying
parties, requests, results) and their single-use nonces through Redis under a random key prefix.
Verifier #1 reads status lists from issuer #1, verifier #2 from issuer #2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest

from civid.cli.demo_steps.officer import revoke_credential
from civid.cli.demo_steps.processes import Server
from civid.cli.demo_steps.relying_party import RelyingParty
from civid.cli.demo_steps.wallet import HeadlessWallet
from civid.common.v1 import credential_status_pb2
from civid.issuer.v1 import issuer_service_pb2, issuer_service_pb2_grpc
from civid.rpc.errors import error_details
from civid.verifier.v1 import presentation_pb2
from tests.integration.processes import (
    AIRLINE,
    AIRLINE_POLICY,
    REDIS_URL,
    Holder,
    Officer,
    ProcessStack,
    error_codes,
    fresh_postgres_database,
    issuer_args,
    redis_key_prefix,
    redis_keys,
    relying_party,
    run_civid,
    submit_presentation,
    trust_and_policies,
    verifier_args,
    write_passphrase,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

AIRLINE_CLAIMS = {"titleEn", "givenNameEn", "familyNameEn", "photo", "nationalIdNumber"}
# Demo-registry citizens (national ID, laser code); each test enrols its own at the desk.
PRASERT = ("3500164666095", "HZ1-5901000-77")
MALEE = ("3500152188321", "MJ0-6987252-37")
WANIDA = ("1400103687224", "LF2-2272777-27")
ANAN = ("3830181608437", "WL6-9622100-57")
KANYA = ("3901156422112", "ZT0-8292356-17")
SOMCHAI = ("1103083804285", "DP5-4133755-69")  # self-service, with a face


@dataclass(frozen=True)
class Cluster:
    issuers: tuple[Server, Server]
    verifiers: tuple[Server, Server]
    airline: tuple[RelyingParty, RelyingParty]  # one relying party, its key valid at both verifiers
    officer: Officer
    redis_prefix: str
    work: Path


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    work = tmp_path_factory.mktemp("multiprocess")
    with ExitStack() as stack:
        issuer_db = stack.enter_context(fresh_postgres_database("civid_it_issuer"))
        verifier_db = stack.enter_context(fresh_postgres_database("civid_it_verifier"))
        prefix = stack.enter_context(redis_key_prefix())
        running = ProcessStack(work)
        stack.callback(running.stop_all)
        officer = Officer.new()
        run_civid(officer.register_args(["--database-url", issuer_db, "--data-dir", str(work / "admin")]))
        passphrase = write_passphrase(work / "issuer-key.passphrase")

        def issuer(n: int) -> list[str]:
            return issuer_args(
                data_dir=work / f"issuer-{n}", passphrase_file=passphrase, database_url=issuer_db
            )

        def verifier(n: int, trusted: Server) -> list[str]:
            trust, policies = trust_and_policies(work, trusted, str(n))
            return verifier_args(
                data_dir=work / f"verifier-{n}",
                trust=trust,
                policies=policies,
                database_url=verifier_db,
                redis_url=REDIS_URL,
                redis_prefix=prefix,
            )

        # Issuer #1 loads the demo registry on first start; the others find the database ready.
        issuer_1 = running.start("issuer-1", issuer(1))
        issuer_2 = running.launch("issuer-2", issuer(2))
        verifier_1 = running.launch("verifier-1", verifier(1, issuer_1))
        running.wait(issuer_2, verifier_1)
        verifier_2 = running.start("verifier-2", verifier(2, issuer_2))
        airline_1 = relying_party(work / "verifier-1", AIRLINE, verifier_1)
        airline_2 = RelyingParty(AIRLINE, airline_1.api_key, verifier_2.address)
        yield Cluster(
            (issuer_1, issuer_2), (verifier_1, verifier_2), (airline_1, airline_2), officer, prefix, work
        )


def enrol_at_desk(
    cluster: Cluster, issuer: Server, citizen: tuple[str, str], photo: bytes
) -> tuple[Holder, dict[str, Any]]:
    holder = Holder.new()
    national_id, laser_code = citizen
    answer = cluster.officer.assisted_enrollment(issuer.address, national_id, laser_code, holder.did, photo)
    return holder, json.loads(answer.credential.credential_json)


def present_at(
    airline: RelyingParty, verifier: Server, holder: Holder, credential: dict[str, Any]
) -> presentation_pb2.PresentationResult:
    """A fresh airline request at ``airline``'s verifier, answered at ``verifier``; the RP's result."""
    request = airline.create_request(AIRLINE_POLICY)
    submit_presentation(
        verifier,
        request.presentation_request_id,
        holder.present(credential, request.challenge, request.domain),
    )
    return airline.result(request.presentation_request_id)


def credential_state(issuer: Server, credential_id: str) -> str:
    with grpc.insecure_channel(issuer.address) as channel:
        stub = issuer_service_pb2_grpc.IssuerServiceStub(channel)
        answer = stub.GetCredentialStatus(
            issuer_service_pb2.GetCredentialStatusRequest(credential_id=credential_id), timeout=30
        )
    return str(credential_status_pb2.CredentialState.Name(answer.state))


def did_document(issuer: Server) -> dict[str, Any]:
    with grpc.insecure_channel(issuer.address) as channel:
        stub = issuer_service_pb2_grpc.IssuerServiceStub(channel)
        answer = stub.GetDidDocument(issuer_service_pb2.GetDidDocumentRequest(), timeout=30)
    return dict(json.loads(answer.did_document_json))


def test_both_issuers_publish_the_same_did_document_from_the_shared_database(cluster: Cluster) -> None:
    first, second = cluster.issuers
    assert did_document(first) == did_document(second)
    assert did_document(first)["id"] == "did:web:issuer.civid.example"


def test_citizen_enrolled_at_issuer_1_is_verified_by_both_verifiers(
    cluster: Cluster, desk_photo: bytes
) -> None:
    holder, credential = enrol_at_desk(cluster, cluster.issuers[0], PRASERT, desk_photo)
    for airline, verifier in zip(cluster.airline, cluster.verifiers, strict=True):
        result = present_at(airline, verifier, holder, credential)
        assert result.verification.verified, error_codes(result.verification)
        assert set(result.released_claims) == AIRLINE_CLAIMS
        assert result.released_claims["nationalIdNumber"] == PRASERT[0]


def test_request_created_at_verifier_1_is_answered_at_verifier_2(cluster: Cluster, desk_photo: bytes) -> None:
    holder, credential = enrol_at_desk(cluster, cluster.issuers[0], MALEE, desk_photo)
    airline_1, airline_2 = cluster.airline
    result = present_at(airline_1, cluster.verifiers[1], holder, credential)
    assert result.verification.verified, error_codes(result.verification)
    assert result.released_claims["nationalIdNumber"] == MALEE[0]
    request_id = result.presentation_request_id
    assert airline_2.result(request_id).released_claims == result.released_claims


def test_request_nonce_lives_in_redis_until_it_is_used(cluster: Cluster, desk_photo: bytes) -> None:
    holder, credential = enrol_at_desk(cluster, cluster.issuers[0], ANAN, desk_photo)
    request = cluster.airline[0].create_request(AIRLINE_POLICY)
    assert any(request.challenge.encode() in key for key in redis_keys(cluster.redis_prefix))
    vp = holder.present(credential, request.challenge, request.domain)
    assert submit_presentation(
        cluster.verifiers[1], request.presentation_request_id, vp
    ).verification.verified
    assert not any(request.challenge.encode() in key for key in redis_keys(cluster.redis_prefix))


def test_nonce_used_at_one_verifier_is_refused_at_the_other(cluster: Cluster, desk_photo: bytes) -> None:
    holder, credential = enrol_at_desk(cluster, cluster.issuers[0], WANIDA, desk_photo)
    request = cluster.airline[0].create_request(AIRLINE_POLICY)
    vp = holder.present(credential, request.challenge, request.domain)
    first, second = cluster.verifiers
    assert submit_presentation(first, request.presentation_request_id, vp).verification.verified
    with pytest.raises(grpc.RpcError) as replay:
        submit_presentation(second, request.presentation_request_id, vp)
    assert replay.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert error_details(replay.value).reason == "NONCE_ALREADY_USED"


@pytest.mark.face
def test_self_service_enrollment_with_a_face_at_issuer_2_presents_at_verifier_1(
    cluster: Cluster, selfie: Path
) -> None:
    """Issuer #2 matches the selfie against the face template issuer #1 sealed into the shared database."""
    wallet = HeadlessWallet(cluster.work / "wallet", "246810")
    wallet.run("init", "--issuer", cluster.issuers[1].address, "--verifier", cluster.verifiers[0].address)
    wallet.run("enrol", "--national-id", SOMCHAI[0], "--laser-code", SOMCHAI[1], "--selfie", str(selfie))
    request = cluster.airline[0].create_request(AIRLINE_POLICY)
    code, outcome = wallet.run("present", "--request", request.compact, "--yes")
    result = cluster.airline[0].result(request.presentation_request_id)
    assert code == 0 and result.verification.verified, (outcome, error_codes(result.verification))
    assert result.released_claims["nationalIdNumber"] == SOMCHAI[0]


def test_revocation_at_issuer_2_is_seen_by_both_verifiers(cluster: Cluster, desk_photo: bytes) -> None:
    holder, credential = enrol_at_desk(cluster, cluster.issuers[0], KANYA, desk_photo)
    first, second = cluster.issuers
    revoke_credential(
        second.address, cluster.officer.key, cluster.officer.officer_id, credential["id"], "lost phone"
    )
    assert credential_state(first, credential["id"]) == "CREDENTIAL_STATE_REVOKED"
    for airline, verifier in zip(cluster.airline, cluster.verifiers, strict=True):
        result = present_at(airline, verifier, holder, credential)
        assert not result.verification.verified
        assert "REVOKED" in error_codes(result.verification)
        assert not result.released_claims
