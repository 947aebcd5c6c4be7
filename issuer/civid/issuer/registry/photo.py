"""The card photo as the credential carries it: a small portrait JPEG that fits in a data URL.

Any readable image is centre-cropped to the card's 4:5 portrait shape and scaled to at most 160x200
pixels (at least 96 pixels wide), then re-encoded as baseline JPEG, quality 80, without metadata.
"""

from __future__ import annotations

import base64
import io
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from civid.core.errors import CividError, ErrorCode

MAX_SIZE: Final = (160, 200)
MIN_WIDTH: Final = 96
MAX_INPUT_BYTES: Final = 10 * 1024 * 1024
MAX_INPUT_PIXELS: Final = 40_000_000
JPEG_QUALITY: Final = 80


def normalize_photo(data: bytes) -> bytes:
    """Re-encode ``data`` (JPEG, PNG, ...) as the registry's small portrait JPEG."""
    image = _open(data)
    image = ImageOps.exif_transpose(image).convert("RGB")
    width, height = image.size
    if width < MIN_WIDTH or height < MIN_WIDTH:
        raise CividError(
            ErrorCode.INVALID_PHOTO, f"photo is {width}x{height} px; at least {MIN_WIDTH} px needed"
        )
    portrait = _crop_to_portrait(image)
    portrait.thumbnail(MAX_SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    portrait.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def photo_data_url(jpeg: bytes) -> str:
    """``data:image/jpeg;base64,...`` for a credential's ``photo`` claim."""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def _open(data: bytes) -> Image.Image:
    if len(data) > MAX_INPUT_BYTES:
        raise CividError(ErrorCode.INVALID_PHOTO, f"photo is larger than {MAX_INPUT_BYTES} bytes")
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_INPUT_PIXELS:
            raise CividError(ErrorCode.INVALID_PHOTO, f"photo has more than {MAX_INPUT_PIXELS} pixels")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise CividError(ErrorCode.INVALID_PHOTO, f"photo is not a readable image ({exc})") from exc
    return image


def _crop_to_portrait(image: Image.Image) -> Image.Image:
    width, height = image.size
    target_w = min(width, height * MAX_SIZE[0] // MAX_SIZE[1])
    target_h = min(height, width * MAX_SIZE[1] // MAX_SIZE[0])
    left = (width - target_w) // 2
    top = (height - target_h) // 2
    return image.crop((left, top, left + target_w, top + target_h))
