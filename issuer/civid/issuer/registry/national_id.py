"""Thai 13-digit national identification numbers (เลขประจำตัวประชาชน).

The last digit is a mod-11 check digit over the first twelve: ``(11 - Σ dᵢ·(13-i)) mod 11 mod 10``.
Stored and compared as 13 bare digits; shown to people as ``x-xxxx-xxxxx-xx-x``.
"""

from __future__ import annotations

import re
from typing import Final

from civid.core.errors import CividError, ErrorCode

_DIGITS_13: Final = re.compile(r"[0-9]{13}")
_SEPARATORS: Final = re.compile(r"[\s-]")


def check_digit(first12: str) -> int:
    """The check digit for the first twelve digits of a national ID."""
    if len(first12) != 12 or not first12.isascii() or not first12.isdigit():
        raise CividError(ErrorCode.INVALID_NATIONAL_ID, "expected exactly 12 digits before the check digit")
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def normalize_national_id(text: str) -> str:
    """Strip the dashes and spaces people write between the groups (no validation)."""
    return _SEPARATORS.sub("", text)


def is_valid_national_id(text: str) -> bool:
    """True for 13 digits (dashes and spaces allowed) whose last digit is the right check digit."""
    digits = normalize_national_id(text)
    if not _DIGITS_13.fullmatch(digits):
        return False
    return check_digit(digits[:12]) == int(digits[12])


def parse_national_id(text: str) -> str:
    """The bare 13 digits of a valid national ID, or :class:`CividError` INVALID_NATIONAL_ID."""
    if not is_valid_national_id(text):
        raise CividError(ErrorCode.INVALID_NATIONAL_ID, f"not a valid 13-digit national ID: {text!r}")
    return normalize_national_id(text)


def format_national_id(text: str) -> str:
    """``1101700230705`` → ``1-1017-00230-70-5`` (the way it is printed on the card)."""
    d = parse_national_id(text)
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}"
