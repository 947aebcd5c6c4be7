"""Values of face matching: reasons, boxes, templates, scores and decisions (all immutable)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from enum import StrEnum

from civid.core.errors import CividError, ErrorCode


class FaceReason(StrEnum):
    """Why a photo matched or was refused; stable names (they reach wallets and audit records)."""

    MATCH = "MATCH"
    NO_FACE = "NO_FACE"
    SEVERAL_FACES = "SEVERAL_FACES"
    FACE_TOO_SMALL = "FACE_TOO_SMALL"
    LOW_CONFIDENCE = "LOW_CONFIDENCE"
    UNREADABLE_IMAGE = "UNREADABLE_IMAGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    NO_MATCH = "NO_MATCH"


@dataclass(frozen=True)
class FaceBox:
    """A detected face in working-image pixels, with the detector's probability that it is a face."""

    left: float
    top: float
    right: float
    bottom: float
    probability: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def size(self) -> float:
        """The shorter side of the box: what the minimum face size is compared with."""
        return min(self.width, self.height)


@dataclass(frozen=True)
class FaceTemplate:
    """An embedding of one face, tied to the backend and model file that made it."""

    backend: str
    model_sha256: str
    vector: tuple[float, ...]

    def to_bytes(self) -> bytes:
        """A compact, exact serialisation (JSON; floats round-trip) for encrypted storage."""
        doc = {"backend": self.backend, "model_sha256": self.model_sha256, "vector": list(self.vector)}
        return json.dumps(doc, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> FaceTemplate:
        """Parse :meth:`to_bytes` output; anything else raises FACE_TEMPLATE_INVALID."""
        try:
            doc = json.loads(data)
            backend, sha, vector = doc["backend"], doc["model_sha256"], doc["vector"]
        except (ValueError, TypeError, KeyError) as exc:
            raise CividError(ErrorCode.FACE_TEMPLATE_INVALID, f"not a face template: {exc}") from exc
        if not (isinstance(backend, str) and isinstance(sha, str) and isinstance(vector, list)):
            raise CividError(ErrorCode.FACE_TEMPLATE_INVALID, "face template fields have the wrong types")
        if not vector or not all(_is_finite_number(v) for v in vector):
            raise CividError(ErrorCode.FACE_TEMPLATE_INVALID, "face template vector must be finite numbers")
        return cls(backend=backend, model_sha256=sha, vector=tuple(float(v) for v in vector))


def _is_finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class MatchScore:
    """A comparison of two templates: ``score`` is a distance; ``matched`` when ``score <= threshold``."""

    score: float
    threshold: float
    matched: bool


@dataclass(frozen=True)
class MatchDecision:
    """The answer to "is this selfie the registered person?", with the evidence to record.

    ``score`` is None when no comparison happened (the photo was refused before matching).
    """

    matched: bool
    reason: FaceReason
    score: float | None
    threshold: float
    backend: str
    model_sha256: str
