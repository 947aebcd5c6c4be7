"""Status checks read a bit only from a status list that verifies and belongs to the issuer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from civid.core.credential import CredentialChecks, verify_credential
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.core.did.resolver import DidResolver
from civid.core.errors import CividError, ErrorCode
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.core.statuslist.bitstring import Bitstring, StatusPurpose
from civid.core.statuslist.credential import status_entry, status_list_credential

from .conftest import unsigned_national_id

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
OTHER_KEY = Ed25519KeyPair.from_seed(bytes(range(5, 37)))
ISSUER = did_key_for(ISSUER_KEY.public_key)
HOLDER = did_key_for(Ed25519KeyPair.from_seed(bytes(range(1, 33))).public_key)
REVOCATION_URL = "https://issuer.civid.example/status/revocation/1"
SUSPENSION_URL = "https://issuer.civid.example/status/suspension/1"
INDEX = 94567


def signed(document: dict[str, Any], key: Ed25519KeyPair = ISSUER_KEY) -> dict[str, Any]:
    did = did_key_for(key.public_key)
    vm = f"{did}#{did.removeprefix('did:key:')}"
    return add_proof(
        document, key, ProofOptions(verification_method=vm, created=datetime(2024, 1, 1, tzinfo=UTC))
    )


def status_list(url: str, purpose: StatusPurpose, set_bit: bool, key: Ed25519KeyPair = ISSUER_KEY) -> dict:
    bits = Bitstring()
    if set_bit:
        bits.set(INDEX)
    issuer = did_key_for(key.public_key)
    return signed(status_list_credential(url, issuer, purpose, bits, "2024-01-01T00:00:00Z"), key)


class Lists:
    def __init__(self, *documents: Mapping[str, Any]) -> None:
        self.by_url = {d["id"]: d for d in documents}

    def status_list(self, url: str) -> Mapping[str, Any]:
        if url not in self.by_url:
            raise CividError(ErrorCode.STATUS_UNAVAILABLE, f"{url} cannot be fetched")
        return self.by_url[url]


@pytest.fixture
def credential() -> dict[str, Any]:
    entries = [
        status_entry(REVOCATION_URL, StatusPurpose.REVOCATION, INDEX),
        status_entry(SUSPENSION_URL, StatusPurpose.SUSPENSION, INDEX),
    ]
    return signed(unsigned_national_id(ISSUER, HOLDER, credentialStatus=entries))


def verify(credential: dict[str, Any], *lists: Mapping[str, Any]):
    return verify_credential(credential, CredentialChecks(DidResolver([]), NOW, Lists(*lists)))


def test_a_credential_whose_bits_are_clear_verifies(credential):
    result = verify(
        credential,
        status_list(REVOCATION_URL, StatusPurpose.REVOCATION, False),
        status_list(SUSPENSION_URL, StatusPurpose.SUSPENSION, False),
    )
    assert result.verified, result.to_json()


def test_a_revoked_credential_fails_with_revoked(credential):
    result = verify(
        credential,
        status_list(REVOCATION_URL, StatusPurpose.REVOCATION, True),
        status_list(SUSPENSION_URL, StatusPurpose.SUSPENSION, False),
    )
    assert result.error_codes() == [ErrorCode.REVOKED]


def test_a_suspended_credential_fails_with_suspended(credential):
    result = verify(
        credential,
        status_list(REVOCATION_URL, StatusPurpose.REVOCATION, False),
        status_list(SUSPENSION_URL, StatusPurpose.SUSPENSION, True),
    )
    assert result.error_codes() == [ErrorCode.SUSPENDED]


def test_a_status_list_signed_by_someone_else_is_not_read(credential):
    result = verify(
        credential,
        status_list(REVOCATION_URL, StatusPurpose.REVOCATION, False, key=OTHER_KEY),
        status_list(SUSPENSION_URL, StatusPurpose.SUSPENSION, False),
    )
    assert result.error_codes() == [ErrorCode.STATUS_LIST_INVALID]


def test_a_tampered_status_list_is_not_read(credential):
    revocation = status_list(REVOCATION_URL, StatusPurpose.REVOCATION, True)
    revocation["credentialSubject"]["encodedList"] = status_list(
        REVOCATION_URL, StatusPurpose.REVOCATION, False
    )["credentialSubject"]["encodedList"]
    result = verify(credential, revocation, status_list(SUSPENSION_URL, StatusPurpose.SUSPENSION, False))
    assert result.error_codes() == [ErrorCode.STATUS_LIST_INVALID]


def test_an_unreachable_status_list_fails_closed(credential):
    result = verify(credential, status_list(SUSPENSION_URL, StatusPurpose.SUSPENSION, False))
    assert result.error_codes() == [ErrorCode.STATUS_UNAVAILABLE]
