"""Credential verification: each way a credential can be wrong fails with its own error code."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from civid.core.credential import CredentialChecks, verify_credential
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.crypto.multibase import encode_base64url
from civid.core.did.key import did_key_for
from civid.core.did.resolver import DidResolver
from civid.core.errors import CividError, ErrorCode
from civid.core.proofs.dataintegrity import ProofOptions, add_proof

from .conftest import CIVID_V1, CREDENTIALS_V2, unsigned_national_id

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
HOLDER_KEY = Ed25519KeyPair.from_seed(bytes(range(1, 33)))
ISSUER = did_key_for(ISSUER_KEY.public_key)
HOLDER = did_key_for(HOLDER_KEY.public_key)


def vm_of(did: str) -> str:
    return f"{did}#{did.removeprefix('did:key:')}"


def sign(document: dict, key: Ed25519KeyPair = ISSUER_KEY, **options) -> dict:
    did = did_key_for(key.public_key)
    defaults = {"verification_method": vm_of(did), "created": datetime(2024, 1, 1, tzinfo=UTC)}
    return add_proof(document, key, ProofOptions(**(defaults | options)))


def verify(document: dict, now: datetime = NOW):
    return verify_credential(document, CredentialChecks(DidResolver([]), now))


@pytest.fixture
def credential() -> dict:
    return sign(unsigned_national_id(ISSUER, HOLDER))


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_a_national_id_credential_verifies(suite):
    result = verify(sign(unsigned_national_id(ISSUER, HOLDER), cryptosuite=suite))
    assert result.verified, result.to_json()


def test_status_is_reported_not_checked_without_a_status_list(credential):
    entry = {
        "id": "https://issuer.example/status/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": "https://issuer.example/status/1",
    }
    result = verify(sign(unsigned_national_id(ISSUER, HOLDER, credentialStatus=entry)))
    assert result.verified
    assert [c.outcome.value for c in result.checks if c.name == "status.revocation"] == ["not_checked"]


def test_tampered_claim_fails_with_invalid_signature(credential):
    credential["credentialSubject"]["familyNameEn"] = "Impostor"
    assert verify(credential).error_codes() == [ErrorCode.INVALID_SIGNATURE]


def test_tampered_proof_field_fails_with_invalid_signature(credential):
    credential["proof"]["created"] = "2024-01-02T00:00:00Z"
    assert verify(credential).error_codes() == [ErrorCode.INVALID_SIGNATURE]


def test_signature_by_another_key_fails_with_invalid_signature():
    other = Ed25519KeyPair.from_seed(bytes(32))
    document = sign(unsigned_national_id(ISSUER, HOLDER), key=other, verification_method=vm_of(ISSUER))
    assert verify(document).error_codes() == [ErrorCode.INVALID_SIGNATURE]


def test_authentication_proof_on_a_credential_fails_with_wrong_proof_purpose():
    document = sign(unsigned_national_id(ISSUER, HOLDER), proof_purpose="authentication")
    assert verify(document).error_codes() == [ErrorCode.WRONG_PROOF_PURPOSE]


def test_unknown_cryptosuite_is_unsupported(credential):
    credential["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert verify(credential).error_codes() == [ErrorCode.UNSUPPORTED_CRYPTOSUITE]


def test_unknown_proof_type_is_unsupported(credential):
    credential["proof"]["type"] = "BbsBlsSignature2020"
    assert verify(credential).error_codes() == [ErrorCode.UNSUPPORTED_CRYPTOSUITE]


def test_base64url_proof_value_is_refused(credential):
    signature = bytes(64)
    credential["proof"]["proofValue"] = encode_base64url(signature)
    assert verify(credential).error_codes() == [ErrorCode.INVALID_PROOF_VALUE_ENCODING]


def test_undefined_term_fails_signing():
    document = unsigned_national_id(ISSUER, HOLDER)
    document["credentialSubject"]["favouriteColour"] = "blue"
    with pytest.raises(CividError) as info:
        sign(document)
    assert info.value.code is ErrorCode.UNDEFINED_TERM


def test_undefined_term_added_after_signing_fails_verification(credential):
    credential["credentialSubject"]["favouriteColour"] = "blue"
    assert verify(credential).error_codes() == [ErrorCode.UNDEFINED_TERM]


def test_redefining_a_protected_term_fails(credential):
    credential["@context"] = [CREDENTIALS_V2, CIVID_V1, {"nationalIdNumber": "https://evil.example/id"}]
    assert verify(credential).error_codes() == [ErrorCode.PROTECTED_TERM_REDEFINITION]


def test_unknown_remote_context_fails(credential):
    credential["@context"] = [CREDENTIALS_V2, CIVID_V1, "https://evil.example/context.jsonld"]
    assert verify(credential).error_codes() == [ErrorCode.UNKNOWN_CONTEXT]


def test_credentials_v2_not_first_fails_with_context_order(credential):
    credential["@context"] = [CIVID_V1, CREDENTIALS_V2]
    assert verify(credential).error_codes() == [ErrorCode.CONTEXT_ORDER]


def test_expired_credential_fails_with_expired(credential):
    result = verify(credential, now=datetime(2033, 1, 1, tzinfo=UTC))
    assert result.error_codes() == [ErrorCode.EXPIRED]


def test_not_yet_valid_credential_fails_with_not_yet_valid(credential):
    result = verify(credential, now=datetime(2023, 1, 1, tzinfo=UTC))
    assert result.error_codes() == [ErrorCode.NOT_YET_VALID]


def test_issuer_that_is_not_the_signer_fails_with_issuer_mismatch():
    document = sign(unsigned_national_id(HOLDER, HOLDER))
    assert verify(document).error_codes() == [ErrorCode.ISSUER_MISMATCH]


def test_missing_proof_fails_with_missing_proof():
    assert verify(unsigned_national_id(ISSUER, HOLDER)).error_codes() == [ErrorCode.MISSING_PROOF]


def test_every_proof_of_a_set_must_verify(credential):
    doubled = sign(credential, created=datetime(2024, 2, 1, tzinfo=UTC))
    assert verify(doubled).verified
    broken = copy.deepcopy(doubled)
    broken["proof"][1]["proofValue"] = broken["proof"][0]["proofValue"]
    assert verify(broken).error_codes() == [ErrorCode.INVALID_SIGNATURE]
