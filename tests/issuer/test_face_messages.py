"""Every face reason has a sentence for the citizen, in English and in Thai."""

from __future__ import annotations

import pytest

from civid.issuer.face import FaceReason, person_message


@pytest.mark.parametrize("reason", list(FaceReason))
def test_every_reason_has_an_english_and_a_thai_message(reason: FaceReason) -> None:
    english, thai = person_message(reason, "en"), person_message(reason, "th")
    assert english.isascii() and english.endswith(".")
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in thai)


def test_messages_are_distinct_per_reason() -> None:
    for language in ("en", "th"):
        texts = [person_message(reason, language) for reason in FaceReason]
        assert len(set(texts)) == len(texts)


def test_english_is_the_default_language() -> None:
    assert person_message(FaceReason.NO_FACE) == person_message(FaceReason.NO_FACE, "en")
