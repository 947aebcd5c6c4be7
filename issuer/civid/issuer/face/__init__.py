"""Face detection and matching for enrollment: one interface (:class:`FaceMatcher`), two backends.

Typical use (once per process, at start-up, then from worker threads)::

    matcher = create_matcher("dlib")
    reference = matcher.template(registry_photo_bytes)
    decision = decide(matcher, selfie_bytes, reference)   # MatchDecision; never raises for a bad photo
    person_message(decision.reason, "th")
"""

from civid.issuer.face.detector import DetectorConfig, FaceDetector, select_face
from civid.issuer.face.dlib_backend import DlibEmbedder, DlibModelFiles
from civid.issuer.face.errors import FaceModelUnavailable, FaceRejected
from civid.issuer.face.facenet_backend import FacenetEmbedder, load_facenet_weights
from civid.issuer.face.factory import BACKENDS, DEFAULT_BACKEND, create_matcher
from civid.issuer.face.image import ImageLimits, load_image
from civid.issuer.face.matcher import FaceEmbedder, FaceMatcher, PipelineMatcher, decide
from civid.issuer.face.messages import Language, person_message
from civid.issuer.face.types import FaceBox, FaceReason, FaceTemplate, MatchDecision, MatchScore

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
    "create_matcher",
    "decide",
    "load_facenet_weights",
    "load_image",
    "person_message",
    "select_face",
]
