"""Shape templates give exactly the plain path's canonical form, errors and verification results.

Each test admits a shape on the fast path (two documents of it), then compares documents of that
shape, rendered from the template, byte for byte with ``plain_path()`` (``CIVID_FASTPATH=0``).
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
from civid.core.errors import ErrorCode
from civid.core.jsonld import WorkLimits, canonicalize, check_safe_mode, templates
from civid.core.jsonld.fastpath import plain_path
from civid.core.presentation import create_presentation, verify_presentation
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.core.schemas import NATIONAL_ID_V1
from civid.core.statuslist.bitstring import StatusPurpose
from civid.core.statuslist.credential import status_entry

from .conftest import CREDENTIALS_V2, unsigned_national_id
from .template_helpers import fresh_shapes, outcome  # noqa: F401  (fresh_shapes: an autouse fixture)

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
ISSUER = did_key_for(ISSUER_KEY.public_key)
EX = "https://example.org/vocab#"
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
AWKWARD = [
    'quote " and \\ backslash',
    "line\nbreak\ttab\r\f\b",
    "ctrl \x00\x01\x1f\x7f",
    "ใจดี สมชาย",
    "emoji 😀👍🏽",
    "a:b c",
    "urn:x",
    "https://example.org/looks-like-an-iri",
    "_:b0",
    "",
    " ",
    "\u3000",
]


def plain(operation: Callable[[], Any]) -> tuple[Any, ...]:
    with plain_path():
        return outcome(operation)


def admit(*documents: dict[str, Any]) -> None:
    """Canonicalize each document twice on the fast path: its shape gets a template."""
    for document in documents * 2:
        canonicalize(document)


def assert_same_canonical(document: dict[str, Any], limits: WorkLimits | None = None) -> tuple[Any, ...]:
    def run() -> str:
        return canonicalize(document) if limits is None else canonicalize(document, limits)

    fast = outcome(run)
    assert fast == plain(run)
    assert outcome(run) == fast  # again, with whatever the first call taught the table
    return fast


def national_id(n: int, holder: str | None = None, **subject: Any) -> dict[str, Any]:
    """A credential shaped like the issuer's: address, schema and two status entries."""
    document = unsigned_national_id(ISSUER, holder or f"did:example:holder{n}")
    document["id"] = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
    document["credentialSubject"] |= {
        "address": {"type": "ThaiAddress", "houseNumber": f"{n}/7", "province": "กรุงเทพมหานคร"},
        "photo": f"data:image/jpeg;base64,/9j/{n:08d}",
    } | subject
    document["credentialSchema"] = {"id": NATIONAL_ID_V1, "type": "JsonSchema"}
    document["credentialStatus"] = [
        status_entry("https://issuer.civid.example/status/revocation/1", StatusPurpose.REVOCATION, 17 + n),
        status_entry("https://issuer.civid.example/status/suspension/1", StatusPurpose.SUSPENSION, 3 * n),
    ]
    return document


# --- admission ----------------------------------------------------------------------------------


def test_a_national_id_shape_is_admitted_on_its_second_sighting() -> None:
    canonicalize(national_id(1))
    assert not templates.admitted(national_id(2))
    canonicalize(national_id(2))
    assert templates.admitted(national_id(3))


def test_a_credential_with_an_address_and_status_entries_renders_the_plain_bytes() -> None:
    admit(national_id(1), national_id(2))
    for n in range(3, 30):
        document = national_id(n, givenNameEn=f"Somchai{n}", familyNameTh=f"ใจดี{n}")
        assert templates.admitted(document)
        assert assert_same_canonical(document)[0] == "ok"


def test_a_shape_that_failed_safe_mode_is_never_admitted() -> None:
    document = national_id(1, undefinedTermX="x")
    for _ in range(3):
        assert assert_same_canonical(document)[1] is ErrorCode.UNDEFINED_TERM
    assert not templates.admitted(document)


def test_the_table_of_shapes_stays_within_its_bound() -> None:
    for n in range(templates.MAX_SHAPES + 20):
        canonicalize({"@context": [CREDENTIALS_V2], "type": ["VerifiableCredential"], f"urn:k{n}": "v"})
    assert templates.known_shapes() <= templates.MAX_SHAPES


# --- awkward values in an admitted shape --------------------------------------------------------


@pytest.mark.parametrize("value", AWKWARD)
def test_awkward_literal_values_render_the_plain_bytes(value: str) -> None:
    admit(national_id(1), national_id(2))
    document = national_id(3, givenNameEn=value, familyNameTh=value + "x")
    document["credentialSubject"]["address"]["province"] = value
    assert assert_same_canonical(document)[0] == "ok"


@pytest.mark.parametrize("value", AWKWARD)
def test_awkward_values_in_iri_positions_answer_as_the_plain_path(value: str) -> None:
    admit(national_id(1), national_id(2))
    for variant in (national_id(3, holder=value), national_id(4, photo=value)):
        assert_same_canonical(variant)
        assert outcome(lambda v=variant: check_safe_mode(v)) == plain(lambda v=variant: check_safe_mode(v))


@pytest.mark.parametrize(
    "iri",
    [
        "relative/holder",
        "did:example:a{b}",
        "did:example:a b",
        "did:example:a\u3000b",  # pyld's absolute-IRI test refuses Unicode spaces, safe mode's does not
        "did:example:a\u2028b",
        "did:example:<b>",
        'did:example:"b"',
        "did:example:a\\b",
        "did:example:a^b",
        "did:",
        "did://host/path",
    ],
)
def test_iri_position_values_that_change_meaning_never_use_the_template(iri: str) -> None:
    admit(national_id(1), national_id(2))
    document = national_id(3, holder=iri)
    assert_same_canonical(document)
    assert outcome(lambda: check_safe_mode(document)) == plain(lambda: check_safe_mode(document))


def test_the_same_value_in_several_iri_positions_merges_as_pyld_merges() -> None:
    def document(first: str, second: str) -> dict[str, Any]:
        return {
            "@context": [
                CREDENTIALS_V2,
                {"nick": f"{EX}nick", "knows": {"@id": f"{EX}knows", "@type": "@id"}},
            ],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": [
                {"id": first, "nick": "same", "knows": second},
                {"id": second, "nick": "same", "knows": first},
            ],
        }

    admit(document("did:example:a", "did:example:b"), document("did:example:c", "did:example:d"))
    merged = document("did:example:x", "did:example:x")
    assert templates.admitted(merged)
    assert assert_same_canonical(merged)[0] == "ok"


def test_equal_literal_values_of_one_property_are_one_quad() -> None:
    def document(*names: str) -> dict[str, Any]:
        return {
            "@context": [CREDENTIALS_V2, {"nick": f"{EX}nick"}],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {"id": "did:example:s", "nick": list(names)},
        }

    admit(document("a", "b", "c"), document("d", "e", "f"))
    assert assert_same_canonical(document("x", "x", "y"))[0] == "ok"
    assert canonicalize(document("x", "x", "x")).count('"x"') == 1


# --- shapes whose values the context may reinterpret --------------------------------------------


def test_a_value_that_is_a_term_in_a_vocab_position_is_expanded_as_the_term() -> None:
    def document(value: str) -> dict[str, Any]:
        context = {"rel": {"@id": f"{EX}rel", "@type": "@vocab"}, "urn:": f"{EX}elsewhere"}
        return {
            "@context": [CREDENTIALS_V2, context],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {"id": "did:example:s", "rel": value},
        }

    admit(document("urn:a"), document("urn:b"))
    assert templates.admitted(document("urn:c"))
    result = assert_same_canonical(document("urn:"))
    assert result[0] == "ok" and f"<{EX}elsewhere>" in result[1]


def test_a_type_alias_value_is_part_of_no_template() -> None:
    def document(kind: str) -> dict[str, Any]:
        return {
            "@context": [CREDENTIALS_V2, {"kind": "@type", "nick": f"{EX}nick"}],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {"id": "did:example:s", "kind": kind, "nick": "n"},
        }

    admit(document(f"{EX}A"), document(f"{EX}B"))
    assert not templates.admitted(document(f"{EX}C"))
    assert assert_same_canonical(document(f"{EX}C"))[0] == "ok"


@pytest.mark.parametrize("score", ["1.50", "abc", "1e3", "-0", "NaN"])
def test_strings_typed_as_doubles_are_never_templated(score: str) -> None:
    def document(value: str) -> dict[str, Any]:
        return {
            "@context": [CREDENTIALS_V2, {"score": {"@id": f"{EX}score", "@type": XSD_DOUBLE}}],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {"id": "did:example:s", "score": value},
        }

    admit(document("x"), document("y"))
    assert not templates.admitted(document(score))
    assert assert_same_canonical(document(score))[0] == "ok"


def test_json_literals_language_aliases_and_index_maps_answer_as_the_plain_path() -> None:
    context = {
        "blob": {"@id": f"{EX}blob", "@type": "@json"},
        "lang": "@language",
        "val": "@value",
        "label": f"{EX}label",
        "items": {"@id": f"{EX}items", "@container": "@index"},
        "nick": f"{EX}nick",
    }

    def document(n: int, first: str, second: str) -> dict[str, Any]:
        return {
            "@context": [CREDENTIALS_V2, context],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {
                "id": "did:example:s",
                "blob": {"text": f"t{n}"},
                "label": {"val": f"l{n}", "lang": "th"},
                "items": {"a": {"id": first, "nick": f"a{n}"}, "b": {"id": second, "nick": f"b{n}"}},
            },
        }

    admit(document(1, "did:example:a", "did:example:b"), document(2, "did:example:c", "did:example:d"))
    assert not templates.admitted(document(3, "did:example:e", "did:example:f"))
    assert_same_canonical(document(3, "did:example:e", "did:example:f"))
    assert assert_same_canonical(document(4, "did:example:x", "did:example:x"))[1] is ErrorCode.JSONLD_ERROR


@pytest.mark.parametrize("birth_date", [1985, 1.5, 1.0, 1e21, True, False, None, "1985-01-15"])
def test_numbers_booleans_and_nulls_are_part_of_the_shape(birth_date: Any) -> None:
    admit(national_id(1, birthDate=birth_date), national_id(2, birthDate=birth_date))
    assert_same_canonical(national_id(3, birthDate=birth_date))


def test_a_document_that_is_not_plain_data_takes_the_plain_path() -> None:
    class Custom(dict[str, Any]):
        pass

    admit(national_id(1), national_id(2))
    with_tuple = national_id(3)
    with_tuple["credentialSubject"]["address"]["houseNumber"] = ("1", "2")
    assert outcome(lambda: canonicalize(with_tuple)) == plain(lambda: canonicalize(with_tuple))
    custom = Custom(national_id(4))
    assert outcome(lambda: canonicalize(custom)) == plain(lambda: canonicalize(custom))


# --- blank nodes and the work bound ---------------------------------------------------------------


def children_document(names: list[str]) -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_V2, {"child": f"{EX}child", "nick": f"{EX}nick"}],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:s", "child": [{"nick": name} for name in names]},
    }


def test_blank_nodes_are_labelled_from_the_values() -> None:
    admit(children_document(["a", "b", "c"]), children_document(["d", "e", "f"]))
    for names in (["c", "b", "a"], ["z", "a", "m"], ["x", "x", "y"], ["q", "q", "q"]):
        document = children_document(names)
        assert templates.admitted(document)
        assert assert_same_canonical(document)[0] == "ok"


def test_blank_nodes_made_alike_by_their_values_are_refused_as_a_poison_graph() -> None:
    limits = WorkLimits(max_deep_iterations=3)
    distinct = [children_document([f"n{i}-{j}" for j in range(6)]) for i in range(2)]
    for document in distinct * 2:
        canonicalize(document, limits)
    alike = children_document(["same"] * 6)
    assert templates.admitted(alike)
    assert assert_same_canonical(alike, limits)[1] is ErrorCode.POISON_GRAPH


# --- signing and verifying ------------------------------------------------------------------------


def sign(document: dict[str, Any]) -> dict[str, Any]:
    vm = f"{ISSUER}#{ISSUER.removeprefix('did:key:')}"
    return add_proof(document, ISSUER_KEY, ProofOptions(verification_method=vm, created=NOW))


def test_proofs_made_from_templates_equal_plain_proofs() -> None:
    for n in range(1, 8):
        document = national_id(n, givenNameEn=AWKWARD[n])
        fast = sign(document)
        with plain_path():
            assert sign(document) == fast


def tampered(credential: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    variant = copy.deepcopy(credential)
    subject = variant["credentialSubject"]
    edit = rng.randrange(7)
    if edit == 0:
        subject["givenNameEn"] += "x"
    elif edit == 1:
        subject["address"]["province"] = "เชียงใหม่"
    elif edit == 2:
        subject["id"] = "did:example:impostor"
    elif edit == 3:
        variant["credentialStatus"][0]["statusListIndex"] = "999"
    elif edit == 4:
        variant["proof"]["created"] = "2025-01-01T00:00:00Z"
    elif edit == 5:
        subject["id"] = "impostor"
    else:
        variant["proof"]["verificationMethod"] = "did:example:other#key"
    return variant


def test_verification_of_distinct_and_tampered_credentials_is_identical_on_both_paths() -> None:
    rng = random.Random(11)
    checks = CredentialChecks(DidResolver([]), NOW)
    credentials = [sign(national_id(n, givenNameEn=f"{rng.choice(AWKWARD)}{n}")) for n in range(1, 13)]
    for credential in credentials + [tampered(c, rng) for c in credentials]:
        fast = verify_credential(credential, checks).to_json()
        with plain_path():
            assert verify_credential(credential, checks).to_json() == fast
    assert templates.admitted({k: v for k, v in credentials[-1].items() if k != "proof"})


def presentations(count: int) -> list[dict[str, Any]]:
    out = []
    for n in range(count):
        holder_key = Ed25519KeyPair.from_seed(bytes([n + 1]) * 32)
        holder = did_key_for(holder_key.public_key)
        vm = f"{holder}#{holder.removeprefix('did:key:')}"
        credential = sign(national_id(n, holder=holder, givenNameEn=AWKWARD[n % len(AWKWARD)]))
        out.append(
            create_presentation([credential], holder_key, holder, vm, challenge=f"c{n}", domain="d.example")
        )
    return out


def test_presentation_verification_is_identical_on_both_paths() -> None:
    checks = CredentialChecks(DidResolver([]), NOW)
    vps = presentations(8)
    for vp in vps:
        for challenge in (vp["proof"]["challenge"], "other"):
            fast = verify_presentation(vp, checks, challenge=challenge, domain="d.example").to_json()
            with plain_path():
                assert (
                    verify_presentation(vp, checks, challenge=challenge, domain="d.example").to_json() == fast
                )
    unsecured = {k: v for k, v in vps[-1].items() if k != "proof"}
    assert templates.admitted(unsecured)  # a presentation with its credential graph and proof graph


def test_a_presentation_with_a_tampered_credential_fails_as_on_the_plain_path() -> None:
    checks = CredentialChecks(DidResolver([]), NOW)
    vps = presentations(4)
    for vp in vps[:3]:
        verify_presentation(vp, checks, challenge=vp["proof"]["challenge"], domain="d.example")
    vp = copy.deepcopy(vps[3])
    vp["verifiableCredential"][0]["credentialSubject"]["givenNameEn"] = "Impostor"
    fast = verify_presentation(vp, checks, challenge="c3", domain="d.example")
    with plain_path():
        assert verify_presentation(vp, checks, challenge="c3", domain="d.example").to_json() == fast.to_json()
    assert not fast.verified


def test_many_threads_render_the_plain_bytes() -> None:
    documents = [national_id(n, givenNameEn=f"{AWKWARD[n % len(AWKWARD)]}{n}") for n in range(40)]
    with plain_path():
        expected = [canonicalize(d) for d in documents]

    def fast(document: dict[str, Any]) -> str:
        with plain_path(False):
            return canonicalize(document)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(fast, documents * 3)) == expected * 3


def test_nodes_merged_across_index_maps_raise_as_on_the_plain_path() -> None:
    def document(first: str, second: str) -> dict[str, Any]:
        context = {"items": {"@id": f"{EX}items", "@container": "@index"}, "nick": f"{EX}nick"}
        return {
            "@context": [CREDENTIALS_V2, context],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {
                "id": "did:example:s",
                "items": {"a": {"id": first, "nick": "a"}, "b": {"id": second, "nick": "b"}},
            },
        }

    admit(document("did:example:a", "did:example:b"), document("did:example:c", "did:example:d"))
    assert not templates.admitted(document("did:example:e", "did:example:f"))
    assert assert_same_canonical(document("did:example:x", "did:example:x"))[1] is ErrorCode.JSONLD_ERROR


@pytest.mark.parametrize(
    "value",
    [
        "did:x",
        "did:a\u3000b",
        "did:a\x85b",
        "did:x\n",
        "a,b:c",
        "+a:b",
        "a:b^",
        "did:",
        "https://x/y?z#w",
        "x",
    ],
)
def test_an_iri_slot_takes_exactly_what_both_absolute_iri_tests_accept(value: str) -> None:
    from civid.core.jsonld.fast_rdf import is_pyld_absolute_iri
    from civid.core.jsonld.safe import is_absolute_iri

    both = is_absolute_iri(value) and is_pyld_absolute_iri(value)
    assert (templates._VERBATIM_IRI.fullmatch(value) is not None) == both


# --- shapes admitted by safe-mode checks alone ---------------------------------------------------


def bare_presentation(holder: str) -> dict[str, Any]:
    """A presentation without credentials or proof: checked for safe mode, never canonicalized."""
    return {"@context": [CREDENTIALS_V2], "type": ["VerifiablePresentation"], "holder": holder}


def test_a_shape_only_checked_for_safe_mode_is_admitted_on_its_second_sighting() -> None:
    check_safe_mode(bare_presentation("did:example:holder1"))
    assert not templates.admitted(bare_presentation("did:example:holder2"))
    check_safe_mode(bare_presentation("did:example:holder2"))
    assert templates.admitted(bare_presentation("did:example:holder3"))
    assert assert_same_canonical(bare_presentation("did:example:holder4"))[0] == "ok"


@pytest.mark.parametrize("holder", ["relative/holder", "did:example:a b", "did:", "did://host/path"])
def test_values_that_do_not_fit_a_safe_mode_admitted_shape_answer_as_the_plain_path(holder: str) -> None:
    for n in range(3):
        check_safe_mode(bare_presentation(f"did:example:holder{n}"))
    document = bare_presentation(holder)
    assert outcome(lambda: check_safe_mode(document)) == plain(lambda: check_safe_mode(document))
    assert_same_canonical(document)


def test_a_shape_failing_safe_mode_is_never_admitted_by_safe_mode_checks() -> None:
    document = bare_presentation("did:example:holder1") | {"undefinedTermX": "x"}
    for _ in range(3):
        fast = outcome(lambda: check_safe_mode(document))
        assert fast == plain(lambda: check_safe_mode(document))
        assert fast[1] is ErrorCode.UNDEFINED_TERM
    assert not templates.admitted(document)


def test_the_ascii_scan_of_iri_slot_values_agrees_with_the_regular_expression() -> None:
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0x80)] + ["\x85", "\xa0", "\u3000", "\u2028", "é", "😀"]
    starts = ["", "a:", "did:", "x", "1a:", "a+b.c-d:", "A:", "data:image/jpeg;base64,"]
    values = [rng.choice(starts) + "".join(rng.choices(alphabet, k=rng.randrange(8))) for _ in range(20000)]
    values.append("data:image/jpeg;base64," + "A/+=" * 3000)
    for value in values:
        assert templates.verbatim_iri(value) == (templates._VERBATIM_IRI.fullmatch(value) is not None), value
