"""Offline DID resolution and verification-method authorization (civid.core.did.resolver)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civid.core.crypto.keys import Ed25519KeyPair, Ed25519PublicKey
from civid.core.did.key import did_key_for, resolve_did_key, verification_method_id_for
from civid.core.did.resolver import DidResolver, ResolvedMethod
from civid.core.did.web import build_did_web_document, did_web_for
from civid.core.errors import CividError, ErrorCode

RDFC = Path(__file__).parents[1] / "fixtures" / "vectors" / "eddsa-rdfc-2022"
SPEC_KEY = json.loads((RDFC / "keyPair.json").read_text())["publicKeyMultibase"]
SPEC_VM = f"did:key:{SPEC_KEY}#{SPEC_KEY}"
ISSUER = did_web_for("id.example.go.th")
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(32))).public_key
ASSERT_ONLY_KEY = Ed25519KeyPair.from_seed(bytes(range(1, 33))).public_key


def _issuer_document() -> dict[str, Any]:
    document = build_did_web_document(ISSUER, [("key-1", ISSUER_KEY)])
    document["verificationMethod"].append(_multikey("#key-2", ISSUER, ASSERT_ONLY_KEY))
    document["assertionMethod"].append("#key-2")
    return document


def _multikey(method_id: str, controller: str, key: Ed25519PublicKey) -> dict[str, str]:
    return {"id": method_id, "type": "Multikey", "controller": controller, "publicKeyMultibase": key.multikey}


def _code(call: Any, *args: Any) -> ErrorCode:
    with pytest.raises(CividError) as info:
        call(*args)
    return info.value.code


@pytest.mark.parametrize("purpose", ["assertionMethod", "authentication", "capabilityInvocation"])
def test_spec_did_key_method_resolves_offline_for_its_purposes(purpose: str) -> None:
    resolved = DidResolver().resolve_verification_method(SPEC_VM, purpose)
    expected_key = Ed25519PublicKey.from_multikey(SPEC_KEY)
    assert resolved == ResolvedMethod(SPEC_VM, f"did:key:{SPEC_KEY}", expected_key)


def test_did_key_is_not_authorized_for_key_agreement() -> None:
    assert _code(DidResolver().resolve_verification_method, SPEC_VM, "keyAgreement") is (
        ErrorCode.VERIFICATION_METHOD_NOT_AUTHORIZED
    )


def test_bare_did_is_not_a_verification_method() -> None:
    did = f"did:key:{SPEC_KEY}"
    assert _code(DidResolver().resolve_verification_method, did, "assertionMethod") is (
        ErrorCode.VERIFICATION_METHOD_NOT_FOUND
    )


def test_did_key_with_another_fragment_is_not_found() -> None:
    other = Ed25519KeyPair.generate().public_key.multikey
    vm_url = f"did:key:{SPEC_KEY}#{other}"
    assert _code(DidResolver().resolve_verification_method, vm_url, "assertionMethod") is (
        ErrorCode.VERIFICATION_METHOD_NOT_FOUND
    )


def test_malformed_did_key_is_invalid_did() -> None:
    assert _code(DidResolver().resolve_verification_method, "did:key:z6Mkbad#z6Mkbad", "assertionMethod") is (
        ErrorCode.INVALID_DID
    )


def test_configured_did_web_method_resolves_for_assertion() -> None:
    resolver = DidResolver([_issuer_document()])
    resolved = resolver.resolve_verification_method(f"{ISSUER}#key-1", "assertionMethod")
    assert resolved == ResolvedMethod(f"{ISSUER}#key-1", ISSUER, ISSUER_KEY)


def test_method_not_listed_under_the_purpose_is_not_authorized() -> None:
    resolver = DidResolver([_issuer_document()])
    resolved = resolver.resolve_verification_method(f"{ISSUER}#key-2", "assertionMethod")
    assert resolved.public_key == ASSERT_ONLY_KEY
    with pytest.raises(CividError, match="authentication") as info:
        resolver.resolve_verification_method(f"{ISSUER}#key-2", "authentication")
    assert info.value.code is ErrorCode.VERIFICATION_METHOD_NOT_AUTHORIZED


def test_method_controlled_by_someone_else_is_not_authorized() -> None:
    document = _issuer_document()
    document["verificationMethod"][0]["controller"] = "did:web:attacker.example"
    resolver = DidResolver([document])
    assert _code(resolver.resolve_verification_method, f"{ISSUER}#key-1", "assertionMethod") is (
        ErrorCode.VERIFICATION_METHOD_NOT_AUTHORIZED
    )


def test_unconfigured_did_is_not_resolved_and_never_fetched() -> None:
    resolver = DidResolver([_issuer_document()])
    assert _code(resolver.resolve_verification_method, "did:web:other.example#key-1", "assertionMethod") is (
        ErrorCode.DID_NOT_RESOLVED
    )
    assert _code(resolver.resolve, "did:web:other.example") is ErrorCode.DID_NOT_RESOLVED


def test_unknown_fragment_of_a_configured_did_is_not_found() -> None:
    resolver = DidResolver([_issuer_document()])
    assert _code(resolver.resolve_verification_method, f"{ISSUER}#key-9", "assertionMethod") is (
        ErrorCode.VERIFICATION_METHOD_NOT_FOUND
    )


def test_https_controller_document_resolves_like_a_did() -> None:
    controller = "https://issuer.example/controller"
    document = {
        "@context": "https://www.w3.org/ns/cid/v1",
        "id": controller,
        "verificationMethod": [_multikey("#k", controller, ISSUER_KEY)],
        "assertionMethod": ["#k"],
    }
    resolved = DidResolver([document]).resolve_verification_method(f"{controller}#k", "assertionMethod")
    assert resolved.public_key == ISSUER_KEY


def test_documents_load_from_json_files(tmp_path: Path) -> None:
    path = tmp_path / "issuer.json"
    path.write_text(json.dumps(_issuer_document()), encoding="utf-8")
    resolver = DidResolver.from_files([path])
    assert resolver.configured_ids == frozenset({ISSUER})
    assert resolver.resolve_verification_method(f"{ISSUER}#key-1", "authentication").public_key == ISSUER_KEY


def test_file_that_is_not_json_is_malformed_document(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    assert _code(DidResolver.from_files, [path]) is ErrorCode.MALFORMED_DOCUMENT


def test_two_documents_for_one_did_are_refused() -> None:
    assert _code(DidResolver, [_issuer_document(), _issuer_document()]) is ErrorCode.MALFORMED_DOCUMENT


def test_a_configured_did_key_document_is_refused() -> None:
    # did:key documents are computed; a configured one could claim another key for the same DID.
    document = resolve_did_key(f"did:key:{SPEC_KEY}")
    assert _code(DidResolver, [document]) is ErrorCode.INVALID_DID


def test_resolve_returns_documents_that_callers_cannot_change() -> None:
    resolver = DidResolver([_issuer_document()])
    resolver.resolve(ISSUER)["verificationMethod"].clear()
    assert resolver.resolve(ISSUER) == _issuer_document()
    assert resolver.resolve(f"did:key:{SPEC_KEY}") == resolve_did_key(f"did:key:{SPEC_KEY}")


def test_later_changes_to_the_given_document_do_not_affect_the_resolver() -> None:
    document = _issuer_document()
    resolver = DidResolver([document])
    document["assertionMethod"].clear()
    assert resolver.resolve_verification_method(f"{ISSUER}#key-1", "assertionMethod").public_key == ISSUER_KEY


def test_resolver_is_immutable() -> None:
    resolver = DidResolver()
    with pytest.raises(AttributeError):
        resolver._documents = {}


def test_did_key_documents_are_cached_and_the_cache_is_bounded() -> None:
    resolver = DidResolver(did_key_cache_size=3)
    keys = [Ed25519KeyPair.generate().public_key for _ in range(5)]
    for key in keys:
        resolver.resolve_verification_method(verification_method_id_for(key), "authentication")
    first = resolver.resolve_document(did_key_for(keys[-1]))
    assert resolver.resolve_document(did_key_for(keys[-1])) is first
    info = resolver.did_key_cache_info()
    assert info.currsize == 3
    assert info.hits >= 2
