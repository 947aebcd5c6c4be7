"""A photo drawn in the terminal with half-block characters: each cell shows two pixels."""

from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Final

from rich.style import Style
from rich.text import Text

_DATA_URI: Final = re.compile(r"data:image/[a-z0-9.+-]+(?:;[^,]*)?;base64,(?P<data>.*)", re.DOTALL)
UPPER_HALF: Final = "▀"


def photo_text(data_uri: str | None, width: int, height: int) -> Text:
    """``width`` × ``height`` cells of the image in ``data_uri``; a framed placeholder when unreadable."""
    pixels = _pixels(data_uri, width, height * 2)
    if pixels is None:
        return _placeholder(width, height)
    text = Text()
    for row in range(height):
        for col in range(width):
            top, bottom = pixels[(2 * row) * width + col], pixels[(2 * row + 1) * width + col]
            text.append(UPPER_HALF, Style(color=_hex(top), bgcolor=_hex(bottom)))
        if row < height - 1:
            text.append("\n")
    return text


def _pixels(data_uri: str | None, width: int, height: int) -> list[tuple[int, int, int]] | None:
    from PIL import Image, UnidentifiedImageError  # loaded only when a card is drawn

    match = _DATA_URI.fullmatch(data_uri or "")
    if match is None:
        return None
    try:
        image = Image.open(io.BytesIO(base64.b64decode(match["data"], validate=False)))
        rgb = image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError):
        return None
    return [rgb.getpixel((x, y)) for y in range(height) for x in range(width)]  # type: ignore[misc]


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _placeholder(width: int, height: int) -> Text:
    lines = ["░" * width for _ in range(height)]
    middle = height // 2
    label = "photo"[:width].center(width, "░")
    lines[middle] = label
    return Text("\n".join(lines), style="dim")
