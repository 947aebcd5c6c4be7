"""Inline ``$ref`` once, so validation never resolves a reference at run time.

Our schemas only ``$ref`` into ``$defs`` of our own shipped schemas and never with sibling keywords,
so replacing each reference by (an inlined copy of) its target validates exactly as resolving it
would: the same keywords in the same order, hence the same errors at the same instance paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin


def inline_refs(url: str, schemas: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The schema ``url`` with every ``$ref`` (into ``schemas``) replaced by its target."""
    inlined = _inline(schemas[url], url, schemas, ())
    assert isinstance(inlined, dict)
    return inlined


def _inline(node: Any, base: str, schemas: Mapping[str, Mapping[str, Any]], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(item, base, schemas, seen) for item in node]
    if not isinstance(node, Mapping):
        return node
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return {key: _inline(value, base, schemas, seen) for key, value in node.items()}
    if len(node) != 1:
        raise ValueError(f"$ref {ref!r} has sibling keywords; inlining would change its meaning")
    target = urljoin(base, ref)
    if target in seen:
        raise ValueError(f"$ref {target!r} is recursive and cannot be inlined")
    document, _, pointer = target.partition("#")
    return _inline(_pointer(schemas[document], pointer), document, schemas, (*seen, target))


def _pointer(document: Mapping[str, Any], pointer: str) -> Any:
    """The value at a JSON Pointer (RFC 6901) fragment such as ``/$defs/date``."""
    found: Any = document
    for token in pointer.split("/")[1:] if pointer else []:
        key = token.replace("~1", "/").replace("~0", "~")
        found = found[int(key)] if isinstance(found, list) else found[key]
    return found
