"""The face-matching interface, the one pipeline behind both backends, and the enrollment decision.

Pipeline: bytes → :func:`load_image` → :meth:`FaceDetector.locate` → backend embedding → template.
Everything here is synchronous and thread-safe; run it off the event loop (a thread pool, or a process
pool whose initializer calls :func:`civid.issuer.face.factory.create_matcher`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

from PIL import Image

from civid.core.errors import CividError, ErrorCode
from civid.issuer.face.errors import FaceRejected
from civid.issuer.face.image import ImageLimits, load_image
from civid.issuer.face.types import FaceBox, FaceReason, FaceTemplate, MatchDecision, MatchScore

if TYPE_CHECKING:
    from civid.issuer.face.detector import FaceDetector  # imports torch


class FaceEmbedder(Protocol):
    """A backend's model: a face in an image → a vector compared by Euclidean distance."""

    backend: str
    dimensions: int
    threshold: float
    model_sha256: str

    def embed(self, image: Image.Image, box: FaceBox) -> tuple[float, ...]: ...

    def close(self) -> None: ...


class FaceMatcher(Protocol):
    """What enrollment uses. ``locate``/``template`` raise FaceRejected for a photo they cannot use."""

    @property
    def backend(self) -> str: ...

    @property
    def model_sha256(self) -> str: ...

    @property
    def threshold(self) -> float: ...

    @property
    def image_limits(self) -> ImageLimits: ...

    def locate(self, image: bytes) -> FaceBox: ...

    def template(self, image: bytes) -> FaceTemplate: ...

    def compare(self, a: FaceTemplate, b: FaceTemplate) -> MatchScore: ...

    def close(self) -> None: ...


class PipelineMatcher:
    """A :class:`FaceMatcher` made of image limits, a shared detector and one backend embedder."""

    def __init__(
        self, embedder: FaceEmbedder, detector: FaceDetector, limits: ImageLimits | None = None
    ) -> None:
        self._embedder = embedder
        self._detector = detector
        self._limits = limits or ImageLimits()

    @property
    def backend(self) -> str:
        return self._embedder.backend

    @property
    def model_sha256(self) -> str:
        return self._embedder.model_sha256

    @property
    def threshold(self) -> float:
        return self._embedder.threshold

    @property
    def image_limits(self) -> ImageLimits:
        """What photo intake accepts (a server can refuse larger uploads before queueing them)."""
        return self._limits

    def locate(self, image: bytes) -> FaceBox:
        """The one usable face in the photo (working-size coordinates)."""
        return self._detector.locate(load_image(image, self._limits))

    def template(self, image: bytes) -> FaceTemplate:
        """The template of the one usable face in the photo."""
        picture = load_image(image, self._limits)
        vector = self._embedder.embed(picture, self._detector.locate(picture))
        return FaceTemplate(backend=self.backend, model_sha256=self.model_sha256, vector=vector)

    def compare(self, a: FaceTemplate, b: FaceTemplate) -> MatchScore:
        """Euclidean distance between two templates made by this backend and model."""
        self._check_compatible(a)
        self._check_compatible(b)
        distance = math.dist(a.vector, b.vector)
        return MatchScore(score=distance, threshold=self.threshold, matched=distance <= self.threshold)

    def close(self) -> None:
        """Release the backend's resources (the dlib worker processes)."""
        self._embedder.close()

    def _check_compatible(self, template: FaceTemplate) -> None:
        if template.backend != self.backend or template.model_sha256 != self.model_sha256:
            raise CividError(
                ErrorCode.FACE_TEMPLATE_INVALID,
                f"template from {template.backend}/{template.model_sha256[:12]}, "
                f"matcher is {self.backend}/{self.model_sha256[:12]}: re-enrol the reference photo",
            )
        if len(template.vector) != self._embedder.dimensions:
            raise CividError(
                ErrorCode.FACE_TEMPLATE_INVALID,
                f"template has {len(template.vector)} values, expected {self._embedder.dimensions}",
            )


def decide(matcher: FaceMatcher, selfie: bytes, reference: FaceTemplate) -> MatchDecision:
    """Match a selfie against a reference template; a refused photo is a decision, not an exception."""
    try:
        score = matcher.compare(matcher.template(selfie), reference)
    except FaceRejected as rejected:
        return _decision(matcher, matched=False, reason=rejected.reason, score=None)
    reason = FaceReason.MATCH if score.matched else FaceReason.NO_MATCH
    return _decision(matcher, matched=score.matched, reason=reason, score=score.score)


def _decision(
    matcher: FaceMatcher, *, matched: bool, reason: FaceReason, score: float | None
) -> MatchDecision:
    return MatchDecision(
        matched=matched,
        reason=reason,
        score=score,
        threshold=matcher.threshold,
        backend=matcher.backend,
        model_sha256=matcher.model_sha256,
    )
