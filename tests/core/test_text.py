"""Claim text: NFC-normalized; characters that would not canonicalize alike everywhere are refused."""

from __future__ import annotations

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.core.text import claim_text


def test_thai_text_is_kept_as_is() -> None:
    assert claim_text("สมชาย ใจดี", "name") == "สมชาย ใจดี"


def test_text_is_nfc_normalized() -> None:
    assert claim_text("Jose\u0301", "name") == "Jos\u00e9"


@pytest.mark.parametrize("value", ["Somchai \U0001f600", "\U00020000"])
def test_a_character_above_u_ffff_is_refused_naming_the_field(value: str) -> None:
    with pytest.raises(CividError) as info:
        claim_text(value, "givenNameEn")
    assert info.value.code is ErrorCode.UNSUPPORTED_CHARACTER
    assert "givenNameEn" in info.value.message


@pytest.mark.parametrize("value", ["a\u0001b", "line\nbreak", "tab\there", "del\u007f"])
def test_a_control_character_is_refused(value: str) -> None:
    with pytest.raises(CividError) as info:
        claim_text(value, "road")
    assert info.value.code is ErrorCode.UNSUPPORTED_CHARACTER
