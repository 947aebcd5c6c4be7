"""The fast path gives exactly the plain pyld path's answers: differential tests on the same inputs.

Each input runs through ``plain_path()`` and through the fast path (twice: cold, then with its
memo tables warm); canonical forms, issued blank-node labels, error codes and messages, and whole
verification results must be identical.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from civid.core.credential import CredentialChecks, verify_credential
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.core.did.resolver import DidResolver
from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld import canonicalize, canonicalize_detailed, context_memo, expand, safe, templates
from civid.core.jsonld.canonical import canonicalize_utf8
from civid.core.jsonld.contexts import CREDENTIALS_EXAMPLES_V2
from civid.core.jsonld.fastpath import fastpath_enabled, plain_path
from civid.core.jsonld.memo import LockedLru, content_key
from civid.core.presentation import create_presentation, verify_presentation
from civid.core.proofs.dataintegrity import ProofOptions, add_proof

from .conftest import CIVID_V1, CREDENTIALS_V2, load_vector, unsigned_national_id

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
HOLDER_KEY = Ed25519KeyPair.from_seed(bytes(range(1, 33)))
ISSUER = did_key_for(ISSUER_KEY.public_key)
HOLDER = did_key_for(HOLDER_KEY.public_key)
EX = "https://example.org/vocab#"


def outcome(operation: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("ok", operation())
    except CividError as error:
        return ("error", error.code, error.message)


def both_paths(operation: Callable[[], Any]) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """(plain, fast cold-or-warm, fast warm) outcomes of ``operation``."""
    with plain_path():
        plain = outcome(operation)
    with plain_path(False):
        first = outcome(operation)
        second = outcome(operation)
    return plain, first, second


def assert_same(operation: Callable[[], Any]) -> tuple[Any, ...]:
    plain, first, second = both_paths(operation)
    assert first == plain
    assert second == plain
    return plain


# --- generated documents ----------------------------------------------------------------------

NAMES = ["Somchai", "สมชาย", 'quote " and \\ slash', "tab\tnew\nline", "ctl\x01\x7f", "", "é" * 40]


def random_text(rng: random.Random) -> str:
    return rng.choice(NAMES) + str(rng.randrange(10**6))


def inline_context(rng: random.Random) -> dict[str, Any]:
    """A local context adding terms, a type-scoped context, a list and a JSON literal."""
    return {
        "nickname": f"{EX}nickname",
        "scores": {"@id": f"{EX}scores", "@container": "@list"},
        "blob": {"@id": f"{EX}blob", "@type": "@json"},
        "Pet": {"@id": f"{EX}Pet", "@context": {"petName": f"{EX}petName", "legs": f"{EX}legs"}},
        "pet": {"@id": f"{EX}pet"},
        "label": {"@id": f"{EX}label", "@language": rng.choice(["th", "en-GB"])},
    }


def mutate(document: dict[str, Any], rng: random.Random) -> None:
    subject = document["credentialSubject"]
    choice = rng.randrange(20)
    if choice == 0:
        subject["undefinedTermX"] = "x"
    elif choice == 1:
        subject["type"] = ["Citizen", "NoSuchType"]
    elif choice == 2:
        subject["id"] = "relative/holder"
    elif choice == 3:
        document["@context"] = [CREDENTIALS_V2, CIVID_V1, {"givenNameEn": f"{EX}stolen"}]
    elif choice == 4:
        document["@context"] = [CREDENTIALS_V2, "https://example.org/unknown/v1"]
    elif choice == 5:
        document["@context"] = [CIVID_V1, CREDENTIALS_V2]
    elif choice == 6:
        subject["address"] = {"@context": None, "road": "x"}
    elif choice == 7:
        subject["photo"] = "not an iri"
    elif choice == 8:
        document["evidence"] = [{"name": "same"}, {"name": "same"}, {"name": random_text(rng)}]
    elif choice == 9:
        document["@context"] = [CREDENTIALS_V2, CIVID_V1, CREDENTIALS_EXAMPLES_V2]
        document["type"].append("ExampleDegreeCredential")
    elif choice == 10:
        subject["birthDate"] = rng.choice([1985, 1.5, 1.0, True, None, "1985-01-15"])
    elif choice == 11:
        document["credentialSubject"] = [subject, {"id": f"did:example:{rng.randrange(99)}"}]
    elif choice == 12:
        subject["@type"] = "Citizen"
        del subject["type"]
    elif choice == 13:
        document["validFrom"] = {"@value": "2024-01-01T00:00:00Z", "@language": "not a tag!"}
    elif choice == 14:
        document["@context"] = [CREDENTIALS_V2, CIVID_V1, {"@vocab": EX}]
        subject["anything"] = random_text(rng)
    elif choice == 15:
        subject["address"] = {"type": "ThaiAddress", "province": random_text(rng), "road": None}
    elif choice == 16:
        shared_scoped_context(document, rng)
    # choices 17-19 leave the document valid


def shared_scoped_context(document: dict[str, Any], rng: random.Random) -> None:
    """One scoped context used by a type (not propagated) and by a property (propagated)."""
    scoped = {"petName": f"{EX}petName", "friend": f"{EX}friend"}
    document["@context"] = [
        CREDENTIALS_V2,
        {"Pet": {"@id": f"{EX}Pet", "@context": scoped}, "pet": {"@id": f"{EX}pet", "@context": scoped}},
    ]
    nested = {"petName": random_text(rng)}
    document["pet"] = {"petName": random_text(rng), "friend": nested}
    document["type"].append("Pet")
    document["petName"] = random_text(rng)
    document["friend"] = rng.choice([nested, "did:example:friend"])
    del document["credentialSubject"]


def with_inline_context(document: dict[str, Any], rng: random.Random) -> None:
    document["@context"] = [CREDENTIALS_V2, CIVID_V1, inline_context(rng)]
    subject = document["credentialSubject"]
    subject["nickname"] = random_text(rng)
    subject["scores"] = [rng.randrange(100) for _ in range(rng.randrange(4))]
    subject["blob"] = {"b": [1, 2.5, None], "a": random_text(rng)}
    subject["label"] = random_text(rng)
    subject["pet"] = {"type": "Pet", "petName": random_text(rng), "legs": rng.choice([4, 4.0, "4"])}
    if rng.random() < 0.3:
        subject["pet"]["nickname"] = "type-scoped contexts do propagate to it? no: undefined"


def generated_documents(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    documents = []
    for index in range(count):
        holder = f"did:example:holder{index}"
        document = unsigned_national_id(ISSUER, holder)
        document["id"] = f"urn:uuid:00000000-0000-4000-8000-{index:012d}"
        document["credentialSubject"]["givenNameEn"] = random_text(rng)
        document["credentialSubject"]["familyNameTh"] = random_text(rng)
        if rng.random() < 0.3:
            with_inline_context(document, rng)
        if rng.random() < 0.5:
            mutate(document, rng)
        documents.append(document)
    return documents


@pytest.mark.parametrize("document", generated_documents(120, seed=2025), ids=lambda d: d["id"][-4:])
def test_generated_document_canonicalizes_identically_on_both_paths(document: dict[str, Any]) -> None:
    assert_same(lambda: canonicalize_detailed(document))


@pytest.mark.parametrize("document", generated_documents(60, seed=7), ids=lambda d: d["id"][-4:])
def test_generated_document_expands_identically_on_both_paths(document: dict[str, Any]) -> None:
    assert_same(lambda: expand(document))


def test_generated_documents_cover_successes_and_each_safe_mode_error() -> None:
    codes = set()
    for document in generated_documents(120, seed=2025):
        result = assert_same(lambda document=document: canonicalize(document))
        codes.add(result[1] if result[0] == "error" else "ok")
    assert {
        "ok",
        ErrorCode.UNDEFINED_TERM,
        ErrorCode.RELATIVE_IRI,
        ErrorCode.PROTECTED_TERM_REDEFINITION,
        ErrorCode.UNKNOWN_CONTEXT,
        ErrorCode.INVALID_CONTEXT,
        ErrorCode.JSONLD_ERROR,
    } <= codes


def test_generated_documents_hash_the_same_utf8_bytes_on_both_paths() -> None:
    documents = generated_documents(120, seed=2025)
    for document in documents * 2:  # the second round renders admitted shapes from templates
        result = assert_same(lambda document=document: canonicalize_utf8(document))
        if result[0] == "ok":
            with plain_path():
                assert result[1] == canonicalize(document).encode()
    assert sum(templates.admitted(document) for document in documents) > 60


# --- published vectors and special inputs ------------------------------------------------------


@pytest.mark.parametrize(
    "relative",
    [
        "eddsa-rdfc-2022/unsigned.json",
        "eddsa-rdfc-2022/signedDataInt.json",
        "eddsa-rdfc-2022/employ/employmentAuth.json",
        "ed25519-signature-2020/signedEdSig.json",
        "eddsa-jcs-2022/signedJCS.json",
    ],
)
def test_published_vector_canonicalizes_identically_on_both_paths(relative: str) -> None:
    document = load_vector(relative)
    assert assert_same(lambda: canonicalize_detailed(document))[0] == "ok"


def test_poison_graph_is_refused_identically_on_both_paths() -> None:
    knows = "http://xmlns.com/foaf/0.1/knows"
    poison = {
        "@graph": [
            {"@id": f"_:n{i}", knows: [{"@id": f"_:n{j}"} for j in range(8) if j != i]} for i in range(8)
        ]
    }
    assert assert_same(lambda: canonicalize(poison))[1] is ErrorCode.POISON_GRAPH


def test_a_document_edited_in_place_is_processed_afresh() -> None:
    document = unsigned_national_id(ISSUER, HOLDER)
    document["@context"] = [CREDENTIALS_V2, CIVID_V1, {"nickname": f"{EX}nickname"}]
    document["credentialSubject"]["nickname"] = "Chai"
    before = canonicalize(document)
    document["@context"][2]["nickname"] = f"{EX}alias"
    after = canonicalize(document)
    assert f"<{EX}alias>" in after and f"<{EX}alias>" not in before
    document["@context"][2]["givenNameEn"] = f"{EX}stolen"
    with pytest.raises(CividError) as caught:
        safe.check(document)
    assert caught.value.code is ErrorCode.PROTECTED_TERM_REDEFINITION


def test_a_checked_expansion_is_reused_only_for_the_same_content() -> None:
    document = unsigned_national_id(ISSUER, HOLDER)
    edited = copy.deepcopy(document)
    edited["credentialSubject"]["givenNameEn"] = "Other"
    safe.check(document)
    assert canonicalize(edited) == _plain(canonicalize, edited)
    assert '"Other"' in canonicalize(edited)
    assert canonicalize(document) == _plain(canonicalize, document)


def _plain(operation: Callable[[Any], Any], document: Any) -> Any:
    with plain_path():
        return operation(document)


def test_tuple_and_list_are_different_inputs() -> None:
    as_list = unsigned_national_id(ISSUER, HOLDER)
    as_tuple = copy.deepcopy(as_list)
    as_tuple["type"] = tuple(as_tuple["type"])
    assert content_key(as_list) != content_key(as_tuple)
    safe.check(as_list)
    assert outcome(lambda: canonicalize(as_tuple)) == outcome(lambda: _plain(canonicalize, as_tuple))


# --- whole verifications ------------------------------------------------------------------------


def sign(document: dict[str, Any], **options: Any) -> dict[str, Any]:
    vm = f"{ISSUER}#{ISSUER.removeprefix('did:key:')}"
    defaults = {"verification_method": vm, "created": datetime(2024, 1, 1, tzinfo=UTC)}
    return add_proof(document, ISSUER_KEY, ProofOptions(**(defaults | options)))


def tampered_credentials() -> list[dict[str, Any]]:
    good = sign(unsigned_national_id(ISSUER, HOLDER))
    variants = [good, sign(unsigned_national_id(ISSUER, HOLDER), cryptosuite="eddsa-jcs-2022")]
    edits: list[Callable[[dict[str, Any]], None]] = [
        lambda d: d["credentialSubject"].update(familyNameEn="Impostor"),
        lambda d: d["proof"].update(created="2024-01-02T00:00:00Z"),
        lambda d: d["proof"].update(proofPurpose="authentication"),
        lambda d: d["proof"].update(cryptosuite="eddsa-2099"),
        lambda d: d["credentialSubject"].update(undefinedTermX="x"),
        lambda d: d.update({"@context": [CREDENTIALS_V2, CIVID_V1, {"givenNameEn": f"{EX}x"}]}),
        lambda d: d.update({"@context": [CREDENTIALS_V2, "https://example.org/unknown/v1"]}),
        lambda d: d.update({"@context": [CIVID_V1, CREDENTIALS_V2]}),
        lambda d: d.update(validUntil="2025-01-01T00:00:00Z"),
        lambda d: d["proof"].update(type="Ed25519Signature2020"),
    ]
    for edit in edits:
        variant = copy.deepcopy(good)
        edit(variant)
        variants.append(variant)
    return variants


@pytest.mark.parametrize("credential", tampered_credentials())
def test_credential_verification_is_identical_on_both_paths(credential: dict[str, Any]) -> None:
    checks = CredentialChecks(DidResolver([]), NOW)
    assert_same(lambda: verify_credential(credential, checks).to_json())


def test_presentation_verification_is_identical_on_both_paths() -> None:
    vm = f"{HOLDER}#{HOLDER.removeprefix('did:key:')}"
    checks = CredentialChecks(DidResolver([]), NOW)
    for credential in tampered_credentials()[:6]:
        vp = create_presentation([credential], HOLDER_KEY, HOLDER, vm, challenge="c1", domain="d.example")
        for challenge in ("c1", "c2"):
            result = assert_same(
                lambda vp=vp, c=challenge: verify_presentation(vp, checks, challenge=c, domain="d.example")
            )
            assert result[0] == "ok"


def test_verification_from_many_threads_matches_the_serial_answers() -> None:
    credentials = tampered_credentials()
    checks = CredentialChecks(DidResolver([]), NOW)
    with plain_path():
        expected = [verify_credential(c, checks).to_json() for c in credentials]
    context_memo.clear()
    work = credentials * 6
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda c: verify_credential(c, checks).to_json(), work))
    assert answers == expected * 6


# --- the switch and the tables ------------------------------------------------------------------


def test_civid_fastpath_0_selects_the_plain_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVID_FASTPATH", "0")
    assert not fastpath_enabled()
    with plain_path(False):
        assert fastpath_enabled()
    monkeypatch.delenv("CIVID_FASTPATH")
    assert fastpath_enabled()
    with plain_path():
        assert not fastpath_enabled()


def test_memo_tables_stay_within_their_bound() -> None:
    table: LockedLru[int, int] = LockedLru(3)
    for number in range(10):
        table.put(number, number)
    assert len(table) == 3
    assert table.get(0) is None and table.get(9) == 9


def test_least_recently_used_entry_is_evicted_first() -> None:
    table: LockedLru[str, int] = LockedLru(2)
    table.put("a", 1)
    table.put("b", 2)
    assert table.get("a") == 1
    table.put("c", 3)
    assert table.get("b") is None and table.get("a") == 1


def test_content_key_refuses_what_is_not_plain_data() -> None:
    class Custom(dict[str, Any]):
        pass

    assert content_key(Custom(a=1)) is None
    assert content_key({"a": 1}) != content_key({"a": 1.0}) != content_key({"a": True})
