"""The VerifyPresentationResponse rendered from a verdict equals the one built from the result's JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from civid.core.errors import ErrorCode
from civid.core.result import Check, ErrorEntry, Outcome, VerificationResult
from civid.verifier.service import collected, convert
from civid.verifier.service.collected import Verdict
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


def from_json(verdict: Verdict, when: datetime) -> pb.VerifyPresentationResponse:
    """What VerifyPresentation answered before: the result's JSON converted field by field."""
    result: Mapping[str, Any] = verdict.result.to_json()
    return pb.VerifyPresentationResponse(
        result=presentation_pb2.PresentationResult(
            state=presentation_pb2.PRESENTATION_REQUEST_STATE_COMPLETED,
            verification=convert.verification(result),
            released_claims=convert.claim_strings(verdict.released_claims),
            released_claims_json=convert.claims_json(verdict.released_claims),
            holder_did=verdict.holder_did,
            issuer_did=verdict.issuer_did,
            verify_time=convert.timestamp(when),
        )
    )


@pytest.mark.parametrize("verdict", [VERIFIED, FAILED, Verdict(VerificationResult(), {}, "", "")])
def test_the_rendered_response_equals_the_one_converted_from_json(verdict: Verdict) -> None:
    rendered = collected.response(verdict, WHEN)
    assert rendered == from_json(verdict, WHEN)
    assert rendered.SerializeToString(deterministic=True) == from_json(verdict, WHEN).SerializeToString(
        deterministic=True
    )


def test_a_recurring_check_renders_the_same_from_the_kept_encodings() -> None:
    first = collected.response(FAILED, WHEN).SerializeToString(deterministic=True)
    again = collected.response(FAILED, WHEN).SerializeToString(deterministic=True)
    assert first == again
    assert [c.name for c in collected.response(FAILED, WHEN).result.verification.checks] == [
        c.name for c in FAILED.result.checks
    ]
