"""The one-face rule applied to detector output (no model needed)."""

from __future__ import annotations

import pytest

from civid.issuer.face import DetectorConfig, FaceBox, FaceReason, FaceRejected, select_face

CONFIG = DetectorConfig(min_probability=0.95, min_face_px=60, low_confidence_floor=0.90)


def _box(size: float, probability: float, left: float = 0.0) -> FaceBox:
    return FaceBox(left=left, top=0.0, right=left + size, bottom=size * 1.2, probability=probability)


def _reason(candidates: list[FaceBox]) -> FaceReason:
    with pytest.raises(FaceRejected) as caught:
        select_face(candidates, CONFIG)
    return caught.value.reason


def test_one_confident_large_face_is_selected() -> None:
    face = _box(120, 0.999)
    assert select_face([face], CONFIG) == face


def test_a_weak_second_candidate_does_not_prevent_selection() -> None:
    face = _box(120, 0.999)
    assert select_face([face, _box(40, 0.81, left=300)], CONFIG) == face


def test_no_candidate_is_no_face() -> None:
    assert _reason([]) is FaceReason.NO_FACE


def test_candidates_below_the_floor_are_no_face() -> None:
    assert _reason([_box(120, 0.85)]) is FaceReason.NO_FACE


def test_a_candidate_between_floor_and_threshold_is_low_confidence() -> None:
    assert _reason([_box(120, 0.93)]) is FaceReason.LOW_CONFIDENCE


def test_two_confident_faces_are_several_faces() -> None:
    assert _reason([_box(120, 0.999), _box(100, 0.97, left=300)]) is FaceReason.SEVERAL_FACES


def test_a_lone_face_under_the_minimum_size_is_too_small() -> None:
    assert _reason([_box(59, 0.999)]) is FaceReason.FACE_TOO_SMALL


def test_size_is_the_shorter_side_of_the_box() -> None:
    tall_narrow = FaceBox(left=0, top=0, right=50, bottom=200, probability=0.999)
    assert tall_narrow.size == 50
    assert _reason([tall_narrow]) is FaceReason.FACE_TOO_SMALL
