"""The laser code engraved on the back of a Thai ID card, e.g. ``JT0-1234567-89``.

Shape: two letters and a digit, seven digits, two digits. It carries no check digit, so only the shape
is validated here; whether it belongs to the card is a registry lookup.
"""

from __future__ import annotations

import re
from typing import Final

from civid.core.errors import CividError, ErrorCode

_SHAPE: Final = re.compile(r"([A-Z]{2}[0-9])-?([0-9]{7})-?([0-9]{2})")


def is_valid_laser_code(text: str) -> bool:
    """True for ``AA9-9999999-99`` (the dashes may be left out; letters in either case)."""
    return _SHAPE.fullmatch(text.strip().upper()) is not None


def parse_laser_code(text: str) -> str:
    """The canonical dashed, upper-case form, or :class:`CividError` INVALID_LASER_CODE."""
    match = _SHAPE.fullmatch(text.strip().upper())
    if match is None:
        raise CividError(
            ErrorCode.INVALID_LASER_CODE, f"a laser code looks like JT0-1234567-89, got {text!r}"
        )
    return "-".join(match.groups())
