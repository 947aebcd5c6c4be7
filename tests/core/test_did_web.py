"""did:web identifiers and issuer DID documents (civid.core.did.web)."""

from __future__ import annotations

import pytest

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.document import parse_controller_document
from civid.core.did.web import build_did_web_document, did_web_for, did_web_url
from civid.core.errors import CividError, ErrorCode


# Examples from the did:web method specification (w3c-ccg/did-method-web).
@pytest.mark.parametrize(
    ("host", "path", "did", "url"),
    [
        (
            "w3c-ccg.github.io",
            (),
            "did:web:w3c-ccg.github.io",
            "https://w3c-ccg.github.io/.well-known/did.json",
        ),
        (
            "w3c-ccg.github.io",
            ("user", "alice"),
            "did:web:w3c-ccg.github.io:user:alice",
            "https://w3c-ccg.github.io/user/alice/did.json",
        ),
        (
            "example.com:3000",
            ("user", "alice"),
            "did:web:example.com%3A3000:user:alice",
            "https://example.com:3000/user/alice/did.json",
        ),
    ],
)
def test_did_web_matches_the_method_spec_examples(
    host: str, path: tuple[str, ...], did: str, url: str
) -> None:
    assert did_web_for(host, path) == did
    assert did_web_url(did) == url


def test_host_is_lower_cased() -> None:
    assert did_web_for("ID.Example.GO.TH") == "did:web:id.example.go.th"


def test_path_segments_are_percent_encoded() -> None:
    did = did_web_for("example.com", ["a b", "x:y", "t~"])
    assert did == "did:web:example.com:a%20b:x%3Ay:t%7E"
    assert did_web_url(did) == "https://example.com/a%20b/x%3Ay/t%7E/did.json"


@pytest.mark.parametrize(
    "host", ["", "-bad.com", "bad-.com", "exa mple.com", "a..b", "x.com:0", "x.com:99999", "x.com:"]
)
def test_invalid_host_or_port_is_invalid_did(host: str) -> None:
    with pytest.raises(CividError) as info:
        did_web_for(host)
    assert info.value.code is ErrorCode.INVALID_DID


def test_empty_path_segment_is_invalid_did() -> None:
    with pytest.raises(CividError) as info:
        did_web_for("example.com", ["user", ""])
    assert info.value.code is ErrorCode.INVALID_DID


@pytest.mark.parametrize(
    "did",
    ["did:key:z6Mk", "did:web:", "did:web:example.com#key-1", "did:web:example.com:", "did:web:Example.com"],
)
def test_url_of_a_malformed_did_web_is_invalid_did(did: str) -> None:
    with pytest.raises(CividError) as info:
        did_web_url(did)
    assert info.value.code is ErrorCode.INVALID_DID


def test_document_lists_multikey_methods_under_assertion_and_authentication() -> None:
    key1 = Ed25519KeyPair.from_seed(bytes(32)).public_key
    key2 = Ed25519KeyPair.from_seed(b"\x01" * 32).public_key
    did = did_web_for("id.example.go.th")
    document = build_did_web_document(did, [("key-1", key1), ("key-2", key2)])
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": f"{did}#{n}", "type": "Multikey", "controller": did, "publicKeyMultibase": k.multikey}
            for n, k in (("key-1", key1), ("key-2", key2))
        ],
        "assertionMethod": [f"{did}#key-1", f"{did}#key-2"],
        "authentication": [f"{did}#key-1", f"{did}#key-2"],
    }


def test_built_document_parses_back_to_its_keys() -> None:
    key = Ed25519KeyPair.generate().public_key
    did = did_web_for("id.example.go.th", ["issuers", "bangkok"])
    parsed = parse_controller_document(build_did_web_document(did, [("key-1", key)]))
    assert parsed.method(f"{did}#key-1").public_key == key
    assert parsed.authorizes(f"{did}#key-1", "assertionMethod")


def test_relationships_and_also_known_as_can_be_chosen() -> None:
    key = Ed25519KeyPair.generate().public_key
    did = did_web_for("id.example.go.th")
    document = build_did_web_document(
        did, [("key-1", key)], relationships=["assertionMethod"], also_known_as=["https://id.example.go.th"]
    )
    assert "authentication" not in document
    assert document["assertionMethod"] == [f"{did}#key-1"]
    assert document["alsoKnownAs"] == ["https://id.example.go.th"]


@pytest.mark.parametrize("fragments", [["key-1", "key-1"], ["bad#frag"], [""]])
def test_duplicate_or_invalid_fragments_are_refused(fragments: list[str]) -> None:
    key = Ed25519KeyPair.generate().public_key
    with pytest.raises(CividError) as info:
        build_did_web_document(did_web_for("example.com"), [(f, key) for f in fragments])
    assert info.value.code is ErrorCode.INVALID_KEY


def test_document_without_keys_is_refused() -> None:
    with pytest.raises(CividError):
        build_did_web_document(did_web_for("example.com"), [])
