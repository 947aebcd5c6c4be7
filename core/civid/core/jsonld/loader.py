"""An offline, pyld-compatible document loader over the contexts shipped in ``context_files/``.

Only the exact URLs listed in ``context_files/index.json`` are served; any other URL is refused with
``UNKNOWN_CONTEXT``. Nothing here ever touches the network. Each file is read, checked against its
pinned sha256 and parsed once per process; callers always receive their own copy.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from civid.core.errors import CividError, ErrorCode

_PACKAGE = "civid.core.jsonld"
_FOLDER = "context_files"
_INDEX = "index.json"


@dataclass(frozen=True)
class PinnedContext:
    """One shipped context: its URL, file name, sha256 of the file bytes and parsed JSON."""

    url: str
    file: str
    sha256: str
    document: Mapping[str, Any]


def _read(file: str) -> bytes:
    return (resources.files(_PACKAGE) / _FOLDER / file).read_bytes()


@functools.cache
def _pinned() -> Mapping[str, PinnedContext]:
    index = json.loads(_read(_INDEX))
    pinned: dict[str, PinnedContext] = {}
    for entry in index:
        raw = _read(entry["file"])
        digest = hashlib.sha256(raw).hexdigest()
        if digest != entry["sha256"]:
            raise CividError(
                ErrorCode.INVALID_CONTEXT,
                f"shipped context {entry['file']} has sha256 {digest}, index.json pins {entry['sha256']}",
            )
        pinned[entry["url"]] = PinnedContext(entry["url"], entry["file"], digest, json.loads(raw))
    return pinned


def _lookup(url: str) -> PinnedContext:
    found = _pinned().get(url)
    if found is None:
        raise CividError(ErrorCode.UNKNOWN_CONTEXT, f"context {url!r} is not one civid ships; never fetched")
    return found


def known_context_urls() -> frozenset[str]:
    """The URLs this loader serves."""
    return frozenset(_pinned())


def context_sha256(url: str) -> str:
    """The sha256 (hex) of the shipped file served at ``url``; ``UNKNOWN_CONTEXT`` otherwise."""
    return _lookup(url).sha256


def load_context(url: str) -> dict[str, Any]:
    """A fresh copy of the parsed context document served at ``url``."""
    return copy.deepcopy(dict(_lookup(url).document))


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader: a RemoteDocument for a shipped context, ``UNKNOWN_CONTEXT`` for anything else.

    The document is tagged ``static`` so pyld's context resolver keeps the processed context
    for the life of the process instead of calling the loader again.
    """
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
        "tag": "static",
    }
