"""Expanded sub-objects shared within one verification (a presentation and the credentials in it).

A presentation's canonical form holds each embedded credential in a named graph, so verifying a
presentation expands the credential's ``credentialSubject`` (and the rest of it) once inside the
presentation and once more for the credential's own safe-mode check. Inside the same context
object, with the same active context, property and flags, pyld's expansion of the same content is
the same: ``verification_scope()`` keeps each expanded sub-object for the block it wraps, and an
identical one met again in that block is handed a fresh copy instead of being expanded again.

Nothing outlives the block, so no expansion is ever shared between different verifications; the
table is private to the block (a ``ContextVar``), holds at most ``MAX_ENTRIES`` entries, and keeps
only results (a failure is recomputed, so it raises exactly as before).
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any, Final

MAX_ENTRIES: Final = 64
_MARSHAL_VERSION: Final = 2

_scope: ContextVar[dict[Hashable, bytes] | None] = ContextVar("civid_subtree_memo", default=None)


@contextmanager
def verification_scope() -> Iterator[None]:
    """Within the block, identical expanded sub-objects are computed once (an inner scope joins
    the outer one)."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def active() -> bool:
    """True inside ``verification_scope()``."""
    return _scope.get() is not None


def expanded(key: Hashable, expand: Callable[[], Any]) -> Any:
    """``expand()``'s result for ``key`` (exact inputs of one expansion), at most once per scope.

    Each caller gets its own copy; outside a scope this is just ``expand()``.
    """
    table = _scope.get()
    if table is None:
        return expand()
    found = table.get(key)
    if found is not None:
        return marshal.loads(found)
    result = expand()
    if len(table) < MAX_ENTRIES:
        with suppress(ValueError):  # not plain data: simply not kept
            table[key] = marshal.dumps(result, _MARSHAL_VERSION)
    return result
