"""A presentation is accepted only while its proof is fresh, so a used challenge need not be kept for long.

``presentation.proof.created`` accepts a proof created within the policy's ``presentation_max_age_s``
(plus the clock skew) and not beyond the skew in the future; a relying party's challenge is remembered
for ``max(presentation_max_age_s) + 2 * clock_skew_s``, after which a replay fails that check.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import AIRLINE, VerifierEnv
from server_fixtures import Holder

from civid.common.v1 import verification_pb2
from civid.core.datetimes import format_datetime
from civid.core.errors import ErrorCode
from civid.core.result import Check, Outcome, ResultBuilder, VerificationResult
from civid.verifier.config.policies import load_policies
from civid.verifier.domain.evaluation import judge
from civid.verifier.domain.freshness import challenge_memory_s
from civid.verifier.domain.nonces import InMemoryNonceStore
from civid.verifier.domain.policy_checks import PRESENTATION_CREATED_CHECK, presentation_checks
from civid.verifier.service.presenting import record_challenge
from civid.verifier.v1 import verifier_service_pb2 as pb

POLICIES = load_policies()
BOARDING = POLICIES.by_id["airline-domestic-boarding"]  # presentation_max_age_s: the default 300
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SKEW = 60
DOMAIN = "https://checkin.thai-domestic-air.example"
_index = itertools.count(7001)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def boarding_credential() -> dict[str, Any]:
    """A national ID credential the boarding policy accepts (its proofs are the core's business)."""
    subject = {"id": "did:key:z6Mkholder", "nationalIdNumber": "1101700203450", "photo": "data:,"}
    subject |= {"titleEn": "Mr.", "givenNameEn": "Somchai", "familyNameEn": "Jaidee"}
    return {
        "type": ["VerifiableCredential", "NationalIdCredential"],
        "issuer": BOARDING.trusted_issuers[0],
        "credentialSubject": subject,
    }


def signed_at(created: datetime | str | None) -> dict[str, Any]:
    """A presentation of a boarding credential whose proof states ``created`` (None: no created)."""
    proof: dict[str, Any] = {"type": "DataIntegrityProof"}
    if created is not None:
        proof["created"] = created if isinstance(created, str) else format_datetime(created)
    return {
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [boarding_credential()],
        "proof": proof,
    }


def freshness(vp: dict[str, Any], now: datetime = NOW) -> Check:
    result = presentation_checks(vp, BOARDING, now, SKEW)
    return next(c for c in result.checks if c.name == PRESENTATION_CREATED_CHECK)


# --- the check ------------------------------------------------------------------------------------


def test_a_presentation_created_now_is_fresh() -> None:
    assert freshness(signed_at(NOW)).outcome is Outcome.PASSED


def test_a_presentation_is_accepted_until_max_age_plus_skew_has_passed() -> None:
    limit = timedelta(seconds=BOARDING.presentation_max_age_s + SKEW)
    assert freshness(signed_at(NOW - limit + timedelta(seconds=1))).outcome is Outcome.PASSED
    assert freshness(signed_at(NOW - limit)).code is ErrorCode.PRESENTATION_TOO_OLD


def test_a_presentation_created_ten_minutes_ago_is_too_old() -> None:
    assert freshness(signed_at(NOW - timedelta(minutes=10))).code is ErrorCode.PRESENTATION_TOO_OLD


def test_a_clock_ahead_by_the_skew_is_tolerated_but_not_more() -> None:
    assert freshness(signed_at(NOW + timedelta(seconds=SKEW))).outcome is Outcome.PASSED
    late = freshness(signed_at(NOW + timedelta(minutes=2)))
    assert late.code is ErrorCode.PRESENTATION_CREATED_IN_FUTURE
    assert "clock" in late.message


def test_a_proof_without_created_fails_as_too_old() -> None:
    assert freshness(signed_at(None)).code is ErrorCode.PRESENTATION_TOO_OLD
    assert freshness({"verifiableCredential": []}).code is ErrorCode.PRESENTATION_TOO_OLD


def test_an_unparseable_created_fails_as_an_invalid_datetime() -> None:
    assert freshness(signed_at("yesterday")).code is ErrorCode.INVALID_DATETIME


def test_every_proof_of_a_proof_set_must_be_fresh() -> None:
    vp = signed_at(NOW)
    vp["proof"] = [vp["proof"], {"created": format_datetime(NOW - timedelta(hours=1))}]
    assert freshness(vp).code is ErrorCode.PRESENTATION_TOO_OLD


def test_the_policy_sets_the_age_allowed() -> None:
    patient = replace(BOARDING, presentation_max_age_s=3600)
    result = presentation_checks(signed_at(NOW - timedelta(minutes=10)), patient, NOW, SKEW)
    assert result.verified


def test_the_judgement_lists_the_check_and_releases_nothing_from_a_stale_presentation() -> None:
    core = ResultBuilder()
    core.passed("presentation.proof.signature")
    assert judge(signed_at(NOW), core.build(), BOARDING, BOARDING.claims, NOW).released_claims
    judgement = judge(signed_at(NOW - timedelta(minutes=10)), core.build(), BOARDING, BOARDING.claims, NOW)
    assert judgement.result.error_codes() == [ErrorCode.PRESENTATION_TOO_OLD]
    assert judgement.released_claims == {}
    assert [c.name for c in judgement.result.checks][:2] == [
        "presentation.proof.signature",
        PRESENTATION_CREATED_CHECK,
    ]


def test_the_judgement_takes_the_verifiers_clock_skew() -> None:
    ahead = signed_at(NOW + timedelta(minutes=2))
    empty = VerificationResult()
    assert judge(ahead, empty, BOARDING, (), NOW).result.error_codes()[0] is (
        ErrorCode.PRESENTATION_CREATED_IN_FUTURE
    )
    tolerant = judge(ahead, empty, BOARDING, (), NOW, clock_skew_s=180)
    assert ErrorCode.PRESENTATION_CREATED_IN_FUTURE not in tolerant.result.error_codes()


# --- how long a relying party's challenge is remembered ------------------------------------------


def test_a_challenge_is_remembered_for_the_longest_max_age_plus_twice_the_skew() -> None:
    assert challenge_memory_s(POLICIES, SKEW) == 300 + 2 * 60
    slow = replace(BOARDING, id="slow", presentation_max_age_s=900)
    assert challenge_memory_s([*POLICIES, slow], 30) == 900 + 2 * 30


RP, CHALLENGE = "thai-domestic-air", "kiosk-challenge-0001"


def test_a_replay_within_the_window_is_refused() -> None:
    clock = FakeClock()
    nonces = InMemoryNonceStore(clock=clock)
    window = challenge_memory_s(POLICIES, SKEW)
    assert record_challenge(nonces, RP, CHALLENGE, window)
    clock.now += window - 1
    assert not record_challenge(nonces, RP, CHALLENGE, window)  # NONCE_ALREADY_USED at the engine


def test_a_recorded_challenge_expires_when_the_window_has_passed() -> None:
    clock = FakeClock()
    nonces = InMemoryNonceStore(clock=clock)
    window = challenge_memory_s(POLICIES, SKEW)
    record_challenge(nonces, RP, CHALLENGE, window)
    clock.now += window
    assert record_challenge(nonces, RP, "kiosk-challenge-0002", window)  # sweeps the expired entry
    assert len(nonces) == 1
    assert record_challenge(nonces, RP, CHALLENGE, window)  # forgotten: recorded afresh


def test_a_presentation_replayed_after_its_challenge_was_forgotten_is_too_old() -> None:
    first_seen = NOW
    window = timedelta(seconds=challenge_memory_s(POLICIES, SKEW))
    # the freshest presentation that could pass at first sight: its holder's clock SKEW seconds ahead
    freshest = signed_at(first_seen + timedelta(seconds=SKEW))
    assert freshness(freshest, now=first_seen).outcome is Outcome.PASSED
    assert freshness(freshest, now=first_seen + window - timedelta(seconds=1)).outcome is Outcome.PASSED
    assert freshness(freshest, now=first_seen + window).code is ErrorCode.PRESENTATION_TOO_OLD


# --- over a real server ---------------------------------------------------------------------------


def failed_codes(verification: verification_pb2.VerificationResult) -> set[str]:
    return {c.code for c in verification.checks if c.outcome == verification_pb2.CHECK_OUTCOME_FAILED}


def collected(
    env: VerifierEnv, holder: Holder, created: datetime | None
) -> verification_pb2.VerificationResult:
    """VerifyPresentation of a presentation made for a fresh challenge, its proof created at ``created``."""
    challenge = f"kiosk-challenge-{next(_index)}-{holder.did[-8:]}"
    vp = holder.present([env.issuer.issue(holder.did, next(_index))], challenge, DOMAIN, created=created)
    message = pb.VerifyPresentationRequest(
        presentation_json=json.dumps(vp), challenge=challenge, domain=DOMAIN, policy_id=BOARDING.id
    )
    return env.stub.VerifyPresentation(message, metadata=env.rp_metadata(AIRLINE)).result.verification


def test_rp_collected_presentation_created_ten_minutes_ago_is_refused_despite_a_fresh_challenge(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    verification = collected(verifier_env, holder, datetime.now(UTC) - timedelta(minutes=10))
    assert not verification.verified
    assert failed_codes(verification) == {"PRESENTATION_TOO_OLD"}


def test_rp_collected_presentation_created_two_minutes_in_the_future_is_refused(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    verification = collected(verifier_env, holder, datetime.now(UTC) + timedelta(minutes=2))
    assert failed_codes(verification) == {"PRESENTATION_CREATED_IN_FUTURE"}


def test_rp_collected_presentation_created_now_passes_the_freshness_check(
    verifier_env: VerifierEnv, holder: Holder
) -> None:
    verification = collected(verifier_env, holder, None)
    assert verification.verified, failed_codes(verification)
    passed = {c.name for c in verification.checks if c.outcome == verification_pb2.CHECK_OUTCOME_PASSED}
    assert {PRESENTATION_CREATED_CHECK, "presentation.nonce"} <= passed


@pytest.mark.parametrize("minutes", [-10, 2])
def test_a_wallet_submission_is_held_to_the_same_freshness(
    verifier_env: VerifierEnv, holder: Holder, minutes: int
) -> None:
    request = verifier_env.stub.CreatePresentationRequest(
        pb.CreatePresentationRequestRequest(policy_id=BOARDING.id), metadata=verifier_env.rp_metadata(AIRLINE)
    ).presentation_request
    credential = verifier_env.issuer.issue(holder.did, next(_index))
    created = datetime.now(UTC) + timedelta(minutes=minutes)
    vp = holder.present([credential], request.challenge, request.domain, created=created)
    answer = verifier_env.stub.SubmitPresentation(
        pb.SubmitPresentationRequest(
            presentation_request_id=request.presentation_request_id, presentation_json=json.dumps(vp)
        )
    )
    expected = "PRESENTATION_TOO_OLD" if minutes < 0 else "PRESENTATION_CREATED_IN_FUTURE"
    assert failed_codes(answer.verification) == {expected}
