"""A quick "fits" from jsonschema-rs; jsonschema stays the judge of everything else.

jsonschema (pure Python) took ~0.45 ms to find a national-ID credential valid, mostly in its own
machinery; jsonschema-rs (Rust) takes ~0.04 ms. :func:`fast_validator` gives a check that may only
ever say *fits* where jsonschema says so too: :func:`civid.core.schemas.validate_credential` accepts a
credential on its *fits* and otherwise asks jsonschema, whose answer and message stand as before
(so a credential the fast check refuses but jsonschema accepts is still accepted).

Where the two engines differ, the fast side is made the stricter one, or the schema is left to
jsonschema alone (:func:`fast_validator` returns None):

* values: jsonschema-rs takes a tuple for an array, jsonschema does not; the fast check runs only on
  plain JSON values (``dict`` with ``str`` keys, ``list``, ``str``, ``int``, ``float``, ``bool``,
  ``None``, exactly these types) and only when jsonschema-rs can read them (it raises otherwise);
* ``pattern``: Python's ``\\s`` also matches U+001C–U+001F and U+0085, Rust's does not, so the fast
  schema spells ``\\s`` out as Python's set; a pattern with any other class escape (``\\d``, ``\\w``,
  ``\\b``, ``\\p``, …) keeps the schema off the fast path. (Python's ``$`` also matches before a final
  newline and Rust's does not: the fast side is stricter there, which is allowed.)
* ``format: date``: jsonschema (``date.fromisoformat``) refuses the year 0000, jsonschema-rs takes it:
  the fast schema also requires the value not to start with ``0000``; any other format keeps the
  schema off the fast path;
* keywords: only those in :data:`KEYWORDS` (what civid's schemas use), ``type`` naming only
  :data:`TYPES`, ``const`` and ``enum`` with strings only; anything else keeps the schema off the
  fast path, and so does a ``$ref`` (the schemas given here have theirs inlined).

tests/core/test_schemas_fastcheck.py checks the fast side against jsonschema on mutated credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import jsonschema_rs

KEYWORDS: Final = frozenset(
    {
        "$schema", "$id", "$defs", "title", "description", "examples",
        "type", "const", "enum", "required", "properties", "additionalProperties",
        "prefixItems", "items", "contains", "minItems", "uniqueItems",
        "allOf", "oneOf", "minLength", "pattern", "format",
    }
)  # fmt: skip
TYPES: Final = frozenset({"string", "object", "array", "boolean", "null"})  # no number semantics to match
_SUBSCHEMA: Final = frozenset({"items", "contains", "additionalProperties"})
_SUBSCHEMA_LISTS: Final = frozenset({"prefixItems", "allOf", "oneOf"})
_SUBSCHEMA_MAPS: Final = frozenset({"properties", "$defs"})
# Every character Python's re counts as \s in a str pattern, as ranges for a character class.
_PY_SPACE: Final = "\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_NOT_YEAR_ZERO: Final = {"not": {"pattern": "^0000"}}


class Unsupported(ValueError):
    """The schema uses something the fast check cannot match jsonschema on."""


def fast_validator(schema: Mapping[str, Any]) -> Callable[[Any], bool] | None:
    """A check that says True only for instances jsonschema finds valid against ``schema`` (a schema
    with its references inlined); None when ``schema`` uses something it cannot judge alike."""
    try:
        rust_schema = _schema(schema)
    except Unsupported:
        return None
    validator = jsonschema_rs.validator_for(rust_schema, validate_formats=True)

    def fits(instance: Any) -> bool:
        if not _plain_json(instance):
            return False
        try:
            return bool(validator.is_valid(instance))
        except (ValueError, TypeError, OverflowError):  # a value jsonschema-rs cannot read
            return False

    return fits


def _schema(node: Any) -> Any:
    if isinstance(node, bool):
        return node
    if not isinstance(node, Mapping):
        raise Unsupported(f"not a schema: {node!r}")
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in KEYWORDS:
            raise Unsupported(f"keyword {key!r}")
        if key in _SUBSCHEMA:
            out[key] = _schema(value)
        elif key in _SUBSCHEMA_LISTS:
            out[key] = [_schema(item) for item in value]
        elif key in _SUBSCHEMA_MAPS:
            out[key] = {name: _schema(item) for name, item in value.items()}
        elif key == "pattern":
            out[key] = rust_pattern(value)
        elif key == "format":
            if value != "date":
                raise Unsupported(f"format {value!r}")
            out[key] = value
        elif key == "type":
            named = [value] if isinstance(value, str) else list(value)
            if not set(named) <= TYPES:
                raise Unsupported(f"type {value!r}")
            out[key] = value
        elif key in ("const", "enum"):
            if not all(isinstance(v, str) for v in ([value] if key == "const" else value)):
                raise Unsupported(f"{key} {value!r}: strings only")
            out[key] = value
        else:
            out[key] = value
    if node.get("format") == "date":
        out["allOf"] = [*out.get("allOf", []), _NOT_YEAR_ZERO]
    return out


def rust_pattern(pattern: str) -> str:
    """``pattern`` with Python's ``\\s`` spelled out, for the Rust engine (Unsupported: another class
    escape, or ``\\S`` inside a class)."""
    out: list[str] = []
    in_class = False
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if escaped == "s":
                out.append(_PY_SPACE if in_class else f"[{_PY_SPACE}]")
            elif escaped == "S" and not in_class:
                out.append(f"[^{_PY_SPACE}]")
            elif escaped and not escaped.isalnum():
                out.append("\\" + escaped)
            else:
                raise Unsupported(f"escape \\{escaped} in {pattern!r}")
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
    return "".join(out)


def _plain_json(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is bool or kind is int or kind is float or value is None:
        return True
    if kind is dict:
        return all(type(k) is str and _plain_json(v) for k, v in value.items())
    if kind is list:
        return all(_plain_json(item) for item in value)
    return False
