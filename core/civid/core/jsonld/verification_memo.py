"""What one verification already learned about a document, kept for the rest of that verification.

A credential is checked for safe mode and then hashed: the same content, in two fresh ``dict``
copies whose values are the same objects. ``ScopedMemo.scope()`` opens a table private to the block
(a ``ContextVar``; an inner block joins the outer one); ``remember`` files a value under the
document's top-level keys and value identities, with the document's exact content bytes
(``memo.content_key``); ``recall`` finds it by the same index and hands it back only when the
content bytes are equal, so a document changed in between (or a reused identity) is a miss, never a
wrong hit. Indexing by identity makes a miss cheap (no content bytes are computed). At most
``max_entries`` are kept; nothing outlives the block.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from contextlib import AbstractContextManager
from contextvars import ContextVar, Token
from typing import Any, Generic, TypeVar

from civid.core.jsonld.memo import content_key

V = TypeVar("V")


class ScopedMemo(Generic[V]):
    """Values remembered for documents within one ``scope()`` block."""

    def __init__(self, name: str, max_entries: int) -> None:
        self._table: ContextVar[dict[Hashable, tuple[bytes, V]] | None] = ContextVar(name, default=None)
        self._max_entries = max_entries

    def scope(self) -> AbstractContextManager[None]:
        """Within the block, ``remember`` keeps values for ``recall`` (an inner block joins)."""
        return _Scope(self._table)

    def recall(self, document: Mapping[str, Any]) -> V | None:
        """The value remembered for a document with exactly this content, or None."""
        table = self._table.get()
        if not table:
            return None
        found = table.get(_index(document))
        if found is None or content_key(document) != found[0]:
            return None
        return found[1]

    def remember(self, document: Mapping[str, Any], value: V) -> None:
        """Keep ``value`` for ``document`` until the block ends (outside a block: nothing)."""
        table = self._table.get()
        if table is None or len(table) >= self._max_entries:
            return
        content = content_key(document)
        if content is not None:
            table[_index(document)] = (content, value)


class _Scope(Generic[V]):
    """``ScopedMemo.scope()``'s block: a plain context manager (cheaper than a generator-based one)."""

    __slots__ = ("_table", "_token")

    def __init__(self, table: ContextVar[dict[Hashable, tuple[bytes, V]] | None]) -> None:
        self._table = table
        self._token: Token[dict[Hashable, tuple[bytes, V]] | None] | None = None

    def __enter__(self) -> None:
        if self._table.get() is None:  # an inner block joins the outer one's table
            self._token = self._table.set({})

    def __exit__(self, *_exc: object) -> None:
        if self._token is not None:
            self._table.reset(self._token)
            self._token = None


def _index(document: Mapping[str, Any]) -> Hashable:
    return (tuple(document), tuple(map(id, document.values())))
