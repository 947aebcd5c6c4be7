"""Model files: checked to exist and fingerprinted (sha256) once, when a backend is built."""

from __future__ import annotations

import hashlib
from pathlib import Path

from civid.issuer.face.errors import FaceModelUnavailable


def require_file(path: Path, what: str) -> Path:
    """``path`` if it is a readable file, else FaceModelUnavailable naming ``what`` and the path."""
    if not path.is_file():
        raise FaceModelUnavailable(f"{what} not found at {path}")
    return path


def file_sha256(path: Path) -> str:
    """Hex sha256 of the file's bytes (read in chunks)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise FaceModelUnavailable(f"cannot read model file {path}: {exc}") from exc
    return digest.hexdigest()
