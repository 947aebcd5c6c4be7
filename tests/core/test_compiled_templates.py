"""Compiled templates (``jsonld.compiled``) write exactly the plain path's canonical bytes, or decline.

Each test admits a shape on the fast path, then checks that the compiled form answered (or, where
RDFC-1.0 needs more than first-degree hashes, declined to the generic bounded path) and that the
answer is byte for byte, error for error, the one of ``plain_path()``.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from civid.core.jsonld import DEFAULT_LIMITS, canonicalize, check_safe_mode, templates
from civid.core.jsonld.canonical import canonicalize_utf8
from civid.core.jsonld.compiled import Blank, Fixed, IriSlot, LiteralSlot, QuadPattern, compile_quads
from civid.core.jsonld.fastpath import plain_path
from civid.core.jsonld.shapes import shape_of

from .conftest import CREDENTIALS_V2, unsigned_national_id
from .template_helpers import fresh_shapes, outcome  # noqa: F401  (fresh_shapes: an autouse fixture)

EX = "https://example.org/vocab#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def assert_same_on_both_paths(document: dict[str, Any]) -> tuple[Any, ...]:
    """canonicalize and canonicalize_utf8 give the plain answers; returns the fast UTF-8 outcome."""
    fast_text = outcome(lambda: canonicalize(document))
    fast_utf8 = outcome(lambda: canonicalize_utf8(document))
    with plain_path():
        assert outcome(lambda: canonicalize(document)) == fast_text
        assert outcome(lambda: canonicalize_utf8(document)) == fast_utf8
    return fast_utf8


def admit(*documents: dict[str, Any]) -> None:
    for document in documents * 2:
        canonicalize(document)


def compiled_render(document: dict[str, Any]) -> bytes | None:
    """The compiled form's bytes for ``document`` (None: it declined)."""
    template = templates.template_of(document)
    shape = shape_of(document)
    assert template is not None and template.formats is not None and shape is not None
    rendered = template.formats.render(shape.values)
    return None if rendered is None else rendered.utf8


def national_id(n: int, **subject: Any) -> dict[str, Any]:
    document = unsigned_national_id("did:example:issuer", f"did:example:holder{n}")
    document["id"] = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
    document["credentialSubject"] |= {"photo": f"data:image/jpeg;base64,/9j/{n:08d}"} | subject
    return document


def nicknames(*names: str) -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_V2, {"nick": f"{EX}nick"}],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:s", "nick": list(names)},
    }


def children(*names: str) -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_V2, {"child": f"{EX}child", "nick": f"{EX}nick"}],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:s", "child": [{"nick": name} for name in names]},
    }


# --- the compiled form answers -----------------------------------------------------------------------


def test_an_admitted_credential_is_rendered_by_its_compiled_form() -> None:
    admit(national_id(1), national_id(2))
    document = national_id(3)
    rendered = compiled_render(document)
    assert rendered is not None
    assert assert_same_on_both_paths(document) == ("ok", rendered)


@pytest.mark.parametrize(
    "value",
    [
        'quote " and \\ backslash',
        "line\nbreak\ttab\r\f\b",
        "ctrl \x00\x01\x1f\x7f",
        "next line \x85, separators \u2028\u2029",
        "ใจดี สมชาย",
        "emoji 😀👍🏽",
        "percent %s %% %d and braces {0} {}",
        "",
    ],
)
def test_values_that_nquads_escapes_are_rendered_compiled_as_the_plain_bytes(value: str) -> None:
    admit(national_id(1), national_id(2))
    document = national_id(3, givenNameEn=value, familyNameTh=value)
    rendered = compiled_render(document)
    assert rendered is not None
    assert assert_same_on_both_paths(document) == ("ok", rendered)


def test_fixed_iris_with_percent_signs_are_written_verbatim() -> None:
    def document(n: int) -> dict[str, Any]:
        return national_id(n) | {"type": ["VerifiableCredential", f"{EX}Kind%41%25"]}

    admit(document(1), document(2))
    rendered = compiled_render(document(3))
    assert rendered is not None and f"<{EX}Kind%41%25>".encode() in rendered
    assert assert_same_on_both_paths(document(3)) == ("ok", rendered)


def test_blank_nodes_with_distinct_first_degree_hashes_are_labelled_by_the_compiled_form() -> None:
    admit(children("a", "b", "c"), children("d", "e", "f"))
    for names in (("c", "b", "a"), ("z", "a", "m")):
        document = children(*names)
        rendered = compiled_render(document)
        assert rendered is not None
        assert assert_same_on_both_paths(document) == ("ok", rendered)


# --- the compiled form declines ------------------------------------------------------------------------


def test_colliding_first_degree_hashes_decline_to_the_bounded_generic_path() -> None:
    admit(children("a", "b", "c"), children("d", "e", "f"))
    document = children("x", "x", "y")
    assert compiled_render(document) is None
    assert assert_same_on_both_paths(document)[0] == "ok"


def test_literal_values_that_make_two_quads_equal_decline() -> None:
    admit(nicknames("a", "b", "c"), nicknames("d", "e", "f"))
    document = nicknames("x", "y", "x")
    assert compiled_render(document) is None
    assert assert_same_on_both_paths(document)[0] == "ok"


def test_an_iri_value_equal_to_a_fixed_iri_of_the_same_place_declines() -> None:
    def document(first: str) -> dict[str, Any]:
        context = {"seeAlso": {"@id": f"{EX}seeAlso", "@type": "@id"}}
        return {
            "@context": [CREDENTIALS_V2, context],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {"id": "did:example:s", "seeAlso": [first, {"id": "did:example:z"}]},
        }

    admit(document("did:example:a"), document("did:example:b"))
    assert compiled_render(document("did:example:c")) is not None
    assert compiled_render(document("did:example:z")) is None
    assert assert_same_on_both_paths(document("did:example:z"))[0] == "ok"


def test_a_lone_surrogate_raises_as_the_plain_path_where_the_document_is_encoded() -> None:
    admit(national_id(1), national_id(2))
    document = national_id(3, givenNameEn="broken \ud800 half")
    assert compiled_render(document) is None
    assert assert_same_on_both_paths(document)[0] == "unicode"


# --- compiling ---------------------------------------------------------------------------------------


def test_fixed_text_with_a_character_up_to_newline_is_not_compiled() -> None:
    quad = QuadPattern(Blank("_:b0"), f"<{EX}p>", Fixed('"x"@a\nb'), None)
    assert compile_quads([quad], 0) is None
    assert compile_quads([QuadPattern(Blank("_:b0"), f"<{EX}p>", Fixed('"x"@ab'), None)], 0) is not None


def test_values_that_make_two_quads_equal_make_the_compiled_form_decline() -> None:
    predicate = f"<{EX}p>"
    quads = [
        QuadPattern(Blank("_:b0"), predicate, LiteralSlot(0, ""), None),
        QuadPattern(Blank("_:b0"), predicate, LiteralSlot(1, ""), None),
        QuadPattern(Blank("_:b0"), predicate, LiteralSlot(2, f"^^<{EX}t>"), None),
        QuadPattern(Blank("_:b1"), predicate, IriSlot(3), None),
        QuadPattern(Blank("_:b2"), predicate, IriSlot(3), None),
        QuadPattern(Blank("_:b1"), f"<{EX}q>", Blank("_:b2"), None),
    ]
    compiled = compile_quads(quads, 4)
    assert compiled is not None
    assert compiled.render(["a", "a", "a", "urn:x"]) is None
    assert compiled.render(["a", "b", "a", "urn:x"]) is not None


# --- one verification --------------------------------------------------------------------------------


def test_a_document_checked_then_hashed_in_one_verification_is_taken_apart_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admit(national_id(1), national_id(2))
    document = national_id(3)
    calls: list[int] = []
    monkeypatch.setattr(templates, "shape_of", lambda d: calls.append(1) or shape_of(d))
    with templates.one_verification():
        check_safe_mode(document)
        fast = canonicalize_utf8(dict(document))
    assert calls == [1]
    with plain_path():
        assert canonicalize_utf8(document) == fast


def test_a_document_changed_between_its_check_and_its_hash_is_taken_apart_afresh() -> None:
    admit(national_id(1), national_id(2))
    document = national_id(3)
    with templates.one_verification():
        check_safe_mode(document)
        document["credentialSubject"]["givenNameEn"] = "Changed"
        fast = canonicalize_utf8(dict(document))
    with plain_path():
        assert canonicalize_utf8(document) == fast


def test_nothing_is_remembered_outside_one_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    admit(national_id(1), national_id(2))
    document = national_id(3)
    with templates.one_verification():
        check_safe_mode(document)
    calls: list[int] = []
    monkeypatch.setattr(templates, "shape_of", lambda d: calls.append(1) or shape_of(d))
    canonicalize_utf8(document)
    assert calls == [1]


def test_no_quads_compile_to_nothing() -> None:
    assert compile_quads([], 0) is None


def test_a_document_without_quads_canonicalizes_as_the_plain_path() -> None:
    empty = {"@context": [CREDENTIALS_V2]}
    for _ in range(3):
        assert assert_same_on_both_paths(empty) == ("ok", b"")


def test_compiled_and_generic_renderings_agree_on_random_values() -> None:
    rng = random.Random(5)
    pool = ["a", "b", "x", "ใจดี", 'q"\\', "t\tn\n", "did:example:a", "did:example:b", "urn:x", ""]
    shapes_of = [
        lambda: children(*rng.choices(pool, k=3)),
        lambda: nicknames(*rng.choices(pool, k=3)),
        lambda: national_id(rng.randrange(100), givenNameEn=rng.choice(pool), familyNameTh=rng.choice(pool)),
    ]
    for make in shapes_of:
        admit(make(), make())
    answered = 0
    for _ in range(1000):
        document = rng.choice(shapes_of)()
        template, shape = templates.template_of(document), shape_of(document)
        if template is None or shape is None or template.formats is None or not template.fits(shape.values):
            continue
        rendered = template.formats.render(shape.values)
        if rendered is not None:
            answered += 1
            generic = template.render_generic(shape.values, DEFAULT_LIMITS)
            assert rendered.canonicalized() == generic
            assert rendered.utf8 == generic.text.encode()
    assert answered > 150
