"""Face detection and matching for enrollment: one interface (:class:`FaceMatcher`), two backends.

Typical use (once per process, at start-up, then from worker threads)::

    matcher = create_matcher("dlib")
    reference = matcher.template(registry_photo_bytes)
    decision = decide(matcher, selfie_bytes, reference)   # MatchDecision; never raises for a bad photo
    person_message(decision.reason, "th")
    matcher.close()   # at shutdown: stops the dlib worker process

Thread-safe and synchronous: call it from a thread pool. dlib runs in a worker process (it holds the
GIL while it computes); MTCNN and facenet release the GIL inside torch.

Names are imported on first use, so ``from civid.issuer.face import FaceMatcher`` (a type) or a dlib
worker process does not load torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civid.issuer.face.detector import DetectorConfig, FaceDetector, select_face
    from civid.issuer.face.dlib_backend import DlibEmbedder, DlibModelFiles
    from civid.issuer.face.errors import FaceModelUnavailable, FaceRejected
    from civid.issuer.face.facenet_backend import FacenetEmbedder, load_facenet_weights
    from civid.issuer.face.factory import BACKENDS, DEFAULT_BACKEND, create_matcher
    from civid.issuer.face.image import ImageLimits, load_image
    from civid.issuer.face.matcher import FaceEmbedder, FaceMatcher, PipelineMatcher, decide
    from civid.issuer.face.messages import Language, person_message
    from civid.issuer.face.types import FaceBox, FaceReason, FaceTemplate, MatchDecision, MatchScore
    from civid.issuer.face.worker import ProcessDlibEmbedder

_MODULE_OF: dict[str, str] = {
    **dict.fromkeys(["DetectorConfig", "FaceDetector", "select_face"], "detector"),
    **dict.fromkeys(["DlibEmbedder", "DlibModelFiles"], "dlib_backend"),
    **dict.fromkeys(["FaceModelUnavailable", "FaceRejected"], "errors"),
    **dict.fromkeys(["FacenetEmbedder", "load_facenet_weights"], "facenet_backend"),
    **dict.fromkeys(["BACKENDS", "DEFAULT_BACKEND", "create_matcher"], "factory"),
    **dict.fromkeys(["ImageLimits", "load_image"], "image"),
    **dict.fromkeys(["FaceEmbedder", "FaceMatcher", "PipelineMatcher", "decide"], "matcher"),
    **dict.fromkeys(["Language", "person_message"], "messages"),
    **dict.fromkeys(["FaceBox", "FaceReason", "FaceTemplate", "MatchDecision", "MatchScore"], "types"),
    **dict.fromkeys(["ProcessDlibEmbedder"], "worker"),
}

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "DetectorConfig",
    "DlibEmbedder",
    "DlibModelFiles",
    "FaceBox",
    "FaceDetector",
    "FaceEmbedder",
    "FaceMatcher",
    "FaceModelUnavailable",
    "FaceReason",
    "FaceRejected",
    "FaceTemplate",
    "FacenetEmbedder",
    "ImageLimits",
    "Language",
    "MatchDecision",
    "MatchScore",
    "PipelineMatcher",
    "ProcessDlibEmbedder",
    "create_matcher",
    "decide",
    "load_facenet_weights",
    "load_image",
    "person_message",
    "select_face",
]


def __getattr__(name: str) -> Any:
    """Import the submodule that defines ``name`` on first use (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
