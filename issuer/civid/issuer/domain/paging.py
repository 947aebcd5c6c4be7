"""Opaque page tokens (offset + a digest of the other request fields) and page-size rules."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Final, TypeVar

from civid.issuer.domain.errors import field_invalid

DEFAULT_PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 500
T = TypeVar("T")


def page(items: Sequence[T], page_size: int, page_token: str, scope: str) -> tuple[list[T], str]:
    """One page of ``items`` and the next token ('' on the last page); ``scope`` names the query."""
    if page_size < 0:
        raise field_invalid("page_size", "must not be negative")
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    start = _offset(page_token, scope)
    chunk = list(items[start : start + size])
    end = start + len(chunk)
    return chunk, _token(end, scope) if end < len(items) else ""


def _digest(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def _token(offset: int, scope: str) -> str:
    raw = json.dumps({"o": offset, "s": _digest(scope)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(token: str, scope: str) -> int:
    if not token:
        return 0
    try:
        doc = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, digest = int(doc["o"]), str(doc["s"])
    except (ValueError, KeyError, TypeError) as exc:
        raise field_invalid("page_token", "not a token from this list") from exc
    if digest != _digest(scope) or offset < 0:
        raise field_invalid("page_token", "not a token from this list")
    return offset
