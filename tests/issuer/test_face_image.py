"""Image intake: only whole JPEG/PNG pictures within the limits become working images."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import pytest
from PIL import Image, ImageFile

from civid.issuer.face import FaceReason, FaceRejected, ImageLimits, load_image


def _reason(data: bytes, limits: ImageLimits | None = None) -> FaceReason:
    with pytest.raises(FaceRejected) as caught:
        load_image(data, limits)
    return caught.value.reason


def _png_bomb(width: int, height: int) -> bytes:
    """A real 1-bit PNG of the given size, all black: tiny on disk, huge once decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = zlib.compress(b"\x00" * ((1 + (width + 7) // 8) * height), 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def test_a_portrait_becomes_an_rgb_image_at_working_size(photo: Callable[[str], bytes]) -> None:
    image = load_image(photo("obama.jpg"))
    assert image.mode == "RGB"
    assert max(image.size) == 640


def test_working_size_is_configurable(photo: Callable[[str], bytes]) -> None:
    assert max(load_image(photo("obama.jpg"), ImageLimits(working_size=320)).size) == 320


def test_a_small_picture_is_not_enlarged() -> None:
    small = _encode(Image.new("RGB", (200, 100), "gray"), "PNG")
    assert load_image(small).size == (200, 100)


@pytest.mark.parametrize("data", [b"", b"hello, I am not a photo", b"%PDF-1.7\n" + b"0" * 100])
def test_non_image_bytes_are_unreadable(data: bytes) -> None:
    assert _reason(data) is FaceReason.UNREADABLE_IMAGE


def test_a_gif_is_refused_as_unreadable() -> None:
    assert _reason(_encode(Image.new("RGB", (64, 64), "red"), "GIF")) is FaceReason.UNREADABLE_IMAGE


def test_jpeg_magic_followed_by_garbage_is_unreadable() -> None:
    assert _reason(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 100) is FaceReason.UNREADABLE_IMAGE


@pytest.mark.parametrize("kept", [0.5, 0.9, 0.999])
def test_a_truncated_jpeg_is_unreadable(photo: Callable[[str], bytes], kept: float) -> None:
    data = photo("obama.jpg")
    assert _reason(data[: int(len(data) * kept)]) is FaceReason.UNREADABLE_IMAGE


def test_a_jpeg_missing_only_its_end_marker_is_unreadable(photo: Callable[[str], bytes]) -> None:
    assert _reason(photo("obama.jpg")[:-2]) is FaceReason.UNREADABLE_IMAGE


@pytest.mark.parametrize("cut", [12, 5000])
def test_a_truncated_png_is_unreadable(photo: Callable[[str], bytes], cut: int) -> None:
    assert _reason(photo("astronaut.png")[:-cut]) is FaceReason.UNREADABLE_IMAGE


def test_truncated_images_stay_refused_if_pillow_is_told_to_load_them(
    photo: Callable[[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        load_image(photo("obama.jpg"))


def test_bytes_over_the_limit_are_too_large_and_the_limit_is_named(photo: Callable[[str], bytes]) -> None:
    data = photo("obama.jpg")
    with pytest.raises(FaceRejected, match=f"limit is {len(data) - 1} bytes") as caught:
        load_image(data, ImageLimits(max_bytes=len(data) - 1))
    assert caught.value.reason is FaceReason.IMAGE_TOO_LARGE


def test_pixels_over_the_limit_are_too_large(photo: Callable[[str], bytes]) -> None:
    assert _reason(photo("obama.jpg"), ImageLimits(max_pixels=100_000)) is FaceReason.IMAGE_TOO_LARGE


def test_a_decompression_bomb_over_the_pixel_limit_is_too_large() -> None:
    bomb = _png_bomb(8000, 8000)  # 64 Mpx, under Pillow's own bomb limit: our limit refuses it
    assert len(bomb) < 100_000
    assert _reason(bomb) is FaceReason.IMAGE_TOO_LARGE


def test_a_decompression_bomb_over_pillows_limit_is_too_large() -> None:
    bomb = _png_bomb(20000, 20000)  # 400 Mpx: Pillow raises DecompressionBombError
    assert _reason(bomb, ImageLimits(max_pixels=10**9)) is FaceReason.IMAGE_TOO_LARGE


def test_exif_orientation_is_applied(photo: Callable[[str], bytes]) -> None:
    upright = Image.open(io.BytesIO(photo("obama2.jpg")))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # pixels lie on their side...
    exif = Image.Exif()
    exif[0x0112] = 6  # ...and EXIF says "rotate 90° clockwise to display"
    loaded = load_image(_encode(stored, "JPEG", quality=95, exif=exif))
    reference = load_image(photo("obama2.jpg"))
    assert loaded.size == reference.size
    difference = sum(abs(a - b) for a, b in zip(loaded.tobytes(), reference.tobytes(), strict=True))
    assert difference / len(reference.tobytes()) < 8  # same picture, up to JPEG re-encoding


def test_transparent_pixels_become_white() -> None:
    clear = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    assert load_image(_encode(clear, "PNG")).getpixel((10, 10)) == (255, 255, 255)


def test_a_grayscale_photo_becomes_rgb(photo: Callable[[str], bytes]) -> None:
    gray = Image.open(io.BytesIO(photo("obama.jpg"))).convert("L")
    assert load_image(_encode(gray, "JPEG")).mode == "RGB"
