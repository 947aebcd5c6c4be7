"""Face detection with facenet-pytorch's MTCNN (its weights ship in the wheel), and the one-face rule.

:func:`select_face` is the rule (pure, no model): exactly one face with probability at least
``min_probability`` and a box of at least ``min_face_px``. :class:`FaceDetector` runs MTCNN; build one
per process and share it: its forward pass only reads the model, so it is safe to call from several
threads at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from facenet_pytorch import MTCNN
from PIL import Image

from civid.issuer.face.errors import FaceRejected
from civid.issuer.face.types import FaceBox, FaceReason


@dataclass(frozen=True)
class DetectorConfig:
    """Detection settings; pixel sizes are measured on the working-size image (see ImageLimits).

    ``scan_min_face_px`` is the smallest face MTCNN looks for (smaller = slower, more false positives);
    a lone face between it and ``min_face_px`` is FACE_TOO_SMALL. Detections with a probability in
    ``[low_confidence_floor, min_probability)`` and no confident face give LOW_CONFIDENCE.
    """

    min_probability: float = 0.95
    min_face_px: int = 60
    scan_min_face_px: int = 40
    low_confidence_floor: float = 0.90
    device: str = "cpu"


def select_face(candidates: Sequence[FaceBox], config: DetectorConfig) -> FaceBox:
    """The single usable face among ``candidates``, or FaceRejected saying why there is none."""
    confident = [c for c in candidates if c.probability >= config.min_probability]
    if len(confident) > 1:
        raise FaceRejected(FaceReason.SEVERAL_FACES, f"{len(confident)} faces found")
    if not confident:
        if any(c.probability >= config.low_confidence_floor for c in candidates):
            raise FaceRejected(
                FaceReason.LOW_CONFIDENCE, f"no face with probability >= {config.min_probability}"
            )
        raise FaceRejected(FaceReason.NO_FACE, "no face found")
    face = confident[0]
    if face.size < config.min_face_px:
        raise FaceRejected(
            FaceReason.FACE_TOO_SMALL,
            f"the face is {face.size:.0f} px; the minimum is {config.min_face_px} px",
        )
    return face


class FaceDetector:
    """MTCNN over a working-size RGB image; thread-safe for concurrent calls."""

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        self._mtcnn = MTCNN(
            keep_all=True, min_face_size=self.config.scan_min_face_px, device=torch.device(self.config.device)
        ).eval()

    def detect(self, image: Image.Image) -> tuple[FaceBox, ...]:
        """Every candidate MTCNN returns, most probable first."""
        with torch.inference_mode():
            boxes, probs = self._mtcnn.detect(image)
        if boxes is None:
            return ()
        found = (_face_box(box, p) for box, p in zip(boxes, probs, strict=True))
        return tuple(sorted(found, key=lambda b: b.probability, reverse=True))

    def locate(self, image: Image.Image) -> FaceBox:
        """The one face to match (see :func:`select_face`)."""
        return select_face(self.detect(image), self.config)


def _face_box(corners: Sequence[float], probability: float) -> FaceBox:
    left, top, right, bottom = (float(v) for v in corners)
    return FaceBox(left=left, top=top, right=right, bottom=bottom, probability=float(probability))
