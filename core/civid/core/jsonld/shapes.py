"""The *shape* of a JSON-LD document: everything but its string values, as an exact key.

Documents a system signs and verifies by the thousand (a national-ID credential, a presentation of
one, their proof configurations) differ only in their string values. ``shape_of`` replaces every
string value by a placeholder that keeps what JSON-LD expansion can see of it without knowing the
value: its scheme and whether ``//`` follows it (compact-IRI expansion depends on exactly that). The
rest is the shape and is kept verbatim: keys, numbers, booleans, nulls, ``@context`` and every other
keyword's value except ``@id``/``@value`` and the containers, and the values of ``FIXED_KEYS``
(``type`` and a few vocabulary-valued properties, which select terms and scoped contexts).

The key is the skeleton's ``marshal`` bytes, so ``1``, ``1.0`` and ``True``, lists and key order are
all told apart. Only plain JSON data has a shape (``dict``, ``list``, ``str``, ``int``, ``float``,
``bool``, ``None``; string keys).
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


@dataclass(frozen=True)
class Shape:
    """A document taken apart: its shape key, its skeleton and its string values in document order."""

    key: bytes
    skeleton: dict[str, Any]
    values: tuple[str, ...]

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The placeholder that stands for each value in the skeleton."""
        return tuple(placeholder(value, index) for index, value in enumerate(self.values))


class _NotPlain(Exception):
    """The document holds something other than plain JSON data."""


def placeholder(value: str, index: int) -> str:
    """The stand-in for the ``index``-th value: ``[scheme:[//]]MARKER<index>x``."""
    match = _SCHEME.match(value)
    if match is None:
        return f"{MARKER}{index}x"
    prefix = match.group()
    if value.startswith("//", match.end()):
        prefix += "//"
    return f"{prefix}{MARKER}{index}x"


def shape_of(document: Mapping[str, Any]) -> Shape | None:
    """The shape of ``document``, or None when it is not plain JSON data."""
    if type(document) is not dict:
        return None
    values: list[str] = []
    try:
        skeleton = _object(document, values)
    except _NotPlain:
        return None
    return Shape(marshal.dumps(skeleton, _MARSHAL_VERSION), skeleton, tuple(values))


def _object(node: dict[Any, Any], values: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if type(key) is not str:
            raise _NotPlain
        if key in FIXED_KEYS or (key[:1] == "@" and key not in _VALUE_KEYWORDS):
            _require_plain(value)
            out[key] = value
        else:
            out[key] = _skeleton(value, values)
    return out


def _skeleton(node: Any, values: list[str]) -> Any:
    kind = type(node)
    if kind is str:
        values.append(node)
        return placeholder(node, len(values) - 1)
    if kind is dict:
        return _object(node, values)
    if kind is list:
        return [_skeleton(item, values) for item in node]
    if node is None or kind in _SCALARS:
        return node
    raise _NotPlain


def _require_plain(node: Any) -> None:
    kind = type(node)
    if kind is dict:
        for key, value in node.items():
            if type(key) is not str:
                raise _NotPlain
            _require_plain(value)
    elif kind is list:
        for item in node:
            _require_plain(item)
    elif not (node is None or kind is str or kind in _SCALARS):
        raise _NotPlain


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
