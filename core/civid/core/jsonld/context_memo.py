"""Processed JSON-LD contexts, memoized across documents (the fast path's main saving).

pyld caches a processed context per (resolved context, active context ``_uuid``), but a
type-scoped context (``VerifiableCredential``, ``Citizen``, ``DataIntegrityProof``...) is
processed with ``propagate: false`` onto a fresh clone of the active context, which gets a new
``_uuid`` every time: pyld re-processes it for every node of every document, and keys every
inline context by its JCS form on the way.

Context processing is a pure function of the active context, the local context, three flags and
the options (base, processing mode, the fixed offline loader), so its result is memoized here under
exactly those inputs:

- the active context by its ``_uuid``, only when it is a frozen (immutable) pyld context;
- the local context by its exact content bytes (``memo.content_key``), never by identity, so a
  document edited in place is processed afresh;
- only frozen results are kept (they are shared, never modified by pyld), and failures never are.

A term looked up in a frozen active context (``_expand_iri`` with ``vocab`` and outside context
processing: property names and type values) is memoized the same way.

Protected terms, ``@propagate`` and previous-context roll-back are in the frozen result exactly as
pyld built it the first time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from frozendict import frozendict

from civid.core.jsonld.memo import BoundedTable, LockedLru, content_key

MAX_ENTRIES: Final = 512
MAX_TERMS: Final = 8192

_PROCESSED: Final[LockedLru[tuple[Any, ...], Any]] = LockedLru(MAX_ENTRIES)
_VOCAB_IRIS: Final[BoundedTable[tuple[str, str, Any], tuple[Any]]] = BoundedTable(MAX_TERMS)


def memo_key(
    active_ctx: Any, local_ctx: Any, flags: tuple[bool, bool, bool], options: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The exact inputs of one context processing, or None when they cannot be pinned down."""
    if not isinstance(active_ctx, frozendict):
        return None
    active_id = active_ctx.get("_uuid")
    local = content_key(local_ctx)
    if not isinstance(active_id, str) or local is None:
        return None
    return (active_id, local, flags, options.get("base"), options.get("processingMode"))


def processed(
    active_ctx: Any,
    local_ctx: Any,
    flags: tuple[bool, bool, bool],
    options: Mapping[str, Any],
    process: Callable[[], Any],
) -> Any:
    """``process()``'s result for these inputs, computed once while it stays in the table."""
    key = memo_key(active_ctx, local_ctx, flags, options)
    if key is None:
        return process()
    found = _PROCESSED.get(key)
    if found is not None:
        return found
    result = process()
    if isinstance(result, frozendict):
        _PROCESSED.put(key, result)
    return result


def vocab_key(active_ctx: Any, value: Any, base: Any) -> tuple[str, str, Any] | None:
    """The memo key of a vocabulary-relative IRI expansion, or None when it cannot be pinned down."""
    if type(value) is not str or not (base is None or type(base) is str):
        return None
    if not isinstance(active_ctx, frozendict):
        return None
    active_id = active_ctx.get("_uuid")
    return (active_id, value, base) if type(active_id) is str else None


def known_vocab_iri(key: tuple[str, str, Any]) -> tuple[Any] | None:
    """``(iri,)`` when the expansion under ``key`` is known, else None."""
    return _VOCAB_IRIS.get(key)


def remember_vocab_iri(key: tuple[str, str, Any], iri: Any) -> None:
    _VOCAB_IRIS.put(key, (iri,))


def clear() -> None:
    """Forget every memoized context and term (tests)."""
    _PROCESSED.clear()
    _VOCAB_IRIS.clear()
