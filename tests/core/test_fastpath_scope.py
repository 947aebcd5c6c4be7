"""The second fast-path round gives the plain path's answers too: sub-objects shared within one
verification, private input copies, pyld's RDF conversion and RDFC serialization done with less work.

Each input runs through ``plain_path()`` and through the fast path (cold, then warm); see
``test_fastpath.py`` for the helpers' contract.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from civid.core.credential import CredentialChecks
from civid.core.did.resolver import DidResolver
from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld import canonicalize, canonicalize_detailed, expand, safe, subtree_memo
from civid.core.jsonld.fastpath import plain_path
from civid.core.presentation import create_presentation, verify_presentation
from civid.core.proofs.dataintegrity import ProofOptions, add_proof

from .conftest import CIVID_V1, CREDENTIALS_V2, unsigned_national_id
from .test_fastpath import HOLDER, HOLDER_KEY, ISSUER, ISSUER_KEY, generated_documents

NOW = datetime(2025, 6, 1, tzinfo=UTC)
EX = "https://example.org/vocab#"
HOLDER_VM = f"{HOLDER}#{HOLDER.removeprefix('did:key:')}"
CHECKS = CredentialChecks(DidResolver([]), NOW)


def outcome(operation: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("ok", operation())
    except CividError as error:
        return ("error", error.code, error.message)


def assert_same(operation: Callable[[], Any]) -> tuple[Any, ...]:
    with plain_path():
        plain = outcome(operation)
    with plain_path(False):
        assert outcome(operation) == plain
        assert outcome(operation) == plain
    return plain


def signed(document: dict[str, Any]) -> dict[str, Any]:
    vm = f"{ISSUER}#{ISSUER.removeprefix('did:key:')}"
    options = ProofOptions(verification_method=vm, created=datetime(2024, 1, 1, tzinfo=UTC))
    return add_proof(document, ISSUER_KEY, options)


def credential_with_nickname(nickname_iri: str) -> dict[str, Any]:
    document = unsigned_national_id(ISSUER, HOLDER)
    document["@context"] = [CREDENTIALS_V2, CIVID_V1, {"nickname": nickname_iri}]
    document["credentialSubject"]["nickname"] = "Chai"
    return signed(document)


def presentation(*credentials: dict[str, Any]) -> dict[str, Any]:
    return create_presentation(credentials, HOLDER_KEY, HOLDER, HOLDER_VM, challenge="c1", domain="d.example")


def verify(vp: dict[str, Any]) -> dict[str, Any]:
    return verify_presentation(vp, CHECKS, challenge="c1", domain="d.example").to_json()


# --- sub-objects shared within one verification --------------------------------------------------


def test_identical_subjects_under_different_contexts_keep_their_own_meaning() -> None:
    vp = presentation(credential_with_nickname(f"{EX}a"), credential_with_nickname(f"{EX}b"))
    unsecured = {k: v for k, v in vp.items() if k != "proof"}
    with subtree_memo.verification_scope():
        text = canonicalize(unsecured)
    assert f"<{EX}a>" in text and f"<{EX}b>" in text
    assert text == _plain(lambda: canonicalize(unsecured))
    assert assert_same(lambda: verify(vp))[1]["verified"] is True


def test_a_subject_tampered_inside_a_signed_presentation_fails_identically_on_both_paths() -> None:
    vp = presentation(signed(unsigned_national_id(ISSUER, HOLDER)))
    vp["verifiableCredential"][0]["credentialSubject"]["familyNameEn"] = "Impostor"
    result = assert_same(lambda: verify(vp))[1]
    assert result["verified"] is False
    failed = {check["name"] for check in result["checks"] if check["outcome"] == "failed"}
    assert {"presentation.proof.signature", "credential[0].proof.signature"} <= failed


def test_the_same_credential_twice_in_a_presentation_verifies_identically() -> None:
    credential = signed(unsigned_national_id(ISSUER, HOLDER))
    vp = presentation(credential, copy.deepcopy(credential))
    assert assert_same(lambda: verify(vp))[1]["verified"] is True


def test_shared_sub_objects_do_not_outlive_the_verification() -> None:
    verify(presentation(signed(unsigned_national_id(ISSUER, HOLDER))))
    assert not subtree_memo.active()
    calls: list[int] = []
    assert subtree_memo.expanded("key", lambda: calls.append(1) or [1]) == [1]
    assert subtree_memo.expanded("key", lambda: calls.append(1) or [1]) == [1]
    assert len(calls) == 2


def test_a_shared_sub_object_is_computed_once_and_handed_out_as_private_copies() -> None:
    calls: list[int] = []

    def expand_once() -> list[dict[str, Any]]:
        calls.append(1)
        return [{"@id": "urn:x", "v": [{"@value": "a"}]}]

    with subtree_memo.verification_scope():
        first = subtree_memo.expanded("key", expand_once)
        first[0]["v"].append({"@value": "mutated"})
        second = subtree_memo.expanded("key", expand_once)
    assert calls == [1]
    assert second == [{"@id": "urn:x", "v": [{"@value": "a"}]}]


def test_a_failed_expansion_is_not_kept() -> None:
    def fail() -> Any:
        raise CividError(ErrorCode.JSONLD_ERROR, "refused")

    with subtree_memo.verification_scope():
        for _ in range(2):
            with pytest.raises(CividError):
                subtree_memo.expanded("key", fail)
        assert subtree_memo.expanded("key", lambda: "computed") == "computed"


def test_a_verification_scope_is_private_to_its_thread() -> None:
    seen: list[bool] = []
    with subtree_memo.verification_scope():
        worker = threading.Thread(target=lambda: seen.append(subtree_memo.active()))
        worker.start()
        worker.join()
        assert subtree_memo.active()
    assert seen == [False]


def test_the_table_of_one_verification_stays_within_its_bound() -> None:
    calls: list[int] = []
    with subtree_memo.verification_scope():
        for number in range(subtree_memo.MAX_ENTRIES + 10):
            subtree_memo.expanded(number, lambda number=number: number)
        subtree_memo.expanded(subtree_memo.MAX_ENTRIES + 5, lambda: calls.append(1) or 0)
    assert calls == [1]


# --- private input copies --------------------------------------------------------------------------


def json_literal_document() -> dict[str, Any]:
    document = unsigned_national_id(ISSUER, HOLDER)
    document["@context"] = [CREDENTIALS_V2, CIVID_V1, {"blob": {"@id": f"{EX}blob", "@type": "@json"}}]
    document["credentialSubject"]["blob"] = {"list": [1, 2], "text": "before"}
    return document


@pytest.mark.parametrize("plain", [True, False], ids=["plain", "fast"])
def test_an_expansion_shares_nothing_with_the_input_document(plain: bool) -> None:
    document = json_literal_document()
    with plain_path(plain):
        expanded = expand(document)
    document["credentialSubject"]["blob"]["list"].append(3)
    document["credentialSubject"]["blob"]["text"] = "after"
    subject = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    assert subject[f"{EX}blob"] == [{"@type": "@json", "@value": {"list": [1, 2], "text": "before"}}]


def test_a_document_that_is_not_plain_data_is_still_expanded_identically() -> None:
    class Tagged(dict[str, Any]):
        pass

    document = Tagged(unsigned_national_id(ISSUER, HOLDER))
    assert assert_same(lambda: expand(document))[0] == "ok"
    shared = unsigned_national_id(ISSUER, HOLDER)
    address = {"type": "ThaiAddress", "province": "Bangkok"}
    other = {**shared["credentialSubject"], "id": "did:example:other"}
    shared["credentialSubject"] = [shared["credentialSubject"], other]
    for subject in shared["credentialSubject"]:
        subject["address"] = address  # one object referenced twice
    assert assert_same(lambda: canonicalize_detailed(shared))[0] == "ok"


# --- RDF conversion and RDFC serialization -------------------------------------------------------


@pytest.mark.parametrize("document", generated_documents(80, seed=11), ids=lambda d: d["id"][-4:])
def test_generated_document_converts_to_the_same_rdf_dataset_on_both_paths(document: dict[str, Any]) -> None:
    assert_same(lambda: safe.to_rdf(document))


def test_presentations_canonicalize_identically_on_both_paths() -> None:
    credentials = [credential_with_nickname(f"{EX}a"), signed(unsigned_national_id(ISSUER, HOLDER))]
    vp = presentation(*credentials)
    unsecured = {k: v for k, v in vp.items() if k != "proof"}
    assert assert_same(lambda: canonicalize_detailed(unsecured))[0] == "ok"


def test_numbers_booleans_directions_and_lists_convert_identically() -> None:
    document = {
        "@context": {"@vocab": EX, "tags": {"@container": "@list"}, "@direction": "rtl", "@language": "ar"},
        "@id": "urn:x",
        "n": [1, 1.5, 2.0, 10**21, True, False],
        "typed": {"@value": "1.0", "@type": "http://www.w3.org/2001/XMLSchema#double"},
        "text": "مرحبا",
        "tags": ["a", {"@id": "urn:y"}, {"@value": "b", "@language": "th"}],
        "empty": [],
        "ref": {"@id": "_:b7"},
    }
    assert assert_same(lambda: safe.to_rdf(document))[0] == "ok"
    assert assert_same(lambda: canonicalize_detailed(document))[0] == "ok"


def _plain(operation: Callable[[], Any]) -> Any:
    with plain_path():
        return operation()
