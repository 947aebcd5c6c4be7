"""Build a :class:`FaceMatcher` by backend name (the issuer's configuration names one)."""

from __future__ import annotations

from pathlib import Path

import torch

from civid.issuer.face import dlib_backend, facenet_backend
from civid.issuer.face.detector import DetectorConfig, FaceDetector
from civid.issuer.face.dlib_backend import DlibEmbedder, DlibModelFiles
from civid.issuer.face.errors import FaceModelUnavailable
from civid.issuer.face.facenet_backend import FacenetEmbedder
from civid.issuer.face.image import ImageLimits
from civid.issuer.face.matcher import FaceEmbedder, FaceMatcher, PipelineMatcher
from civid.issuer.face.worker import ProcessDlibEmbedder

BACKENDS = ("dlib", "facenet")
DEFAULT_BACKEND = "dlib"


def create_matcher(
    backend: str = DEFAULT_BACKEND,
    *,
    threshold: float | None = None,
    weights_path: str | Path | None = None,
    dlib_files: DlibModelFiles | None = None,
    image_limits: ImageLimits | None = None,
    detector_config: DetectorConfig | None = None,
    detector: FaceDetector | None = None,
    torch_threads: int | None = 1,
    dlib_workers: int = 1,
) -> FaceMatcher:
    """A matcher with its models loaded (slow: call once per process, at start-up).

    ``threshold``: the backend's distance threshold (dlib 0.6, facenet 1.0 by default).
    ``weights_path``: the facenet state_dict file (required for ``facenet``).
    ``detector``: share one MTCNN between matchers of the same process.
    ``dlib_workers``: processes that run dlib, which holds the GIL while it works (~150 ms a face) and
    would stall the caller's other threads; 0 runs it in this process (for callers already in a
    process pool). Call ``matcher.close()`` to stop them.
    ``torch_threads``: ``torch.set_num_threads`` is called with it (process-wide; None leaves torch's
    default). 1 suits a small box: one pipeline per core, parallelism from the caller's worker pool.
    Raises FaceModelUnavailable for an unknown backend or a missing/unusable model file.
    """
    if torch_threads is not None:
        torch.set_num_threads(torch_threads)
    embedder = _embedder(backend, threshold, weights_path, dlib_files, dlib_workers)
    shared = detector or FaceDetector(detector_config)
    return PipelineMatcher(embedder, shared, image_limits)


def _embedder(
    backend: str,
    threshold: float | None,
    weights_path: str | Path | None,
    dlib_files: DlibModelFiles | None,
    dlib_workers: int,
) -> FaceEmbedder:
    if backend == "dlib":
        limit = dlib_backend.DEFAULT_THRESHOLD if threshold is None else threshold
        if dlib_workers > 0:
            return ProcessDlibEmbedder(dlib_files, threshold=limit, workers=dlib_workers)
        return DlibEmbedder(dlib_files, threshold=limit)
    if backend == "facenet":
        if weights_path is None:
            raise FaceModelUnavailable(
                "the facenet backend needs weights_path (a local InceptionResnetV1 state_dict)"
            )
        limit = facenet_backend.DEFAULT_THRESHOLD if threshold is None else threshold
        return FacenetEmbedder(Path(weights_path), threshold=limit)
    raise FaceModelUnavailable(f"unknown face backend {backend!r}; choose one of {', '.join(BACKENDS)}")
