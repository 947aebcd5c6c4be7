"""VerifierService over a real server on 127.0.0.1: requests, submissions, results, failures named."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import grpc
import pytest
from conftest import AIRLINE, CONSULATE, VerifierEnv
from google.protobuf import duration_pb2
from server_fixtures import Holder, TestIssuer

from civid.common.v1 import verification_pb2
from civid.core.statuslist.bitstring import StatusPurpose
from civid.rpc.errors import error_details
from civid.verifier.v1 import presentation_pb2
from civid.verifier.v1 import verifier_service_pb2 as pb

BOARDING = "airline-domestic-boarding"
PASSPORT = "passport-application"
_index = itertools.count(1)


def new_request(
    env: VerifierEnv, rp: str, policy: str, **fields: Any
) -> presentation_pb2.PresentationRequest:
    answer = env.stub.CreatePresentationRequest(
        pb.CreatePresentationRequestRequest(policy_id=policy, **fields), metadata=env.rp_metadata(rp)
    )
    return answer.presentation_request


def presentation_for(
    env: VerifierEnv, holder: Holder, request: presentation_pb2.PresentationRequest, index: int | None = None
) -> dict[str, Any]:
    credential = env.issuer.issue(holder.did, index if index is not None else next(_index))
    return holder.present([credential], request.challenge, request.domain)


def submit(env: VerifierEnv, request_id: str, vp: dict[str, Any]) -> pb.SubmitPresentationResponse:
    return env.stub.SubmitPresentation(
        pb.SubmitPresentationRequest(presentation_request_id=request_id, presentation_json=json.dumps(vp))
    )


def result_of(env: VerifierEnv, rp: str, request_id: str) -> presentation_pb2.PresentationResult:
    request = pb.GetPresentationResultRequest(presentation_request_id=request_id)
    return env.stub.GetPresentationResult(request, metadata=env.rp_metadata(rp)).result


def failed_codes(verification: verification_pb2.VerificationResult) -> set[str]:
    return {c.code for c in verification.checks if c.outcome == verification_pb2.CHECK_OUTCOME_FAILED}


def rpc_error(call: Any) -> Any:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return error_details(caught.value)


def test_airline_boarding_verifies_and_releases_only_the_policy_claims(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    request = new_request(verifier_env, AIRLINE, BOARDING)
    answer = submit(
        verifier_env, request.presentation_request_id, presentation_for(verifier_env, holder, request)
    )
    assert answer.verification.verified, failed_codes(answer.verification)
    assert answer.relying_party_display_name.en == "Thai Domestic Air"
    result = result_of(verifier_env, AIRLINE, request.presentation_request_id)
    assert result.state == presentation_pb2.PRESENTATION_REQUEST_STATE_COMPLETED
    assert set(result.released_claims) == {
        "titleEn",
        "givenNameEn",
        "familyNameEn",
        "photo",
        "nationalIdNumber",
    }
    assert result.holder_did == holder.did and result.issuer_did == verifier_env.issuer.did


def test_the_wallet_answer_carries_no_claim_values(verifier_env: VerifierEnv, holder: Holder) -> None:
    request = new_request(verifier_env, AIRLINE, BOARDING)
    answer = submit(
        verifier_env, request.presentation_request_id, presentation_for(verifier_env, holder, request)
    )
    assert "Jaidee" not in str(answer) and "1101700203451" not in str(answer)
    assert set(answer.released_claim_names) == {
        "titleEn",
        "givenNameEn",
        "familyNameEn",
        "photo",
        "nationalIdNumber",
    }


def test_passport_application_releases_the_full_identity_through_the_watch_stream(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    request = new_request(verifier_env, CONSULATE, PASSPORT)
    watch = verifier_env.stub.WatchPresentationResult(
        pb.WatchPresentationResultRequest(presentation_request_id=request.presentation_request_id),
        metadata=verifier_env.rp_metadata(CONSULATE),
    )
    first = next(watch)
    assert first.result.state == presentation_pb2.PRESENTATION_REQUEST_STATE_PENDING
    submit(verifier_env, request.presentation_request_id, presentation_for(verifier_env, holder, request))
    final = [m.result for m in watch][-1]
    assert final.verification.verified, failed_codes(final.verification)
    assert final.released_claims["birthDate"] == "1985-01-15"
    assert json.loads(final.released_claims["address"]) == {"province": "Bangkok", "district": "Phra Nakhon"}
    assert json.loads(final.released_claims_json)["address"]["province"] == "Bangkok"


def test_the_consent_screen_shows_the_registered_name_from_the_compact_string(
    verifier_env: VerifierEnv,
) -> None:
    request = new_request(verifier_env, AIRLINE, BOARDING, claims=["givenNameEn", "photo"])
    assert request.compact == f"civid-pr:v1:{request.presentation_request_id}@{verifier_env.address}"
    shown = verifier_env.stub.GetPresentationRequest(
        pb.GetPresentationRequestRequest(compact=request.compact)
    )
    shown_request = shown.presentation_request
    assert shown_request.relying_party_display_name.en == "Thai Domestic Air"
    assert [c.name for c in shown_request.requested_claims] == ["givenNameEn", "photo"]
    assert shown_request.challenge == request.challenge and shown_request.purpose.en


def test_a_compact_string_in_another_format_is_refused_naming_the_field(verifier_env: VerifierEnv) -> None:
    request = new_request(verifier_env, AIRLINE, BOARDING)
    other_format = "civid-pr:v1:eyJyZXF1ZXN0IjoiYWJjZGVmZ2giLCJ2ZXJpZmllciI6Img6MSJ9"  # base64url JSON
    for text in (other_format, request.compact.replace("@", "#")):
        with pytest.raises(grpc.RpcError) as caught:
            verifier_env.stub.GetPresentationRequest(pb.GetPresentationRequestRequest(compact=text))
        details = error_details(caught.value)
        assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "FIELD_INVALID")
        assert details.metadata["field"] == "compact"


def test_replayed_presentation_is_refused_with_nonce_already_used(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    request = new_request(verifier_env, AIRLINE, BOARDING)
    vp = presentation_for(verifier_env, holder, request)
    submit(verifier_env, request.presentation_request_id, vp)
    error = rpc_error(lambda: submit(verifier_env, request.presentation_request_id, vp))
    assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "NONCE_ALREADY_USED")


def test_presentation_signed_for_another_domain_fails_with_domain_mismatch(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    request = new_request(verifier_env, AIRLINE, BOARDING)
    credential = verifier_env.issuer.issue(holder.did, next(_index))
    vp = holder.present([credential], request.challenge, "did:web:evil-verifier.example")
    answer = submit(verifier_env, request.presentation_request_id, vp)
    assert not answer.verification.verified
    assert "DOMAIN_MISMATCH" in failed_codes(answer.verification)
    assert result_of(verifier_env, AIRLINE, request.presentation_request_id).released_claims == {}


def test_submission_after_the_request_expired_fails_with_request_expired(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    request = new_request(verifier_env, AIRLINE, BOARDING, ttl=duration_pb2.Duration(seconds=1))
    vp = presentation_for(verifier_env, holder, request)
    time.sleep(1.2)
    error = rpc_error(lambda: submit(verifier_env, request.presentation_request_id, vp))
    assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "REQUEST_EXPIRED")


@pytest.mark.parametrize(
    ("purpose", "code"), [(StatusPurpose.REVOCATION, "REVOKED"), (StatusPurpose.SUSPENSION, "SUSPENDED")]
)
def test_revoked_or_suspended_credential_fails_with_its_status(
    verifier_env: VerifierEnv, holder: Holder, purpose: StatusPurpose, code: str
) -> None:
    index = next(_index)
    verifier_env.issuer.set_status(purpose, index)
    request = new_request(verifier_env, CONSULATE, PASSPORT)  # freshness 0: the issuer's current list
    answer = submit(
        verifier_env, request.presentation_request_id, presentation_for(verifier_env, holder, request, index)
    )
    assert not answer.verification.verified
    assert code in failed_codes(answer.verification)


def test_credential_from_an_untrusted_issuer_fails(verifier_env: VerifierEnv, holder: Holder) -> None:
    stranger = TestIssuer(did="did:web:evil-issuer.example")
    request = new_request(verifier_env, AIRLINE, BOARDING)
    vp = holder.present([stranger.issue(holder.did, 1)], request.challenge, request.domain)
    answer = submit(verifier_env, request.presentation_request_id, vp)
    assert not answer.verification.verified
    assert "UNTRUSTED_ISSUER" in failed_codes(answer.verification)


def test_airline_asking_for_a_claim_outside_its_policy_is_refused_at_creation(
    verifier_env: VerifierEnv,
) -> None:
    error = rpc_error(
        lambda: new_request(verifier_env, AIRLINE, BOARDING, claims=["givenNameEn", "religion"])
    )
    assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "CLAIM_NOT_ALLOWED")
    assert error.metadata["claim"] == "religion"


def test_airline_cannot_use_the_consulates_policy(verifier_env: VerifierEnv) -> None:
    error = rpc_error(lambda: new_request(verifier_env, AIRLINE, PASSPORT))
    assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "POLICY_NOT_ALLOWED")


def test_a_relying_party_cannot_read_another_relying_partys_result(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    request = new_request(verifier_env, CONSULATE, PASSPORT)
    submit(verifier_env, request.presentation_request_id, presentation_for(verifier_env, holder, request))
    error = rpc_error(lambda: result_of(verifier_env, AIRLINE, request.presentation_request_id))
    assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "REQUEST_NOT_FOUND")


def test_an_unknown_api_key_is_unauthenticated(verifier_env: VerifierEnv) -> None:
    metadata = (("authorization", "Bearer crp1." + "0" * 32 + "." + "A" * 43),)
    call = verifier_env.stub.ListPolicies
    error = rpc_error(lambda: call(pb.ListPoliciesRequest(), metadata=metadata))
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "RP_UNAUTHENTICATED")


def test_tampered_presentation_fails_with_invalid_signature(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    request = new_request(verifier_env, AIRLINE, BOARDING)
    vp = presentation_for(verifier_env, holder, request)
    vp["verifiableCredential"][0]["credentialSubject"]["givenNameEn"] = "Mallory"
    answer = submit(verifier_env, request.presentation_request_id, vp)
    assert not answer.verification.verified
    assert "INVALID_SIGNATURE" in failed_codes(answer.verification)


def test_presentation_of_another_holders_credential_fails(verifier_env: VerifierEnv, holder: Holder) -> None:
    thief = Holder.new()
    request = new_request(verifier_env, AIRLINE, BOARDING)
    stolen = verifier_env.issuer.issue(holder.did, next(_index))
    answer = submit(
        verifier_env,
        request.presentation_request_id,
        thief.present([stolen], request.challenge, request.domain),
    )
    assert not answer.verification.verified
    assert "SUBJECT_NOT_HOLDER" in failed_codes(answer.verification)


def test_a_10_mb_presentation_is_refused_before_parsing(verifier_env: VerifierEnv) -> None:
    request = new_request(verifier_env, AIRLINE, BOARDING)
    huge = '{"padding": "' + "x" * (10 * 1024 * 1024) + '"}'
    call = verifier_env.stub.SubmitPresentation
    message = pb.SubmitPresentationRequest(
        presentation_request_id=request.presentation_request_id, presentation_json=huge
    )
    error = rpc_error(lambda: call(message))
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert str(verifier_env.settings.max_message_bytes) in error.message or "larger than max" in error.message
    shown = verifier_env.stub.GetPresentationRequest(
        pb.GetPresentationRequestRequest(presentation_request_id=request.presentation_request_id)
    )
    assert shown.presentation_request.state == presentation_pb2.PRESENTATION_REQUEST_STATE_PENDING


def test_a_presentation_just_over_the_limit_is_named_message_too_large(verifier_env: VerifierEnv) -> None:
    request = new_request(verifier_env, AIRLINE, BOARDING)
    limit = verifier_env.settings.max_message_bytes
    message = pb.SubmitPresentationRequest(
        presentation_request_id=request.presentation_request_id, presentation_json="x" * (limit + 1)
    )
    error = rpc_error(lambda: verifier_env.stub.SubmitPresentation(message))
    assert (error.code, error.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "MESSAGE_TOO_LARGE")
    assert error.metadata["limit_bytes"] == str(limit)


def test_rp_collected_presentation_verifies_once_per_challenge(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    challenge, domain = "kiosk-challenge-" + holder.did[-12:], "https://checkin.thai-domestic-air.example"
    vp = holder.present([verifier_env.issuer.issue(holder.did, next(_index))], challenge, domain)
    message = pb.VerifyPresentationRequest(
        presentation_json=json.dumps(vp), challenge=challenge, domain=domain, policy_id=BOARDING
    )
    first = verifier_env.stub.VerifyPresentation(message, metadata=verifier_env.rp_metadata(AIRLINE)).result
    assert first.verification.verified and first.released_claims["familyNameEn"] == "Jaidee"
    again = verifier_env.stub.VerifyPresentation(message, metadata=verifier_env.rp_metadata(AIRLINE)).result
    assert not again.verification.verified
    assert failed_codes(again.verification) == {"NONCE_ALREADY_USED"}


def test_list_policies_tells_the_relying_party_how_long_a_presentation_is_accepted(
    verifier_env: VerifierEnv,
) -> None:
    listed = verifier_env.stub.ListPolicies(
        pb.ListPoliciesRequest(), metadata=verifier_env.rp_metadata(AIRLINE)
    )
    boarding = next(p for p in listed.policies if p.policy_id == BOARDING)
    assert boarding.presentation_max_age.ToSeconds() == 300
