"""RDFC-1.0 canonical N-Quads: spec vectors, escaping, UTF-8, and the poison-graph bound."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld import WorkLimits, canonicalize, canonicalize_detailed, canonicalize_nquads_of
from civid.core.jsonld.contexts import CIVID_V1, CREDENTIALS_V2
from civid.core.jsonld.nquads import escape_iri, escape_literal

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "vectors" / "eddsa-rdfc-2022"


def load(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


def expected(relative: str) -> str:
    return (VECTORS / relative).read_bytes().decode("utf-8")


@pytest.mark.parametrize(
    ("document", "canonical"),
    [
        ("unsigned.json", "canonDocDataInt.txt"),
        ("proofConfigDataInt.json", "proofCanonDataInt.txt"),
        ("employ/employmentAuth.json", "employ/canonDocDataInt.txt"),
        ("employ/proofConfigDataInt.json", "employ/proofCanonDataInt.txt"),
    ],
)
def test_spec_vector_canonicalizes_byte_for_byte(document: str, canonical: str) -> None:
    assert canonicalize(load(document)).encode("utf-8") == expected(canonical).encode("utf-8")


def test_canonicalize_does_not_modify_the_document() -> None:
    document = load("employ/employmentAuth.json")
    before = json.dumps(document)
    canonicalize(document)
    assert json.dumps(document) == before


def test_nquads_of_are_the_sorted_lines_of_the_canonical_document() -> None:
    lines = canonicalize_nquads_of(load("employ/employmentAuth.json"))
    assert list(lines) == sorted(lines)
    assert "".join(lines) == expected("employ/canonDocDataInt.txt")


def test_detailed_result_maps_each_input_blank_node_to_its_canonical_label() -> None:
    result = canonicalize_detailed(load("employ/employmentAuth.json"))
    assert sorted(result.issued.values()) == ["_:c14n0", "_:c14n1", "_:c14n2"]


def test_thai_text_is_written_as_raw_utf8() -> None:
    document = {
        "@context": [CREDENTIALS_V2, CIVID_V1],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:1", "givenNameTh": "สมชาย", "familyNameTh": "ใจดี"},
    }
    canonical = canonicalize(document)
    assert '"สมชาย" .\n' in canonical
    assert "\\u" not in canonical
    assert "สมชาย".encode() in canonical.encode("utf-8")


def test_control_characters_are_escaped_as_rdfc_requires() -> None:
    # RDFC-1.0 / canonical N-Triples: ECHAR for \b \t \n \f \r " \\, UCHAR for other C0 and DEL.
    assert escape_literal('\b\t\n\x0b\f\r"\\\x7f') == '\\b\\t\\n\\u000B\\f\\r\\"\\\\\\u007F'
    assert escape_literal("\x00\x01\x1f") == "\\u0000\\u0001\\u001F"
    assert escape_literal("ไทย plain") == "ไทย plain"


def test_iri_special_characters_are_escaped() -> None:
    assert escape_iri("urn:x:a b<c>") == "urn:x:a\\u0020b\\u003Cc\\u003E"


def test_literal_with_control_characters_canonicalizes_with_escapes() -> None:
    document = {"@context": [CREDENTIALS_V2], "name": "a\x01b\x7fc"}
    assert canonicalize(document) == '_:c14n0 <https://schema.org/name> "a\\u0001b\\u007Fc" .\n'


KNOWS = "http://example.org/knows"


def poison_graph(size: int) -> dict[str, Any]:
    """``size`` blank nodes, each linked to all others: every node looks like every other."""
    return {
        "@graph": [
            {"@id": f"_:n{i}", KNOWS: [{"@id": f"_:n{j}"} for j in range(size) if j != i]}
            for i in range(size)
        ]
    }


def test_poison_graph_is_refused_with_poison_graph_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(CividError) as caught:
        canonicalize(poison_graph(12))
    assert caught.value.code is ErrorCode.POISON_GRAPH
    assert time.perf_counter() - started < 1.0


def test_deadline_stops_work_the_iteration_cap_allows() -> None:
    limits = WorkLimits(max_deep_iterations=10**9, deadline_s=0.1)
    started = time.perf_counter()
    with pytest.raises(CividError) as caught:
        canonicalize(poison_graph(10), limits)
    assert caught.value.code is ErrorCode.POISON_GRAPH
    assert time.perf_counter() - started < 1.0


def test_a_few_alike_blank_nodes_are_within_the_limit() -> None:
    document = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "evidence": [{"name": "same"}, {"name": "same"}],
    }
    canonical = canonicalize(document)
    assert canonical.count('<https://schema.org/name> "same"') == 2


def two_cycle() -> dict[str, Any]:
    """Two blank nodes pointing at each other: alike at first degree, so deep hashing is needed."""
    return {
        "@graph": [
            {"@id": "_:x", "http://example.org/next": {"@id": "_:y"}},
            {"@id": "_:y", "http://example.org/next": {"@id": "_:x"}},
        ]
    }


def test_default_limit_refuses_a_blank_node_cycle_as_rdf_canonize_does() -> None:
    # rdf-canonize's default maxWorkFactor 1 allows 2 deep iterations here; the cycle needs 3.
    with pytest.raises(CividError) as caught:
        canonicalize(two_cycle())
    assert caught.value.code is ErrorCode.POISON_GRAPH


def test_a_higher_work_factor_canonicalizes_a_blank_node_cycle() -> None:
    assert canonicalize(two_cycle(), WorkLimits(max_work_factor=2)) == (
        "_:c14n0 <http://example.org/next> _:c14n1 .\n_:c14n1 <http://example.org/next> _:c14n0 .\n"
    )
