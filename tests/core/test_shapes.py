"""Shapes: a document's key keeps everything but its string values, and of each value only what
JSON-LD expansion can see without it (its scheme and a following ``//``)."""

from __future__ import annotations

from typing import Any

from civid.core.jsonld.shapes import MARKER, shape_of

from .conftest import CREDENTIALS_V2


def document(holder: str, name: str = "Somchai", **extra: Any) -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "name": [name, {"@value": name, "@language": "th"}],
    } | extra


def key(value: dict[str, Any]) -> bytes:
    shape = shape_of(value)
    assert shape is not None
    return shape.key


def test_documents_differing_only_in_values_with_the_same_scheme_share_a_shape() -> None:
    assert key(document("did:example:a", "x")) == key(document("did:example:bb", "ใจดี"))


def test_a_value_s_scheme_and_slashes_are_part_of_the_shape() -> None:
    keys = {key(document(h)) for h in ("did:x", "urn:x", "https://x", "https:x", "no scheme", "1a:x")}
    assert len(keys) == 5  # "no scheme" and "1a:x" have no scheme alike


def test_numbers_booleans_nulls_and_fixed_keys_are_part_of_the_shape() -> None:
    shapes = {key(document("did:x", extra=v)) for v in (1, 1.0, True, None, "s", "t")}
    assert len(shapes) == 5  # "s" and "t" are values, 1, 1.0, True and None are not
    assert key(document("did:x", type=["A"])) != key(document("did:x", type=["B"]))


def test_values_are_listed_in_document_order_and_numbered_in_the_skeleton() -> None:
    shape = shape_of(document("did:example:a", "n"))
    assert shape is not None
    assert shape.values == ("did:example:a", "n", "n")
    assert shape.skeleton["holder"] == f"did:{MARKER}0x"
    assert shape.skeleton["name"] == [f"{MARKER}1x", {"@value": f"{MARKER}2x", "@language": "th"}]
    assert shape.placeholders == (f"did:{MARKER}0x", f"{MARKER}1x", f"{MARKER}2x")


def test_only_plain_json_data_has_a_shape() -> None:
    assert shape_of(document("did:x", extra=("a", "b"))) is None
    assert shape_of(document("did:x", type=("A",))) is None
    assert shape_of({1: "x"}) is None
