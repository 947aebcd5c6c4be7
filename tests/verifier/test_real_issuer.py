"""The verifier's key paths against the REAL issuer: its credentials, its status lists, its officer's desk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import AIRLINE, CONSULATE
from server_fixtures import Holder, RealIssuerEnv, TestIssuer, start_env_with_real_issuer

from civid.common.v1 import verification_pb2
from civid.issuer.v1 import officer_service_pb2 as opb
from civid.verifier.v1 import presentation_pb2
from civid.verifier.v1 import verifier_service_pb2 as pb
from tests.issuer.server_fixtures import BIDEN, OBAMA
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher

pytestmark = pytest.mark.slow
BOARDING = "airline-domestic-boarding"
PASSPORT = "passport-application"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory, issuer_face_matcher: Any) -> Iterator[RealIssuerEnv]:
    with start_env_with_real_issuer(tmp_path_factory.mktemp("real-issuer"), issuer_face_matcher) as env:
        yield env


def present(
    env: RealIssuerEnv, rp: str, policy: str, holder: Holder, credential: dict[str, Any]
) -> tuple[pb.SubmitPresentationResponse, presentation_pb2.PresentationResult]:
    """The relying party asks, the holder answers with ``credential``; the wallet's answer and the RP's result."""
    from civid.verifier.v1 import verifier_service_pb2_grpc as pb_grpc

    stub = pb_grpc.VerifierServiceStub(env.channel)
    created = stub.CreatePresentationRequest(
        pb.CreatePresentationRequestRequest(policy_id=policy), metadata=env.rp_metadata(rp)
    ).presentation_request
    vp = holder.present([credential], created.challenge, created.domain)
    answer = stub.SubmitPresentation(
        pb.SubmitPresentationRequest(
            presentation_request_id=created.presentation_request_id, presentation_json=json.dumps(vp)
        )
    )
    result = stub.GetPresentationResult(
        pb.GetPresentationResultRequest(presentation_request_id=created.presentation_request_id),
        metadata=env.rp_metadata(rp),
    ).result
    return answer, result


def failed_codes(verification: verification_pb2.VerificationResult) -> set[str]:
    return {c.code for c in verification.checks if c.outcome == verification_pb2.CHECK_OUTCOME_FAILED}


def test_airline_boarding_verifies_the_real_issuers_credential_and_releases_only_its_claims(
    real: RealIssuerEnv,
) -> None:
    holder = Holder.new()
    answer, result = present(real, AIRLINE, BOARDING, holder, real.issue_national_id(OBAMA, holder.did))
    assert answer.verification.verified, failed_codes(answer.verification)
    assert result.issuer_did == real.issuer_did and result.holder_did == holder.did
    assert set(result.released_claims) == {
        "givenNameEn",
        "familyNameEn",
        "titleEn",
        "photo",
        "nationalIdNumber",
    }
    assert result.released_claims["nationalIdNumber"] == OBAMA


def test_passport_application_verifies_the_real_issuers_credential_with_the_full_identity(
    real: RealIssuerEnv,
) -> None:
    holder = Holder.new()
    answer, result = present(real, CONSULATE, PASSPORT, holder, real.issue_national_id(BIDEN, holder.did))
    assert answer.verification.verified, failed_codes(answer.verification)
    assert {"givenNameTh", "birthDate", "nationalIdNumber"} <= set(result.released_claims)
    assert result.released_claims["familyNameEn"] == "Biden"


def test_a_credential_the_officer_revoked_fails_with_revoked(real: RealIssuerEnv) -> None:
    holder = Holder.new()
    credential = real.issue_national_id(OBAMA, holder.did)
    real.officer(
        "RevokeCredential", opb.RevokeCredentialRequest(credential_id=credential["id"], reason="lost phone")
    )
    answer, result = present(real, CONSULATE, PASSPORT, holder, credential)
    assert not answer.verification.verified
    assert "REVOKED" in failed_codes(answer.verification)
    assert not result.released_claims


def test_a_credential_the_officer_suspended_fails_with_suspended(real: RealIssuerEnv) -> None:
    holder = Holder.new()
    credential = real.issue_national_id(BIDEN, holder.did)
    real.officer(
        "SuspendCredential",
        opb.SuspendCredentialRequest(credential_id=credential["id"], reason="under review"),
    )
    answer, _ = present(real, CONSULATE, PASSPORT, holder, credential)
    assert not answer.verification.verified
    assert "SUSPENDED" in failed_codes(answer.verification)


def test_a_credential_replaced_at_the_desk_is_revoked_for_the_verifier(real: RealIssuerEnv) -> None:
    holder = Holder.new()
    old = real.issue_national_id(OBAMA, holder.did)
    real.issue_national_id(OBAMA, Holder.new().did)  # a new phone: the old credential is revoked
    answer, _ = present(real, CONSULATE, PASSPORT, holder, old)
    assert "REVOKED" in failed_codes(answer.verification)


def test_a_credential_from_an_issuer_the_verifier_does_not_trust_fails(real: RealIssuerEnv) -> None:
    holder = Holder.new()
    stranger = TestIssuer(did="did:web:evil-issuer.example")
    answer, _ = present(real, AIRLINE, BOARDING, holder, stranger.issue(holder.did, 1))
    assert not answer.verification.verified
    assert "UNTRUSTED_ISSUER" in failed_codes(answer.verification)
