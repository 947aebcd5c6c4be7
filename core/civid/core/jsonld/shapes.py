"""The *shape* of a JSON-LD document: everything but its string values, as an exact key.

Documents a system signs and verifies by the thousand (a national-ID credential, a presentation of
one, their proof configurations) differ only in their string values. ``shape_of`` replaces every
string value by a *mark* that keeps what JSON-LD expansion can see of it without knowing the
value: its scheme and whether ``//`` follows it (compact-IRI expansion depends on exactly that). The
rest is the shape and is kept verbatim: keys, numbers, booleans, nulls, ``@context`` and every other
keyword's value except ``@id``/``@value`` and the containers, and the values of ``FIXED_KEYS``
(``type`` and a few vocabulary-valued properties, which select terms and scoped contexts).

A mark is a 1-tuple ``(prefix,)``: plain JSON data holds no tuple, so a mark stands for a value and
nothing else. The key is the marked skeleton's ``marshal`` bytes, so ``1``, ``1.0`` and ``True``,
lists and key order are all told apart; the values are listed in document order, so a mark's place
in the skeleton says which value it stands for. ``Shape.skeleton`` turns the marks into placeholder
strings (``placeholder``) for the one-time JSON-LD processing of a new shape. Only plain JSON data
has a shape (``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``, ``None``; string keys).
"""

from __future__ import annotations

import functools
import marshal
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from civid.core.jsonld.loader import known_context_urls, load_context

MARKER: Final = f"civid-tpl-{secrets.token_hex(8)}-"
"""Begins every placeholder; random per process, so no document can forge one."""

FIXED_KEYS: Final = frozenset({"type", "proofPurpose", "statusPurpose", "cryptosuite"})
_VALUE_KEYWORDS: Final = frozenset(
    {"@id", "@value", "@graph", "@list", "@set", "@included", "@reverse", "@nest"}
)
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_SCALARS: Final = (int, float, bool)
_MARSHAL_VERSION: Final = 2
_NO_SCHEME: Final = ("",)


@dataclass(frozen=True)
class Shape:
    """A document taken apart: its shape key, its marked skeleton and its string values in order."""

    key: bytes
    marked: dict[str, Any]
    values: tuple[str, ...]

    @property
    def skeleton(self) -> dict[str, Any]:
        """The document with each value replaced by its placeholder (a fresh copy each time)."""
        counter = iter(range(len(self.values)))
        skeleton: dict[str, Any] = _placeholders(self.marked, counter)
        return skeleton

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The placeholder that stands for each value in the skeleton."""
        return tuple(placeholder(value, index) for index, value in enumerate(self.values))


class _NotPlain(Exception):
    """The document holds something other than plain JSON data."""


def mark(value: str) -> tuple[str]:
    """What the skeleton keeps of a value: ``(scheme:[//],)``, or ``("",)`` without a scheme."""
    if ":" not in value:
        return _NO_SCHEME
    match = _SCHEME.match(value)
    if match is None:
        return _NO_SCHEME
    end = match.end()
    return (value[: end + 2],) if value.startswith("//", end) else (value[:end],)


def placeholder(value: str, index: int) -> str:
    """The stand-in for the ``index``-th value: ``[scheme:[//]]MARKER<index>x``."""
    return f"{mark(value)[0]}{MARKER}{index}x"


def shape_of(document: Mapping[str, Any]) -> Shape | None:
    """The shape of ``document``, or None when it is not plain JSON data."""
    if type(document) is not dict:
        return None
    values: list[str] = []
    try:
        marked = _object(document, values)
    except _NotPlain:
        return None
    return Shape(marshal.dumps(marked, _MARSHAL_VERSION), marked, tuple(values))


def _object(node: dict[Any, Any], values: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if type(key) is not str:
            raise _NotPlain
        kind = type(value)
        if key in FIXED_KEYS or (key[:1] == "@" and key not in _VALUE_KEYWORDS):
            if kind is not str:
                _require_plain(value)
            out[key] = value
        elif kind is str:
            values.append(value)
            out[key] = mark(value) if ":" in value else _NO_SCHEME
        elif kind is dict:
            out[key] = _object(value, values)
        elif kind is list:
            out[key] = _list(value, values)
        elif value is None or kind in _SCALARS:
            out[key] = value
        else:
            raise _NotPlain
    return out


def _list(items: list[Any], values: list[str]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        kind = type(item)
        if kind is str:
            values.append(item)
            out.append(mark(item) if ":" in item else _NO_SCHEME)
        elif kind is dict:
            out.append(_object(item, values))
        elif kind is list:
            out.append(_list(item, values))
        elif item is None or kind in _SCALARS:
            out.append(item)
        else:
            raise _NotPlain
    return out


def _require_plain(node: Any) -> None:
    kind = type(node)
    if kind is dict:
        for key, value in node.items():
            if type(key) is not str:
                raise _NotPlain
            _require_plain(value)
    elif kind is list:
        for item in node:
            if type(item) is not str:
                _require_plain(item)
    elif not (node is None or kind is str or kind in _SCALARS):
        raise _NotPlain


def _placeholders(node: Any, counter: Any) -> Any:
    """A copy of a marked skeleton with each mark replaced by its numbered placeholder; verbatim
    parts hold no tuple, so every tuple met is a mark."""
    if type(node) is tuple:
        return f"{node[0]}{MARKER}{next(counter)}x"
    if type(node) is dict:
        return {key: _placeholders(value, counter) for key, value in node.items()}
    if type(node) is list:
        return [_placeholders(item, counter) for item in node]
    return node


def context_keys(document: Mapping[str, Any]) -> frozenset[str]:
    """Every key of every context the document can use (its inline ones and every shipped one):
    a superset of the terms that could give a value in an IRI position a meaning of its own."""
    keys: set[str] = set(_shipped_context_keys())
    _collect_inline(document, keys)
    return frozenset(keys)


@functools.cache
def _shipped_context_keys() -> frozenset[str]:
    keys: set[str] = set()
    for url in known_context_urls():
        _collect_keys(load_context(url), keys)
    return frozenset(keys)


def _collect_inline(node: Any, keys: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                _collect_keys(value, keys)
            else:
                _collect_inline(value, keys)
    elif isinstance(node, list):
        for item in node:
            _collect_inline(item, keys)


def _collect_keys(node: Any, keys: set[str]) -> None:
    if isinstance(node, dict):
        keys.update(node)
        for value in node.values():
            _collect_keys(value, keys)
    elif isinstance(node, list):
        for item in node:
            _collect_keys(item, keys)
