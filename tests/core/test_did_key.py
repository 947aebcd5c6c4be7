"""did:key for Ed25519 (civid.core.did.key) against the did:key spec vectors."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import base58
import pytest

from civid.core.crypto.keys import Ed25519KeyPair, Ed25519PublicKey
from civid.core.did.key import (
    did_key_for,
    public_key_of_did_key,
    resolve_did_key,
    verification_method_id_for,
)
from civid.core.errors import CividError, ErrorCode

DID_KEY = Path(__file__).parents[1] / "fixtures" / "vectors" / "did-key"


def _json(name: str) -> Any:
    return json.loads((DID_KEY / name).read_text(encoding="utf-8"))


SEED_VECTORS: list[dict[str, Any]] = _json("ed25519-seed-to-did-multikey.json")["vectors"]
SPEC_VECTORS: dict[str, Any] = _json("ed25519-x25519.did-key-spec-test-vectors.json")


@pytest.mark.parametrize("did", sorted(SPEC_VECTORS), ids=lambda d: d[-6:])
def test_spec_seed_gives_the_spec_did(did: str) -> None:
    seed = bytes.fromhex(SPEC_VECTORS[did]["seed"])
    assert did_key_for(Ed25519KeyPair.from_seed(seed).public_key) == did


@pytest.mark.parametrize("did", sorted(SPEC_VECTORS), ids=lambda d: d[-6:])
def test_spec_did_holds_the_spec_public_key(did: str) -> None:
    pair = SPEC_VECTORS[did]["verificationKeyPair"]
    if "publicKeyBase58" in pair:
        expected = base58.b58decode(pair["publicKeyBase58"])
    else:
        expected = base64.urlsafe_b64decode(pair["publicKeyJwk"]["x"] + "=")
    assert public_key_of_did_key(did).raw == expected


@pytest.mark.parametrize("vector", SEED_VECTORS, ids=lambda v: v["did"][-6:])
def test_resolution_gives_the_multikey_did_document(vector: dict[str, Any]) -> None:
    assert resolve_did_key(vector["did"]) == vector["didDocument_multikey"]


@pytest.mark.parametrize("vector", SEED_VECTORS, ids=lambda v: v["did"][-6:])
def test_verification_method_id_is_did_hash_multikey(vector: dict[str, Any]) -> None:
    public_key = Ed25519PublicKey.from_multikey(vector["publicKeyMultibase"])
    assert verification_method_id_for(public_key) == vector["verificationMethod_id"]


def test_resolution_reproduces_the_spec_example_except_its_newer_context_and_key_agreement() -> None:
    example = _json("spec-example-did-document-v1.1.json")
    document = resolve_did_key(example["id"])
    assert document["verificationMethod"] == example["verificationMethod"]
    for relationship in ("authentication", "assertionMethod", "capabilityDelegation", "capabilityInvocation"):
        assert document[relationship] == example[relationship]
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def test_did_document_lists_keys_in_digital_bazaar_order() -> None:
    did = SEED_VECTORS[0]["did"]
    assert list(resolve_did_key(did)) == [
        "@context",
        "id",
        "verificationMethod",
        "authentication",
        "assertionMethod",
        "capabilityDelegation",
        "capabilityInvocation",
    ]


@pytest.mark.parametrize(
    "did",
    [
        "did:web:example.com",
        "did:key:",
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        "did:key:z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p",  # X25519, not Ed25519
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",  # secp256k1
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW",  # truncated
        "did:key:u7QE7aie8zrakLWKjqNAqbw1zZTIVdx3iQ6Y6wEihi1naKQ",  # base64url
    ],
)
def test_malformed_or_non_ed25519_did_key_is_invalid_did(did: str) -> None:
    with pytest.raises(CividError) as info:
        resolve_did_key(did)
    assert info.value.code is ErrorCode.INVALID_DID
