"""A relying party's claims_view: the released claims as the map, as the JSON, or both (the default).

Over a real verifier on 127.0.0.1 (the ``verifier_env`` fixture) and the airline boarding policy,
whose released claims include the card photo, the bulk of an answer.
"""

from __future__ import annotations

import base64
import itertools
import json
import random
from typing import Any

import grpc
import pytest
from conftest import AIRLINE, VerifierEnv
from server_fixtures import Holder

from civid.rpc.errors import ErrorDetails, error_details
from civid.verifier.service.collected import ClaimsView
from civid.verifier.v1 import presentation_pb2
from civid.verifier.v1 import verifier_service_pb2 as pb

BOARDING = "airline-domestic-boarding"
KIOSK_DOMAIN = "https://checkin.thai-domestic-air.example"
UNSPECIFIED = presentation_pb2.CLAIMS_VIEW_UNSPECIFIED
MAP = presentation_pb2.CLAIMS_VIEW_MAP
JSON = presentation_pb2.CLAIMS_VIEW_JSON
BOTH = presentation_pb2.CLAIMS_VIEW_BOTH
UNKNOWN_VIEW = 9
# a card photo as big as the issuer's (its JPEG some 7.5 KB, some 10 KB as a data URL)
PHOTO = "data:image/jpeg;base64," + base64.b64encode(random.Random(7).randbytes(7_500)).decode("ascii")
_index = itertools.count(70_000)
_challenge = itertools.count(1)


def credential(env: VerifierEnv, holder: Holder) -> dict[str, Any]:
    return env.issuer.issue(holder.did, next(_index), PHOTO)


def kiosk_challenge() -> str:
    return f"claims-view-kiosk-{next(_challenge):08d}"


def verify(
    env: VerifierEnv, vp: dict[str, Any], challenge: str, view: int
) -> presentation_pb2.PresentationResult:
    request = pb.VerifyPresentationRequest(
        presentation_json=json.dumps(vp),
        challenge=challenge,
        domain=KIOSK_DOMAIN,
        policy_id=BOARDING,
        claims_view=view,  # type: ignore[arg-type]  # an unknown number on purpose, too
    )
    return env.stub.VerifyPresentation(request, metadata=env.rp_metadata(AIRLINE)).result


def verify_valid(env: VerifierEnv, holder: Holder, view: int) -> presentation_pb2.PresentationResult:
    challenge = kiosk_challenge()
    return verify(env, holder.present([credential(env, holder)], challenge, KIOSK_DOMAIN), challenge, view)


def verify_failing(env: VerifierEnv, holder: Holder, view: int) -> presentation_pb2.PresentationResult:
    """A presentation made for another challenge than the one sent: it does not verify."""
    made_for = kiosk_challenge()
    vp = holder.present([credential(env, holder)], made_for, KIOSK_DOMAIN)
    return verify(env, vp, kiosk_challenge(), view)


def submitted_request(env: VerifierEnv, holder: Holder, *, valid: bool = True) -> str:
    """A presentation request answered by the wallet (SubmitPresentation); its id."""
    made = env.stub.CreatePresentationRequest(
        pb.CreatePresentationRequestRequest(policy_id=BOARDING), metadata=env.rp_metadata(AIRLINE)
    ).presentation_request
    challenge = made.challenge if valid else kiosk_challenge()
    vp = holder.present([credential(env, holder)], challenge, made.domain)
    answer = env.stub.SubmitPresentation(
        pb.SubmitPresentationRequest(
            presentation_request_id=made.presentation_request_id, presentation_json=json.dumps(vp)
        )
    )
    assert answer.verification.verified is valid
    return made.presentation_request_id


def stored_result(env: VerifierEnv, request_id: str, view: int) -> presentation_pb2.PresentationResult:
    request = pb.GetPresentationResultRequest(presentation_request_id=request_id, claims_view=view)  # type: ignore[arg-type]
    return env.stub.GetPresentationResult(request, metadata=env.rp_metadata(AIRLINE)).result


def refusal(call: Any) -> ErrorDetails:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return error_details(caught.value)


def assert_field_invalid(error: ErrorDetails) -> None:
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "FIELD_INVALID")
    assert error.metadata["field"] == "claims_view"


def assert_both_forms(result: presentation_pb2.PresentationResult) -> None:
    """Verified, and the same claims (the photo among them) as the map and as the JSON."""
    assert result.verification.verified
    assert result.released_claims["photo"] == PHOTO
    assert json.loads(result.released_claims_json) == dict(result.released_claims)


def assert_only_the_map(result: presentation_pb2.PresentationResult) -> None:
    assert result.verification.verified
    assert result.released_claims["photo"] == PHOTO and result.released_claims["familyNameEn"] == "Jaidee"
    assert result.released_claims_json == ""


def assert_only_the_json(result: presentation_pb2.PresentationResult) -> None:
    assert result.verification.verified
    claims = json.loads(result.released_claims_json)
    assert claims["photo"] == PHOTO and claims["familyNameEn"] == "Jaidee"
    assert dict(result.released_claims) == {}


def assert_nothing_released(result: presentation_pb2.PresentationResult, expected_json: str) -> None:
    assert not result.verification.verified
    assert dict(result.released_claims) == {}
    assert result.released_claims_json == expected_json


@pytest.fixture(scope="module")
def answered_request(verifier_env: VerifierEnv) -> str:
    """A request the wallet answered with a valid presentation (read in several views)."""
    return submitted_request(verifier_env, Holder.new())


def test_the_claims_views_are_numbered_as_the_protos() -> None:
    assert {v.name: v.value for v in ClaimsView} == {"MAP": MAP, "JSON": JSON, "BOTH": BOTH}


@pytest.mark.parametrize("view", [UNSPECIFIED, BOTH], ids=["unspecified", "both"])
def test_verify_presentation_gives_both_forms_of_the_same_claims_unless_one_is_asked_for(
    verifier_env: VerifierEnv, holder: Holder, view: int
) -> None:
    assert_both_forms(verify_valid(verifier_env, holder, view))


def test_verify_presentation_in_the_map_view_leaves_the_json_empty(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    assert_only_the_map(verify_valid(verifier_env, holder, MAP))


def test_verify_presentation_in_the_json_view_leaves_the_map_empty(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    assert_only_the_json(verify_valid(verifier_env, holder, JSON))


def test_one_view_makes_the_answer_smaller_by_a_copy_of_the_photo(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    both = verify_valid(verifier_env, holder, BOTH).ByteSize()
    only_map = verify_valid(verifier_env, holder, MAP).ByteSize()
    assert both - only_map > len(PHOTO)


def test_verify_presentation_refuses_an_unknown_claims_view_naming_the_field(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    assert_field_invalid(refusal(lambda: verify_valid(verifier_env, holder, UNKNOWN_VIEW)))


def test_a_refused_claims_view_leaves_the_challenge_unused(verifier_env: VerifierEnv, holder: Holder) -> None:
    challenge = kiosk_challenge()
    vp = holder.present([credential(verifier_env, holder)], challenge, KIOSK_DOMAIN)
    refusal(lambda: verify(verifier_env, vp, challenge, UNKNOWN_VIEW))
    assert verify(verifier_env, vp, challenge, MAP).verification.verified


@pytest.mark.parametrize(
    ("view", "expected_json"),
    [(UNSPECIFIED, "{}"), (BOTH, "{}"), (JSON, "{}"), (MAP, "")],
    ids=["unspecified", "both", "json", "map"],
)
def test_a_failed_verification_releases_nothing_in_any_view(
    verifier_env: VerifierEnv, holder: Holder, view: int, expected_json: str
) -> None:
    assert_nothing_released(verify_failing(verifier_env, holder, view), expected_json)


@pytest.mark.parametrize("view", [UNSPECIFIED, BOTH], ids=["unspecified", "both"])
def test_a_stored_result_gives_both_forms_of_the_same_claims_unless_one_is_asked_for(
    verifier_env: VerifierEnv, answered_request: str, view: int
) -> None:
    assert_both_forms(stored_result(verifier_env, answered_request, view))


def test_a_stored_result_in_the_map_view_leaves_the_json_empty(
    verifier_env: VerifierEnv, answered_request: str
) -> None:
    assert_only_the_map(stored_result(verifier_env, answered_request, MAP))


def test_a_stored_result_in_the_json_view_leaves_the_map_empty(
    verifier_env: VerifierEnv, answered_request: str
) -> None:
    assert_only_the_json(stored_result(verifier_env, answered_request, JSON))


def test_get_presentation_result_refuses_an_unknown_claims_view_naming_the_field(
    verifier_env: VerifierEnv, answered_request: str
) -> None:
    assert_field_invalid(refusal(lambda: stored_result(verifier_env, answered_request, UNKNOWN_VIEW)))


@pytest.mark.parametrize(
    ("view", "expected_json"),
    [(UNSPECIFIED, "{}"), (BOTH, "{}"), (JSON, "{}"), (MAP, "")],
    ids=["unspecified", "both", "json", "map"],
)
def test_a_stored_failed_verification_releases_nothing_in_any_view(
    verifier_env: VerifierEnv, holder: Holder, view: int, expected_json: str
) -> None:
    result = stored_result(verifier_env, submitted_request(verifier_env, holder, valid=False), view)
    assert_nothing_released(result, expected_json)


def watch(env: VerifierEnv, request_id: str, view: int) -> Any:
    request = pb.WatchPresentationResultRequest(presentation_request_id=request_id, claims_view=view)  # type: ignore[arg-type]
    return env.stub.WatchPresentationResult(request, metadata=env.rp_metadata(AIRLINE))


@pytest.mark.parametrize(("view", "fills_map", "fills_json"), [(MAP, True, False), (JSON, False, True)])
def test_watch_presentation_result_gives_its_completed_message_in_the_view_asked(
    verifier_env: VerifierEnv, holder: Holder, view: int, fills_map: bool, fills_json: bool
) -> None:
    made = verifier_env.stub.CreatePresentationRequest(
        pb.CreatePresentationRequestRequest(policy_id=BOARDING), metadata=verifier_env.rp_metadata(AIRLINE)
    ).presentation_request
    stream = watch(verifier_env, made.presentation_request_id, view)
    assert next(stream).result.state == presentation_pb2.PRESENTATION_REQUEST_STATE_PENDING
    vp = holder.present([credential(verifier_env, holder)], made.challenge, made.domain)
    verifier_env.stub.SubmitPresentation(
        pb.SubmitPresentationRequest(
            presentation_request_id=made.presentation_request_id, presentation_json=json.dumps(vp)
        )
    )
    final = [m.result for m in stream][-1]
    assert final.state == presentation_pb2.PRESENTATION_REQUEST_STATE_COMPLETED
    assert final.verification.verified
    assert bool(final.released_claims) is fills_map
    assert bool(final.released_claims_json) is fills_json


def test_watch_presentation_result_refuses_an_unknown_claims_view_naming_the_field(
    verifier_env: VerifierEnv, answered_request: str
) -> None:
    assert_field_invalid(refusal(lambda: next(watch(verifier_env, answered_request, UNKNOWN_VIEW))))
