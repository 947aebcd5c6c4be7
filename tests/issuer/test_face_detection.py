"""MTCNN on real photos: one face on portraits, none on pictures without a person, several on a pair."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PIL import Image

from civid.issuer.face import DetectorConfig, FaceDetector, FaceReason, FaceRejected, load_image
from civid.issuer.photos import NO_PERSON, PORTRAITS

pytestmark = [pytest.mark.face, pytest.mark.slow]


@pytest.mark.parametrize("name", PORTRAITS)
def test_mtcnn_finds_exactly_one_usable_face_on_each_portrait(
    face_detector: FaceDetector, photo: Callable[[str], bytes], name: str
) -> None:
    face = face_detector.locate(load_image(photo(name)))
    assert face.probability >= 0.95
    assert face.size >= 60


@pytest.mark.parametrize("name", NO_PERSON)
def test_mtcnn_finds_no_face_on_pictures_without_a_person(
    face_detector: FaceDetector, photo: Callable[[str], bytes], name: str
) -> None:
    with pytest.raises(FaceRejected) as caught:
        face_detector.locate(load_image(photo(name)))
    assert caught.value.reason is FaceReason.NO_FACE


def test_two_portraits_side_by_side_are_several_faces(
    face_detector: FaceDetector, photo: Callable[[str], bytes]
) -> None:
    # obama2_and_biden.png is built here by pasting two portraits side by side (see civid.issuer.photos).
    picture = load_image(photo("obama2_and_biden.png"))
    assert len([f for f in face_detector.detect(picture) if f.probability >= 0.95]) == 2
    with pytest.raises(FaceRejected) as caught:
        face_detector.locate(picture)
    assert caught.value.reason is FaceReason.SEVERAL_FACES


def test_a_face_under_the_configured_minimum_is_too_small(photo: Callable[[str], bytes]) -> None:
    strict = FaceDetector(DetectorConfig(min_face_px=400))  # MTCNN itself loads in ~30 ms
    with pytest.raises(FaceRejected) as caught:
        strict.locate(load_image(photo("obama.jpg")))
    assert caught.value.reason is FaceReason.FACE_TOO_SMALL


def test_a_portrait_shrunk_inside_a_large_frame_is_too_small(
    face_detector: FaceDetector, photo: Callable[[str], bytes]
) -> None:
    portrait = load_image(photo("obama2.jpg"))
    small = portrait.resize((portrait.width * 3 // 10, portrait.height * 3 // 10))  # face about 45 px
    frame = Image.new("RGB", (640, 640), "white")
    frame.paste(small, (200, 200))
    with pytest.raises(FaceRejected) as caught:
        face_detector.locate(frame)
    assert caught.value.reason is FaceReason.FACE_TOO_SMALL
