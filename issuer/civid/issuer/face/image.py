"""Image intake: JPEG/PNG bytes in, one upright RGB picture at working size out, or a FaceRejected.

Only JPEG and PNG are accepted (checked by magic number and by Pillow's own format detection); the byte
size and pixel count are limited before anything is decoded; the picture is decoded fully, so a truncated
file is refused (Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` must stay False); EXIF orientation is
applied; transparency is flattened onto white; the result is downscaled to ``working_size``.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps

from civid.issuer.face.errors import FaceRejected
from civid.issuer.face.types import FaceReason

_MAGIC = {"JPEG": b"\xff\xd8\xff", "PNG": b"\x89PNG\r\n\x1a\n"}
_PILLOW_FORMATS = {"JPEG": ("JPEG",), "PNG": ("PNG",)}  # JPEG also opens MPO (multi-picture JPEG)
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, struct.error)


@dataclass(frozen=True)
class ImageLimits:
    """What intake accepts. ``working_size`` is the longest side the picture is reduced to."""

    max_bytes: int = 6 * 1024 * 1024
    max_pixels: int = 40_000_000
    working_size: int = 640


def load_image(data: bytes, limits: ImageLimits | None = None) -> Image.Image:
    """Decode ``data`` into an RGB image whose longest side is at most ``limits.working_size``."""
    limits = limits or ImageLimits()
    _require_strict_pillow()
    _check_byte_size(data, limits)
    kind = _sniff(data)
    try:
        if kind == "PNG":
            _verify_png_chunks(data)
        with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[kind]) as opened:
            _check_pixels(opened, limits)
            opened.draft("RGB", (limits.working_size, limits.working_size))  # JPEG: decode at reduced scale
            opened.load()
            upright = ImageOps.exif_transpose(opened)
    except Image.DecompressionBombError as exc:
        raise FaceRejected(FaceReason.IMAGE_TOO_LARGE, str(exc)) from exc
    except _DECODE_ERRORS as exc:
        raise FaceRejected(FaceReason.UNREADABLE_IMAGE, f"cannot decode the {kind} image: {exc}") from exc
    rgb = _to_rgb(upright)
    rgb.thumbnail((limits.working_size, limits.working_size), Image.Resampling.BILINEAR)
    return rgb


def _require_strict_pillow() -> None:
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is True: truncated photos would be accepted")


def _check_byte_size(data: bytes, limits: ImageLimits) -> None:
    if len(data) > limits.max_bytes:
        raise FaceRejected(
            FaceReason.IMAGE_TOO_LARGE,
            f"the image is {len(data)} bytes; the limit is {limits.max_bytes} bytes",
        )


def _sniff(data: bytes) -> str:
    for kind, magic in _MAGIC.items():
        if data.startswith(magic):
            return kind
    raise FaceRejected(FaceReason.UNREADABLE_IMAGE, "not a JPEG or PNG image")


def _verify_png_chunks(data: bytes) -> None:
    """Check every chunk's CRC up to IEND (decoding alone accepts a PNG cut after its last pixel row)."""
    with Image.open(io.BytesIO(data), formats=["PNG"]) as png:
        png.verify()


def _check_pixels(image: Image.Image, limits: ImageLimits) -> None:
    width, height = image.size
    if width * height > limits.max_pixels:
        raise FaceRejected(
            FaceReason.IMAGE_TOO_LARGE,
            f"the image is {width}x{height} pixels; the limit is {limits.max_pixels} pixels",
        )
    if width == 0 or height == 0:
        raise FaceRejected(FaceReason.UNREADABLE_IMAGE, "the image has no pixels")


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")
