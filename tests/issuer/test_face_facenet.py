"""The facenet backend's loader: only a local state_dict, loaded strictly; otherwise a clear start-up error.

No trained facenet weights are available offline, so these tests save a *randomly initialised*
InceptionResnetV1 to a temporary file: they prove the loading path and the wiring, not accuracy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from facenet_pytorch import InceptionResnetV1

from civid.issuer.face import FaceDetector, FaceModelUnavailable, create_matcher, load_facenet_weights

pytestmark = [pytest.mark.face, pytest.mark.slow]


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state_dict of an untrained InceptionResnetV1, with the classifier head a trained file has."""
    torch.manual_seed(7)
    model = InceptionResnetV1(classify=True, num_classes=16)
    path = tmp_path_factory.mktemp("facenet") / "random-weights.pt"
    torch.save(model.state_dict(), path)
    return path


def test_the_loader_loads_exactly_the_given_weights_and_drops_logits(random_weights: Path) -> None:
    saved = torch.load(random_weights, weights_only=True)
    loaded = load_facenet_weights(random_weights).state_dict()
    assert set(loaded) == {k for k in saved if not k.startswith("logits.")}
    assert all(torch.equal(loaded[k], saved[k]) for k in loaded)


def test_the_loaded_model_is_in_eval_mode(random_weights: Path) -> None:
    assert not load_facenet_weights(random_weights).training


def test_a_missing_weights_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "vggface2.pt"
    with pytest.raises(FaceModelUnavailable, match="facenet weights file not found"):
        load_facenet_weights(missing)


def test_weights_with_a_missing_key_are_refused(random_weights: Path, tmp_path: Path) -> None:
    state = torch.load(random_weights, weights_only=True)
    del state["conv2d_1a.conv.weight"]
    torch.save(state, tmp_path / "partial.pt")
    with pytest.raises(FaceModelUnavailable, match=r"conv2d_1a\.conv\.weight"):
        load_facenet_weights(tmp_path / "partial.pt")


def test_weights_with_foreign_keys_are_refused(random_weights: Path, tmp_path: Path) -> None:
    state = torch.load(random_weights, weights_only=True)
    state["extra.weight"] = torch.zeros(3)
    torch.save(state, tmp_path / "foreign.pt")
    with pytest.raises(FaceModelUnavailable, match=r"extra\.weight"):
        load_facenet_weights(tmp_path / "foreign.pt")


def test_a_file_that_is_not_a_torch_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "garbage.pt").write_bytes(b"definitely not weights" * 100)
    with pytest.raises(FaceModelUnavailable):
        load_facenet_weights(tmp_path / "garbage.pt")


def test_a_pickled_model_object_is_not_unpickled(tmp_path: Path) -> None:
    whole_model = InceptionResnetV1(classify=False)  # saved as an arbitrary pickle, not as weights
    torch.save(whole_model, tmp_path / "whole-model.pt")
    with pytest.raises(FaceModelUnavailable):
        load_facenet_weights(tmp_path / "whole-model.pt")


def test_the_facenet_backend_needs_a_weights_path() -> None:
    with pytest.raises(FaceModelUnavailable, match="weights_path"):
        create_matcher("facenet")


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(FaceModelUnavailable, match="unknown face backend"):
        create_matcher("eigenfaces")


def test_a_facenet_matcher_makes_unit_512_value_templates(
    random_weights: Path, face_detector: FaceDetector, photo: Callable[[str], bytes]
) -> None:
    matcher = create_matcher("facenet", weights_path=random_weights, detector=face_detector, threshold=0.8)
    template = matcher.template(photo("obama.jpg"))
    assert (template.backend, len(template.vector), matcher.threshold) == ("facenet", 512, 0.8)
    assert math.isclose(math.hypot(*template.vector), 1.0, rel_tol=1e-5)
    assert template.model_sha256 == matcher.model_sha256
