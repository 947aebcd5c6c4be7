"""Opaque page tokens: the last id of the previous page, bound to the request's other fields, 24 h."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Final

from civid.rpc.errors import RpcFailure
from civid.verifier.service.errors import field_invalid

DEFAULT_PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 500
TOKEN_LIFETIME_S: Final = 24 * 3600


@dataclass(frozen=True)
class Page:
    size: int
    after: str  # "" for the first page


def page_size(requested: int) -> int:
    if requested < 0:
        raise field_invalid("page_size", "page_size must not be negative")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _bind(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def encode_token(after: str, scope: str, now: float | None = None) -> str:
    body = {"a": after, "s": _bind(scope), "t": int(now if now is not None else time.time())}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str, scope: str, now: float | None = None) -> str:
    """The id the page starts after; FIELD_INVALID for a foreign, altered or expired token."""
    if not token:
        return ""
    try:
        body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after, bound, issued = body["a"], body["s"], body["t"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _bad() from exc
    current = now if now is not None else time.time()
    if bound != _bind(scope) or not isinstance(after, str) or current - issued > TOKEN_LIFETIME_S:
        raise _bad()
    return after


def _bad() -> RpcFailure:
    return field_invalid(
        "page_token", "the page token is not valid for this request (or older than 24 hours)"
    )


def paginate(ids: list[str], requested_size: int, token: str, scope: str) -> tuple[list[str], str]:
    """The ids of one page (sorted input) and the next page token ("" on the last page)."""
    size = page_size(requested_size)
    after = decode_token(token, scope)
    remaining = [i for i in ids if i > after] if after else ids
    page = remaining[:size]
    next_token = encode_token(page[-1], scope) if len(remaining) > size else ""
    return page, next_token
