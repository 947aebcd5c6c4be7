"""The 13-digit Thai national ID number: its mod-11 check digit and its printed grouping."""

from __future__ import annotations

from typing import Final

from civid.core.errors import CividError, ErrorCode

LENGTH: Final = 13
GROUPS: Final = (1, 4, 5, 2, 1)


def digits_of(text: str) -> str:
    """The ASCII digits typed, without dashes or spaces."""
    return "".join(c for c in text if c.isascii() and c.isdigit())


def check_digit(first_twelve: str) -> int:
    """The 13th digit for the first 12: (11 - Σ dᵢ·(13-i) mod 11) mod 10."""
    total = sum(int(d) * (LENGTH - i) for i, d in enumerate(first_twelve))
    return (11 - total % 11) % 10


def is_valid(number: str) -> bool:
    return (
        len(number) == LENGTH
        and number.isascii()
        and number.isdigit()
        and check_digit(number[:12]) == int(number[12])
    )


def format_dashed(text: str) -> str:
    """``1101700203451`` → ``1-1017-00203-45-1``; a partial number is grouped as far as it goes."""
    digits, parts, start = digits_of(text)[:LENGTH], [], 0
    for size in GROUPS:
        if start >= len(digits):
            break
        parts.append(digits[start : start + size])
        start += size
    return "-".join(parts)


def validate(text: str) -> str:
    """The 13 digits of ``text``; INVALID_NATIONAL_ID when it is not a valid ID number."""
    digits = digits_of(text)
    if len(digits) != LENGTH:
        raise CividError(ErrorCode.INVALID_NATIONAL_ID, "an ID number has 13 digits: x-xxxx-xxxxx-xx-x")
    if not is_valid(digits):
        raise CividError(
            ErrorCode.INVALID_NATIONAL_ID, "the last digit does not match; check the number on your card"
        )
    return digits
