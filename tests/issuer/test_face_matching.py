"""The dlib backend on real photos, and the enrollment decision built on it."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from civid.core.errors import CividError, ErrorCode
from civid.issuer.face import (
    DlibModelFiles,
    FaceDetector,
    FaceMatcher,
    FaceModelUnavailable,
    FaceReason,
    FaceTemplate,
    ImageLimits,
    create_matcher,
    decide,
)

pytestmark = [pytest.mark.face, pytest.mark.slow]


@pytest.fixture(scope="module")
def obama(dlib_matcher: FaceMatcher, photo: Callable[[str], bytes]) -> FaceTemplate:
    """The registry template: made from obama.jpg."""
    return dlib_matcher.template(photo("obama.jpg"))


def _reencoded(data: bytes, quality: int) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(data)).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def test_a_template_is_a_128_value_dlib_vector_with_the_model_hash(
    dlib_matcher: FaceMatcher, obama: FaceTemplate
) -> None:
    assert obama.backend == "dlib"
    assert len(obama.vector) == 128
    assert obama.model_sha256 == dlib_matcher.model_sha256
    assert len(obama.model_sha256) == 64


@pytest.mark.parametrize("selfie", ["obama2.jpg", "obama3.jpg"])
def test_another_photo_of_the_same_person_matches(
    dlib_matcher: FaceMatcher, photo: Callable[[str], bytes], obama: FaceTemplate, selfie: str
) -> None:
    score = dlib_matcher.compare(dlib_matcher.template(photo(selfie)), obama)
    assert score.matched
    assert score.score < 0.5 < score.threshold == 0.6


@pytest.mark.parametrize("other", ["biden.jpg", "astronaut.png", "grace_hopper.jpg"])
def test_a_different_person_does_not_match(
    dlib_matcher: FaceMatcher, photo: Callable[[str], bytes], obama: FaceTemplate, other: str
) -> None:
    score = dlib_matcher.compare(dlib_matcher.template(photo(other)), obama)
    assert not score.matched
    assert score.score > 0.65


def test_a_reencoded_copy_matches_closely(
    dlib_matcher: FaceMatcher, photo: Callable[[str], bytes], obama: FaceTemplate
) -> None:
    score = dlib_matcher.compare(dlib_matcher.template(_reencoded(photo("obama.jpg"), quality=60)), obama)
    assert score.matched
    assert score.score < 0.15


def test_decide_reports_a_match_with_its_evidence(
    dlib_matcher: FaceMatcher, photo: Callable[[str], bytes], obama: FaceTemplate
) -> None:
    decision = decide(dlib_matcher, photo("obama2.jpg"), obama)
    assert (decision.matched, decision.reason) == (True, FaceReason.MATCH)
    assert decision.score is not None and decision.score <= decision.threshold
    assert (decision.backend, decision.model_sha256) == ("dlib", dlib_matcher.model_sha256)


def test_decide_reports_no_match_for_another_person(
    dlib_matcher: FaceMatcher, photo: Callable[[str], bytes], obama: FaceTemplate
) -> None:
    decision = decide(dlib_matcher, photo("biden.jpg"), obama)
    assert (decision.matched, decision.reason) == (False, FaceReason.NO_MATCH)
    assert decision.score is not None and decision.score > decision.threshold


@pytest.mark.parametrize(
    ("selfie", "reason"),
    [
        ("chelsea.png", FaceReason.NO_FACE),
        ("obama2_and_biden.png", FaceReason.SEVERAL_FACES),  # two portraits pasted side by side
    ],
)
def test_decide_refuses_a_photo_without_exactly_one_face(
    dlib_matcher: FaceMatcher,
    photo: Callable[[str], bytes],
    obama: FaceTemplate,
    selfie: str,
    reason: FaceReason,
) -> None:
    decision = decide(dlib_matcher, photo(selfie), obama)
    assert (decision.matched, decision.reason, decision.score) == (False, reason, None)


def test_decide_refuses_non_image_bytes_and_truncated_jpegs(
    dlib_matcher: FaceMatcher, photo: Callable[[str], bytes], obama: FaceTemplate
) -> None:
    jpeg = photo("obama2.jpg")
    for selfie in (b"not an image", jpeg[: len(jpeg) // 2]):
        assert decide(dlib_matcher, selfie, obama).reason is FaceReason.UNREADABLE_IMAGE


def test_a_template_survives_serialisation_exactly(obama: FaceTemplate) -> None:
    assert FaceTemplate.from_bytes(obama.to_bytes()) == obama


@pytest.mark.parametrize(
    "data", [b"", b"{}", b'{"backend":"dlib","model_sha256":"x","vector":[]}', b'{"backend":1}', b"\xff"]
)
def test_malformed_template_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(CividError) as caught:
        FaceTemplate.from_bytes(data)
    assert caught.value.code is ErrorCode.FACE_TEMPLATE_INVALID


def test_a_template_from_another_model_is_not_compared(
    dlib_matcher: FaceMatcher, obama: FaceTemplate
) -> None:
    foreign = FaceTemplate(backend="dlib", model_sha256="0" * 64, vector=obama.vector)
    with pytest.raises(CividError) as caught:
        dlib_matcher.compare(foreign, obama)
    assert caught.value.code is ErrorCode.FACE_TEMPLATE_INVALID


def test_a_template_of_the_wrong_length_is_not_compared(
    dlib_matcher: FaceMatcher, obama: FaceTemplate
) -> None:
    short = FaceTemplate(backend="dlib", model_sha256=obama.model_sha256, vector=obama.vector[:64])
    with pytest.raises(CividError):
        dlib_matcher.compare(short, obama)


def test_the_model_hash_is_the_sha256_of_the_packaged_descriptor_model(dlib_matcher: FaceMatcher) -> None:
    model = DlibModelFiles.from_package().recognition_model
    assert dlib_matcher.model_sha256 == hashlib.sha256(model.read_bytes()).hexdigest()


def test_missing_dlib_model_files_are_a_clear_start_up_error(tmp_path: Path) -> None:
    files = DlibModelFiles(shape_predictor=tmp_path / "sp.dat", recognition_model=tmp_path / "rec.dat")
    with pytest.raises(FaceModelUnavailable, match="shape predictor not found"):
        create_matcher("dlib", dlib_files=files)


def test_the_matcher_locates_the_one_face_in_photo_bytes(
    dlib_matcher: FaceMatcher, photo: Callable[[str], bytes]
) -> None:
    face = dlib_matcher.locate(photo("grace_hopper.jpg"))
    assert face.probability >= 0.95 and face.size >= 60


def test_configured_image_limits_reach_the_pipeline(
    face_detector: FaceDetector, photo: Callable[[str], bytes], obama: FaceTemplate
) -> None:
    matcher = create_matcher(
        "dlib", image_limits=ImageLimits(max_bytes=10_000), detector=face_detector, dlib_workers=0
    )
    assert matcher.image_limits.max_bytes == 10_000
    decision = decide(matcher, photo("obama2.jpg"), obama)
    assert (decision.matched, decision.reason) == (False, FaceReason.IMAGE_TOO_LARGE)
