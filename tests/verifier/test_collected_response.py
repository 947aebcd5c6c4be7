"""The VerifyPresentationResponse rendered from a verdict equals the one built from the result's JSON,
and its claims those of the stored result, in every claims view."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from google.protobuf import timestamp_pb2

from civid.core.errors import ErrorCode
from civid.core.result import Check, ErrorEntry, Outcome, VerificationResult
from civid.verifier.domain.requests import PresentationRequest, PresentationResult, RequestState
from civid.verifier.service import collected, convert, results
from civid.verifier.service.collected import ClaimsView, Verdict
from civid.verifier.v1 import presentation_pb2
from civid.verifier.v1 import verifier_service_pb2 as pb

WHEN = datetime(2026, 3, 4, 5, 6, 7, 891_011, tzinfo=UTC)
PASSED = (
    Check("presentation.proof.signature", Outcome.PASSED),
    Check("credential[0].proof.signature", Outcome.PASSED),
    Check("presentation.nonce", Outcome.PASSED),
)
VERIFIED = Verdict(
    VerificationResult(PASSED),
    {"givenNameEn": "Somchai", "familyNameEn": "Jaidee", "address.province": "กรุงเทพ", "age": 41},
    "did:key:z6Mkholder",
    "did:web:issuer.civid.example",
)
FAILED = Verdict(
    VerificationResult(
        (
            *PASSED[:2],
            Check("presentation.nonce", Outcome.FAILED, ErrorCode.NONCE_ALREADY_USED, "a replay"),
            Check("credential[0].status.revocation", Outcome.FAILED, None, "no code given"),
            Check("policy.claims", Outcome.NOT_CHECKED, None, "no claims are released"),
            Check("policy.age", Outcome.PASSED, ErrorCode.MALFORMED_DOCUMENT, "a code on a pass is dropped"),
        ),
        (ErrorEntry(ErrorCode.MALFORMED_DOCUMENT, "the presentation is not a VP"),),
    ),
    {},
    "did:key:z6Mkholder",
    "",
)


def from_json(
    verdict: Verdict, when: datetime, view: ClaimsView = ClaimsView.BOTH
) -> pb.VerifyPresentationResponse:
    """What VerifyPresentation answered before: the result's JSON converted field by field, the claims
    in the forms ``view`` names."""
    result: Mapping[str, Any] = verdict.result.to_json()
    claims = verdict.released_claims
    return pb.VerifyPresentationResponse(
        result=presentation_pb2.PresentationResult(
            state=presentation_pb2.PRESENTATION_REQUEST_STATE_COMPLETED,
            verification=convert.verification(result),
            released_claims=convert.claim_strings(claims) if view is not ClaimsView.JSON else {},
            released_claims_json=convert.claims_json(claims) if view is not ClaimsView.MAP else "",
            holder_did=verdict.holder_did,
            issuer_did=verdict.issuer_did,
            verify_time=convert.timestamp(when),
        )
    )


def stored_result_message(verdict: Verdict, view: ClaimsView) -> presentation_pb2.PresentationResult:
    """What GetPresentationResult answers for the same judgement, stored."""
    doc = verdict.result.to_json()
    request = PresentationRequest(
        "pr_1", "rp", "policy", "n" * 16, "d", (), WHEN, WHEN, RequestState.COMPLETED
    )
    stored = PresentationResult(
        "pr_1",
        verdict.verified,
        tuple(doc["checks"]),
        tuple(doc["errors"]),
        dict(verdict.released_claims),
        WHEN,
    )
    return results.result_message(request, stored, WHEN, view)


VERDICTS = [VERIFIED, FAILED, Verdict(VerificationResult(), {}, "", "")]


@pytest.mark.parametrize("view", list(ClaimsView))
@pytest.mark.parametrize("verdict", VERDICTS)
def test_the_rendered_response_equals_the_one_converted_from_json(verdict: Verdict, view: ClaimsView) -> None:
    rendered = collected.response(verdict, WHEN, view)
    assert rendered == from_json(verdict, WHEN, view)
    assert rendered.SerializeToString(deterministic=True) == from_json(verdict, WHEN, view).SerializeToString(
        deterministic=True
    )


def test_the_rendered_response_carries_both_forms_unless_a_view_is_given() -> None:
    assert collected.response(VERIFIED, WHEN) == collected.response(VERIFIED, WHEN, ClaimsView.BOTH)


@pytest.mark.parametrize("view", list(ClaimsView))
@pytest.mark.parametrize("verdict", VERDICTS)
def test_the_rendered_claims_equal_those_of_the_stored_result(verdict: Verdict, view: ClaimsView) -> None:
    rendered = collected.response(verdict, WHEN, view).result
    stored = stored_result_message(verdict, view)
    assert dict(rendered.released_claims) == dict(stored.released_claims)
    assert rendered.released_claims_json == stored.released_claims_json
    assert rendered.verification == stored.verification


@pytest.mark.parametrize(
    "when",
    [
        WHEN,
        datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
        datetime(2024, 2, 29, 12, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 4, 12, 6, 7, 891_011, tzinfo=timezone(timedelta(hours=7))),
    ],
)
def test_the_verify_time_is_what_timestamp_from_datetime_sets(when: datetime) -> None:
    expected = timestamp_pb2.Timestamp()
    expected.FromDatetime(when)
    stamp = collected.response(VERIFIED, when).result.verify_time
    assert (stamp.seconds, stamp.nanos) == (expected.seconds, expected.nanos)


def test_a_recurring_check_renders_the_same_from_the_kept_encodings() -> None:
    first = collected.response(FAILED, WHEN).SerializeToString(deterministic=True)
    again = collected.response(FAILED, WHEN).SerializeToString(deterministic=True)
    assert first == again
    assert [c.name for c in collected.response(FAILED, WHEN).result.verification.checks] == [
        c.name for c in FAILED.result.checks
    ]
