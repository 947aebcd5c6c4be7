"""Multibase encodings used by Data Integrity: base58btc (``z``) and base64url without padding (``u``).

Decoding raises :class:`MultibaseError` (a ``ValueError``); callers map it to their own error code.
"""

from __future__ import annotations

import base64
import functools
import operator
import re
from typing import Final

import base58

BASE58BTC_PREFIX: Final = "z"
BASE64URL_PREFIX: Final = "u"

_BASE58_ALPHABET: Final = re.compile(r"[1-9A-HJ-NP-Za-km-z]*")
_BASE64URL_ALPHABET: Final = re.compile(r"[A-Za-z0-9_-]*")
_DIGITS: Final = bytes.maketrans(base58.BITCOIN_ALPHABET, bytes(range(58)))
"""Each base58 character (ASCII) to its digit value."""
_SUMMED_UP_TO: Final = 128
"""Bodies up to this length (keys, signatures) are summed against cached powers of 58."""


class MultibaseError(ValueError):
    """A string is not valid multibase of the expected kind."""


def encode_base58btc(data: bytes) -> str:
    """``z`` + base58btc (Bitcoin alphabet)."""
    return BASE58BTC_PREFIX + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: str) -> bytes:
    """Decode a ``z``-prefixed base58btc string."""
    body = _strip_prefix(value, BASE58BTC_PREFIX, "base58btc")
    if not _BASE58_ALPHABET.fullmatch(body):
        raise MultibaseError("base58btc value contains characters outside the Bitcoin alphabet")
    number = _base58_int(body)
    zeros = len(body) - len(body.lstrip("1"))
    return bytes(zeros) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _base58_int(body: str) -> int:
    """``base58.b58decode_int(body)`` for a body of alphabet characters (0 when empty). A short one
    (a key, a signature) is one ``sum`` of digit × power of 58 in C, not a Python loop per character."""
    if len(body) > _SUMMED_UP_TO:
        return base58.b58decode_int(body)
    digits = body.encode("ascii").translate(_DIGITS)
    return sum(map(operator.mul, digits, _powers(len(digits))))


@functools.lru_cache(maxsize=_SUMMED_UP_TO + 1)
def _powers(length: int) -> tuple[int, ...]:
    """58^(length-1), …, 58, 1: each digit's weight in a body of ``length`` characters."""
    return tuple(58**exponent for exponent in range(length - 1, -1, -1))


def encode_base64url(data: bytes) -> str:
    """``u`` + base64url without padding (RFC 4648 §5)."""
    return BASE64URL_PREFIX + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(value: str) -> bytes:
    """Decode a ``u``-prefixed base64url string; padding is not allowed."""
    body = _strip_prefix(value, BASE64URL_PREFIX, "base64url")
    if not _BASE64URL_ALPHABET.fullmatch(body) or len(body) % 4 == 1:
        raise MultibaseError("base64url value is malformed (bad character, padding or length)")
    data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if encode_base64url(data) != value:
        raise MultibaseError("base64url value is not canonical (non-zero trailing bits)")
    return data


def _strip_prefix(value: str, prefix: str, name: str) -> str:
    if not isinstance(value, str):
        raise MultibaseError(f"{name} multibase value must be a string, got {type(value).__name__}")
    if not value.startswith(prefix):
        shown = repr(value[:1]) if value else "nothing"
        raise MultibaseError(f"expected {name} multibase (prefix {prefix!r}), got {shown}")
    return value[len(prefix) :]
