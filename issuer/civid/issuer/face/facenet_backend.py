"""The ``facenet`` backend: InceptionResnetV1 (512-D, L2-normalised) with weights from a local file.

Trained weights (e.g. VGGFace2) must be supplied as a state_dict file; ``pretrained=`` is never used
(it downloads), and a missing or wrong file is a start-up error, never random weights. On unit vectors
Euclidean and cosine distance order pairs the same way (d² = 2 - 2·cos), so Euclidean is used.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path

import torch
from facenet_pytorch import InceptionResnetV1
from facenet_pytorch.models.mtcnn import fixed_image_standardization
from facenet_pytorch.models.utils.detect_face import extract_face
from PIL import Image

from civid.issuer.face.errors import FaceModelUnavailable
from civid.issuer.face.modelfile import file_sha256, require_file
from civid.issuer.face.types import FaceBox

DEFAULT_THRESHOLD = 1.0
CROP_SIZE = 160


def load_facenet_weights(path: Path) -> InceptionResnetV1:
    """An eval-mode InceptionResnetV1 with exactly the weights in ``path`` (``logits.*`` dropped)."""
    state = _read_state_dict(require_file(path, "facenet weights file"))
    model = InceptionResnetV1(classify=False)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise FaceModelUnavailable(f"{path} is not an InceptionResnetV1 state_dict: {exc}") from exc
    return model.eval()


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, ValueError, pickle.UnpicklingError) as exc:
        raise FaceModelUnavailable(f"cannot load facenet weights from {path}: {exc}") from exc
    if not isinstance(loaded, Mapping) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        raise FaceModelUnavailable(f"{path} does not hold a state_dict of tensors")
    return {k: v for k, v in loaded.items() if not k.startswith("logits.")}


class FacenetEmbedder:
    """Face box → 512-D embedding. Inference only reads the model: safe for concurrent threads."""

    backend = "facenet"
    dimensions = 512

    def __init__(
        self, weights_path: Path, threshold: float = DEFAULT_THRESHOLD, margin: int = 14, device: str = "cpu"
    ) -> None:
        self.threshold = threshold
        self._margin = margin
        self._device = torch.device(device)
        self._model = load_facenet_weights(Path(weights_path)).to(self._device)
        self.model_sha256 = file_sha256(Path(weights_path))

    def close(self) -> None:
        """Nothing to release: the model lives in this process."""

    def embed(self, image: Image.Image, box: FaceBox) -> tuple[float, ...]:
        """The embedding of the face inside ``box``, cropped to 160 px as facenet-pytorch does."""
        corners = [box.left, box.top, box.right, box.bottom]
        crop = fixed_image_standardization(extract_face(image, corners, CROP_SIZE, self._margin))
        with torch.inference_mode():
            embedding = self._model(crop.unsqueeze(0).to(self._device))[0]
        return tuple(float(v) for v in embedding.cpu())
