"""The checks a policy adds to the core's verification, and the judgement that releases claims."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from civid.core.errors import ErrorCode
from civid.core.result import Outcome, ResultBuilder, VerificationResult
from civid.verifier.config.policies import load_policies
from civid.verifier.domain.evaluation import judge
from civid.verifier.domain.policy_checks import apply_suspension_rule, policy_checks

POLICIES = load_policies()
AIRLINE = POLICIES.by_id["airline-domestic-boarding"]
HOUSEHOLD = POLICIES.by_id["household-registration-check"]
NOW = datetime(2026, 6, 1, tzinfo=UTC)
TRUSTED = "did:web:issuer.civid.example"


def credential(**fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": ["VerifiableCredential", "NationalIdCredential"],
        "issuer": TRUSTED,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:key:z6Mkholder",
            "titleEn": "Mr.",
            "givenNameEn": "Somchai",
            "familyNameEn": "Jaidee",
            "photo": "data:image/jpeg;base64,AA",
            "nationalIdNumber": "1101700203450",
            "birthDate": "1985-01-15",
        },
    }
    doc.update(fields)
    return doc


def presentation(*credentials: dict[str, Any]) -> dict[str, Any]:
    """A presentation of ``credentials`` whose proof was created at NOW (the signature is the core's)."""
    return {"verifiableCredential": list(credentials), "proof": {"created": "2026-06-01T00:00:00Z"}}


def check(result: VerificationResult, name: str) -> Any:
    return next(c for c in result.checks if c.name == name)


def passing_core_result() -> VerificationResult:
    out = ResultBuilder()
    out.passed("presentation.proof.signature")
    out.passed("credential[0].proof.signature")
    return out.build()


def test_accepted_type_and_trusted_issuer_pass() -> None:
    result = policy_checks([credential()], AIRLINE, NOW)
    assert result.verified
    assert check(result, "credential[0].policy.type").outcome is Outcome.PASSED
    assert check(result, "credential[0].policy.issuer").outcome is Outcome.PASSED


def test_untrusted_issuer_fails_with_untrusted_issuer() -> None:
    result = policy_checks([credential(issuer="did:web:evil.example")], AIRLINE, NOW)
    assert check(result, "credential[0].policy.issuer").code is ErrorCode.UNTRUSTED_ISSUER
    assert not result.verified


def test_credential_of_another_type_fails_with_type_not_accepted() -> None:
    other = credential(type=["VerifiableCredential", "HouseholdRegistrationCredential"])
    result = policy_checks([other], AIRLINE, NOW)
    assert result.error_codes() == [ErrorCode.CREDENTIAL_TYPE_NOT_ACCEPTED]


def test_presentation_without_credentials_fails() -> None:
    assert policy_checks([], AIRLINE, NOW).error_codes() == [ErrorCode.CREDENTIAL_TYPE_NOT_ACCEPTED]


def test_credential_older_than_the_policy_allows_fails_with_too_old() -> None:
    old = credential(
        type=["VerifiableCredential", "HouseholdRegistrationCredential"], validFrom="2025-01-01T00:00:00Z"
    )
    result = policy_checks([old], HOUSEHOLD, NOW)  # 90 days allowed
    assert check(result, "credential[0].policy.age").code is ErrorCode.CREDENTIAL_TOO_OLD


def test_age_falls_back_to_the_proof_created_time() -> None:
    recent = credential(
        type=["VerifiableCredential", "HouseholdRegistrationCredential"],
        proof={"created": "2026-05-30T00:00:00Z"},
    )
    del recent["validFrom"]
    assert (
        check(policy_checks([recent], HOUSEHOLD, NOW), "credential[0].policy.age").outcome is Outcome.PASSED
    )


def test_required_schema_must_be_named_by_the_credential() -> None:
    policy = replace(AIRLINE, schema_id="https://schemas.civid.example/national-id/v1.json")
    without = policy_checks([credential()], policy, NOW)
    assert check(without, "credential[0].policy.schema").code is ErrorCode.SCHEMA_MISMATCH
    named = credential(credentialSchema={"id": policy.schema_id, "type": "JsonSchema"})
    assert policy_checks([named], policy, NOW).verified


def suspended_core_result() -> VerificationResult:
    out = ResultBuilder()
    out.passed("credential[0].status.revocation")
    out.failed("credential[0].status.suspension", ErrorCode.SUSPENDED, "the credential is suspended")
    return out.build()


def test_suspension_blocks_by_default() -> None:
    result = apply_suspension_rule(suspended_core_result(), AIRLINE)
    assert result.error_codes() == [ErrorCode.SUSPENDED]


def test_policy_not_blocking_suspension_passes_with_a_visible_warning() -> None:
    lenient = replace(AIRLINE, suspension_blocks=False)
    result = apply_suspension_rule(suspended_core_result(), lenient)
    assert result.verified
    status = check(result, "credential[0].status.suspension")
    assert status.outcome is Outcome.PASSED and status.message.startswith(
        "warning: the credential is suspended"
    )
    assert check(result, "credential[0].policy.suspension").message.startswith("warning:")


def test_lenient_suspension_never_excuses_a_revocation() -> None:
    out = ResultBuilder()
    out.failed("credential[0].status.revocation", ErrorCode.REVOKED, "the credential is revoked")
    out.failed("credential[0].status.suspension", ErrorCode.SUSPENDED, "the credential is suspended")
    result = apply_suspension_rule(out.build(), replace(AIRLINE, suspension_blocks=False))
    assert result.error_codes() == [ErrorCode.REVOKED]


def test_judgement_releases_claims_of_a_verified_presentation() -> None:
    vp = presentation(credential())
    judgement = judge(vp, passing_core_result(), AIRLINE, AIRLINE.claims, NOW)
    assert judgement.verified
    assert set(judgement.released_claims) == set(AIRLINE.claims)
    assert "birthDate" not in judgement.released_claims


def test_judgement_releases_nothing_when_the_core_failed() -> None:
    vp = presentation(credential())
    judgement = judge(vp, suspended_core_result(), AIRLINE, AIRLINE.claims, NOW)
    assert not judgement.verified and judgement.released_claims == {}
    assert check(judgement.result, "policy.claims").outcome is Outcome.NOT_CHECKED


def test_judgement_releases_nothing_from_an_untrusted_issuer() -> None:
    vp = presentation(credential(issuer="did:web:evil.example"))
    judgement = judge(vp, passing_core_result(), AIRLINE, AIRLINE.claims, NOW)
    assert judgement.result.error_codes() == [ErrorCode.UNTRUSTED_ISSUER]
    assert judgement.released_claims == {}
