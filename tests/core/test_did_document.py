"""Parsing DID / controller documents (civid.core.did.document)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.document import VerificationMethod, parse_controller_document
from civid.core.errors import CividError, ErrorCode

DID_KEY = Path(__file__).parents[1] / "fixtures" / "vectors" / "did-key"
DID = "did:web:id.example.go.th"
KEY = Ed25519KeyPair.from_seed(bytes(range(32))).public_key
OTHER = Ed25519KeyPair.from_seed(bytes(range(1, 33))).public_key


def _document(**extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID,
        "verificationMethod": [
            {"id": "#key-1", "type": "Multikey", "controller": DID, "publicKeyMultibase": KEY.multikey},
            {
                "id": f"{DID}#legacy",
                "type": "Ed25519VerificationKey2020",
                "controller": DID,
                "publicKeyMultibase": OTHER.multikey,
            },
        ],
        "assertionMethod": ["#key-1", f"{DID}#legacy"],
    }
    document.update(extra)
    return document


def test_relative_method_ids_resolve_against_the_document_id() -> None:
    parsed = parse_controller_document(_document())
    method = parsed.method(f"{DID}#key-1")
    assert method == VerificationMethod(f"{DID}#key-1", "Multikey", DID, KEY)
    assert parsed.authorizes(f"{DID}#key-1", "assertionMethod")


def test_legacy_ed25519_verification_key_2020_is_supported() -> None:
    method = parse_controller_document(_document()).method(f"{DID}#legacy")
    assert method.type == "Ed25519VerificationKey2020"
    assert method.public_key == OTHER


def test_method_is_authorized_only_under_the_relationships_that_list_it() -> None:
    parsed = parse_controller_document(_document())
    assert parsed.authorizes(f"{DID}#legacy", "assertionMethod")
    assert not parsed.authorizes(f"{DID}#key-1", "authentication")
    assert not parsed.authorizes(f"{DID}#key-1", "madeUpPurpose")


def test_embedded_method_counts_only_for_its_relationship() -> None:
    embedded = {"id": "#auth", "type": "Multikey", "controller": DID, "publicKeyMultibase": OTHER.multikey}
    parsed = parse_controller_document(_document(authentication=[embedded]))
    assert parsed.method(f"{DID}#auth").public_key == OTHER
    assert parsed.authorizes(f"{DID}#auth", "authentication")
    assert not parsed.authorizes(f"{DID}#auth", "assertionMethod")


def test_unknown_method_is_verification_method_not_found() -> None:
    with pytest.raises(CividError) as info:
        parse_controller_document(_document()).method(f"{DID}#key-9")
    assert info.value.code is ErrorCode.VERIFICATION_METHOD_NOT_FOUND


def test_legacy_2018_methods_in_did_key_spec_vectors_are_kept_as_unsupported() -> None:
    vectors = json.loads((DID_KEY / "ed25519-x25519.did-key-spec-test-vectors.json").read_text())
    did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    parsed = parse_controller_document(vectors[did]["didDocument"])
    vm_id = f"{did}#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    assert parsed.authorizes(vm_id, "assertionMethod")
    with pytest.raises(CividError, match="Ed25519VerificationKey2018") as info:
        parsed.method(vm_id)
    assert info.value.code is ErrorCode.INVALID_KEY


def test_spec_example_x25519_key_agreement_is_unsupported_but_the_ed25519_key_works() -> None:
    example = json.loads((DID_KEY / "spec-example-did-document-v1.1.json").read_text())
    parsed = parse_controller_document(example)
    ed_id = example["verificationMethod"][0]["id"]
    x_id = example["keyAgreement"][0]["id"]
    assert parsed.method(ed_id).public_key.multikey == example["verificationMethod"][0]["publicKeyMultibase"]
    with pytest.raises(CividError) as info:
        parsed.method(x_id)
    assert info.value.code is ErrorCode.INVALID_KEY


def test_multikey_with_a_bad_ed25519_key_is_unusable() -> None:
    bad = {"id": "#bad", "type": "Multikey", "controller": DID, "publicKeyMultibase": "z6MkiTBz1y"}
    parsed = parse_controller_document(_document(verificationMethod=[bad], assertionMethod=["#bad"]))
    with pytest.raises(CividError) as info:
        parsed.method(f"{DID}#bad")
    assert info.value.code is ErrorCode.INVALID_KEY


@pytest.mark.parametrize("doc_id", [None, "", "#frag", "did:web:x.com#k", "no-scheme", 42])
def test_document_id_must_be_an_absolute_url_without_fragment(doc_id: object) -> None:
    with pytest.raises(CividError) as info:
        parse_controller_document(_document(id=doc_id))
    assert info.value.code is ErrorCode.INVALID_DID


@pytest.mark.parametrize(
    "extra",
    [
        {"verificationMethod": {"id": "#k"}},  # not an array
        {"assertionMethod": "#key-1"},  # not an array
        {"assertionMethod": [7]},  # neither reference nor object
        {"assertionMethod": ["relative-ref"]},  # not absolute, not a fragment
        {"verificationMethod": [{"id": "#k", "type": "Multikey"}]},  # no controller
        {"verificationMethod": [{"id": "did:web:other.com#k", "type": "Multikey", "controller": DID}]},
    ],
)
def test_structurally_malformed_document_is_malformed_document(extra: dict[str, Any]) -> None:
    with pytest.raises(CividError) as info:
        parse_controller_document(_document(**extra))
    assert info.value.code is ErrorCode.MALFORMED_DOCUMENT


def test_method_defined_twice_is_malformed_document() -> None:
    document = _document()
    document["verificationMethod"].append(dict(document["verificationMethod"][0], id=f"{DID}#key-1"))
    with pytest.raises(CividError, match="defined twice") as info:
        parse_controller_document(document)
    assert info.value.code is ErrorCode.MALFORMED_DOCUMENT


def test_non_object_document_is_malformed_document() -> None:
    with pytest.raises(CividError) as info:
        parse_controller_document([])  # type: ignore[arg-type]
    assert info.value.code is ErrorCode.MALFORMED_DOCUMENT
