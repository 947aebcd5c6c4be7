"""Face-matching failures, as :class:`CividError` values with a stable code."""

from __future__ import annotations

from civid.core.errors import CividError, ErrorCode
from civid.issuer.face.types import FaceReason


class FaceRejected(CividError):
    """The photo cannot be used for matching; ``reason`` says why, ``message`` gives details for logs."""

    def __init__(self, reason: FaceReason, message: str) -> None:
        super().__init__(ErrorCode.FACE_REJECTED, f"{reason.value}: {message}")
        self.reason = reason


class FaceModelUnavailable(CividError):
    """A model file is missing, unreadable or not the expected model: a start-up error, never a fallback."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.FACE_MODEL_UNAVAILABLE, message)
