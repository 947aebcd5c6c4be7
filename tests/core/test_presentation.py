"""Presentations: holder binding, challenge and domain, and every embedded credential."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civid.core.credential import CredentialChecks
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.core.did.resolver import DidResolver
from civid.core.errors import ErrorCode
from civid.core.presentation import create_presentation, verify_presentation
from civid.core.proofs.dataintegrity import ProofOptions, add_proof

from .conftest import unsigned_national_id

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
HOLDER_KEY = Ed25519KeyPair.from_seed(bytes(range(1, 33)))
STRANGER_KEY = Ed25519KeyPair.from_seed(bytes(range(2, 34)))
ISSUER = did_key_for(ISSUER_KEY.public_key)
HOLDER = did_key_for(HOLDER_KEY.public_key)
STRANGER = did_key_for(STRANGER_KEY.public_key)
CHALLENGE = "n-0S6_WzA2Mj"
DOMAIN = "verifier.civid.example"


def vm_of(did: str) -> str:
    return f"{did}#{did.removeprefix('did:key:')}"


def issue(subject_did: str = HOLDER) -> dict:
    options = ProofOptions(verification_method=vm_of(ISSUER), created=datetime(2024, 1, 1, tzinfo=UTC))
    return add_proof(unsigned_national_id(ISSUER, subject_did), ISSUER_KEY, options)


def present(credential: dict, key: Ed25519KeyPair = HOLDER_KEY, holder: str = HOLDER, **kw) -> dict:
    signer = did_key_for(key.public_key)
    args = {"challenge": CHALLENGE, "domain": DOMAIN} | kw
    return create_presentation([credential], key, holder, vm_of(signer), **args)


def verify(vp: dict, challenge: str | None = CHALLENGE, domain: str | None = DOMAIN):
    checks = CredentialChecks(DidResolver([]), NOW)
    return verify_presentation(vp, checks, challenge=challenge, domain=domain)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_a_presentation_by_the_subject_verifies(suite):
    result = verify(present(issue(), cryptosuite=suite))
    assert result.verified, result.to_json()


def test_presentation_proof_uses_authentication_purpose():
    assert present(issue())["proof"]["proofPurpose"] == "authentication"


def test_replay_with_another_challenge_fails_with_challenge_mismatch():
    assert verify(present(issue()), challenge="another").error_codes() == [ErrorCode.CHALLENGE_MISMATCH]


def test_replay_to_another_domain_fails_with_domain_mismatch():
    assert verify(present(issue()), domain="evil.example").error_codes() == [ErrorCode.DOMAIN_MISMATCH]


def test_presentation_signed_by_a_key_that_is_not_the_holders_fails_with_holder_mismatch():
    vp = present(issue(), key=STRANGER_KEY, holder=HOLDER)
    assert verify(vp).error_codes() == [ErrorCode.HOLDER_MISMATCH]


def test_holder_that_is_not_the_subject_fails_with_subject_not_holder():
    vp = present(issue(subject_did=HOLDER), key=STRANGER_KEY, holder=STRANGER)
    assert verify(vp).error_codes() == [ErrorCode.SUBJECT_NOT_HOLDER]


def test_tampered_embedded_credential_fails_with_invalid_signature():
    vp = present(issue())
    vp["verifiableCredential"][0]["credentialSubject"]["givenNameEn"] = "Other"
    assert ErrorCode.INVALID_SIGNATURE in verify(vp).error_codes()


def test_expired_credential_inside_a_presentation_fails_with_expired():
    vp = present(issue())
    checks = CredentialChecks(DidResolver([]), datetime(2033, 1, 1, tzinfo=UTC))
    result = verify_presentation(vp, checks, challenge=CHALLENGE, domain=DOMAIN)
    assert result.error_codes() == [ErrorCode.EXPIRED]


def test_challenge_not_given_is_reported_not_checked():
    result = verify(present(issue()), challenge=None, domain=None)
    assert result.verified
    outcomes = {c.name: c.outcome.value for c in result.checks}
    assert outcomes["presentation.proof.challenge"] == "not_checked"
    assert outcomes["presentation.proof.domain"] == "not_checked"
