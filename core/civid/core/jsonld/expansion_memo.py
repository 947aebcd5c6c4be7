"""The expanded form of a document, kept between its safe-mode check and its canonicalization.

Verifying a credential expands the same document twice: once to check safe mode, once to hash
it. ``keep`` stores the checked expansion for the calling thread under the document's exact
content bytes; ``take`` hands it back once (and forgets it) when that same content is
canonicalized. Only a few entries per thread are kept; nothing outlives them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Final

from civid.core.jsonld.memo import LockedLru, content_key

ENTRIES_PER_THREAD: Final = 4


class _PerThread(threading.local):
    def __init__(self) -> None:
        self.kept: LockedLru[bytes, list[Any]] = LockedLru(ENTRIES_PER_THREAD)


_LOCAL: Final = _PerThread()


def keep(document: Mapping[str, Any], expanded: list[Any]) -> None:
    """Remember ``expanded`` as the checked expansion of ``document`` (for this thread)."""
    key = content_key(document)
    if key is not None:
        _LOCAL.kept.put(key, expanded)


def take(document: Mapping[str, Any]) -> list[Any] | None:
    """The kept expansion of a document with exactly this content, once; None otherwise."""
    key = content_key(document)
    if key is None:
        return None
    return _LOCAL.kept.pop(key)
