"""RFC 8785 JSON canonicalization (civid.core.jcs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.core.jcs import canonicalize

VECTORS = Path(__file__).parents[1] / "fixtures" / "vectors"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_eddsa_jcs_2022_unsigned_document_canonicalizes_to_the_spec_text() -> None:
    document = _json(VECTORS / "eddsa-rdfc-2022" / "unsigned.json")
    expected = (VECTORS / "eddsa-jcs-2022" / "canonDocJCS.txt").read_bytes().rstrip(b"\n")
    assert canonicalize(document) == expected


def test_eddsa_jcs_2022_proof_config_canonicalizes_to_the_spec_text() -> None:
    config = _json(VECTORS / "eddsa-jcs-2022" / "proofConfigJCS.json")
    expected = (VECTORS / "eddsa-jcs-2022" / "proofCanonJCS.txt").read_bytes().rstrip(b"\n")
    assert canonicalize(config) == expected


def test_keys_sort_by_utf16_code_units_as_in_rfc_8785_section_3_2_3() -> None:
    obj = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(json.loads(canonicalize(obj)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_numbers_use_ecmascript_form_as_in_rfc_8785_section_3_2_2_3() -> None:
    numbers = [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001]
    assert canonicalize(numbers) == b"[333333333.3333333,1e+30,4.5,0.002,1e-27]"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(-0.0, b"0"), (1e21, b"1e+21"), (1e20, b"100000000000000000000"), (1e-7, b"1e-7"), (5e-324, b"5e-324")],
)
def test_edge_numbers_match_rfc_8785_appendix_b(value: float, expected: bytes) -> None:
    assert canonicalize(value) == expected


def test_rfc_8785_section_3_2_2_example_serializes_exactly() -> None:
    # Appendix-style input with literals, escapes and nested structures (RFC 8785 §3.2.2 output).
    obj = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonicalize(obj) == expected.encode("utf-8")


def test_non_ascii_text_is_emitted_as_raw_utf8() -> None:
    assert canonicalize({"name": "สมชาย"}) == '{"name":"สมชาย"}'.encode()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**60, "\ud800", {1: "x"}])
def test_values_jcs_cannot_represent_fail_with_malformed_document(value: object) -> None:
    with pytest.raises(CividError) as info:
        canonicalize(value)
    assert info.value.code is ErrorCode.MALFORMED_DOCUMENT
