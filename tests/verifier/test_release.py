"""Claim release: a relying party receives only its policy's claims."""

from __future__ import annotations

from typing import Any

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.core.result import Outcome, ResultBuilder
from civid.verifier.config.policies import load_policies
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.release import check_and_release, release_claims, requested_claims

POLICIES = load_policies()
AIRLINE = POLICIES.by_id["airline-domestic-boarding"]
PASSPORT = POLICIES.by_id["passport-application"]


def national_id(**subject: Any) -> dict[str, Any]:
    claims = {
        "id": "did:key:z6Mkholder",
        "nationalIdNumber": "1101700203451",
        "laserCode": "JT0-1234567-89",
        "titleTh": "นาย",
        "givenNameTh": "สมชาย",
        "familyNameTh": "ใจดี",
        "titleEn": "Mr.",
        "givenNameEn": "Somchai",
        "familyNameEn": "Jaidee",
        "birthDate": "1985-01-15",
        "sex": "male",
        "religion": "Buddhism",
        "address": {"houseNumber": "99/1", "province": "Bangkok", "postalCode": "10200"},
        "cardIssueDate": "2024-01-15",
        "cardExpiryDate": "2032-01-14",
        "photo": "data:image/jpeg;base64,/9j/4AAQ",
    }
    claims.update(subject)
    return {"type": ["VerifiableCredential", "NationalIdCredential"], "credentialSubject": claims}


def test_airline_receives_english_names_photo_and_id_number_and_nothing_else() -> None:
    released = release_claims(national_id(), AIRLINE, AIRLINE.claims)
    assert released == {
        "titleEn": "Mr.",
        "givenNameEn": "Somchai",
        "familyNameEn": "Jaidee",
        "photo": "data:image/jpeg;base64,/9j/4AAQ",
        "nationalIdNumber": "1101700203451",
    }


def test_passport_application_receives_thai_names_birth_date_and_address() -> None:
    released = release_claims(national_id(), PASSPORT, PASSPORT.claims)
    assert released["givenNameTh"] == "สมชาย"
    assert released["birthDate"] == "1985-01-15"
    assert released["address"]["province"] == "Bangkok"
    assert "middleNameEn" not in released  # optional and absent: left out


def test_a_request_for_a_subset_releases_only_that_subset() -> None:
    released = release_claims(national_id(), AIRLINE, ("givenNameEn",))
    assert released == {"givenNameEn": "Somchai"}


def test_nested_path_releases_one_value() -> None:
    policy = POLICIES.by_id["passport-application"]
    from dataclasses import replace

    narrow = replace(policy, claims=("address.province",), required_claims=("address.province",))
    assert release_claims(national_id(), narrow, narrow.claims) == {"address.province": "Bangkok"}


def test_missing_required_claim_fails_with_claim_missing() -> None:
    credential = national_id()
    del credential["credentialSubject"]["photo"]
    with pytest.raises(CividError) as caught:
        release_claims(credential, AIRLINE, AIRLINE.claims)
    assert caught.value.code is ErrorCode.CLAIM_MISSING and "photo" in caught.value.message


def test_missing_required_claim_is_a_failed_policy_claims_check() -> None:
    credential = national_id()
    del credential["credentialSubject"]["familyNameEn"]
    out = ResultBuilder()
    assert check_and_release(credential, AIRLINE, AIRLINE.claims, out) == {}
    (check,) = out.build().checks
    assert check.name == "policy.claims" and check.outcome is Outcome.FAILED
    assert check.code is ErrorCode.CLAIM_MISSING


def test_request_asking_for_a_claim_outside_the_policy_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        requested_claims(AIRLINE, ["givenNameEn", "birthDate"])
    assert caught.value.code is DomainErrorCode.CLAIM_NOT_ALLOWED
    assert caught.value.metadata == {"policy_id": "airline-domestic-boarding", "claim": "birthDate"}


def test_request_naming_no_claims_asks_for_all_the_policys_claims() -> None:
    assert requested_claims(AIRLINE, []) == AIRLINE.claims
