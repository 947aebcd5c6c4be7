"""Canonical N-Quads serialization as RDFC-1.0 §5 requires (canonical N-Triples form).

pyld escapes only ``\\ \t \n \r "`` in literals and writes other control characters raw, so a
literal holding U+0001 or U+007F canonicalizes differently from other implementations. Here a
literal escapes ``\b \t \n \f \r " \\`` as ECHAR and every other U+0000-U+001F and U+007F as
``\\uXXXX`` (upper-case hex); an IRI escapes U+0000-U+0020 and ``<>"{}|^`\\`` as ``\\uXXXX``,
as Digital Bazaar's rdf-canonize does.

Terms use pyld's RDF dataset shape: ``{"type": "IRI" | "blank node" | "literal", "value": ...,
"datatype": ..., "language": ...}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

RDF_LANGSTRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"

_LITERAL_SPECIAL = re.compile(r'[\x00-\x1f\x7f"\\]')
_IRI_SPECIAL = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ECHAR: Final = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}

Term = Mapping[str, Any]


def _uchar(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04X}"


def _literal_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ECHAR.get(char) or _uchar(match)


def escape_literal(value: str) -> str:
    """The lexical form of a literal as canonical N-Quads writes it between quotes."""
    if _LITERAL_SPECIAL.search(value) is None:
        return value
    return _LITERAL_SPECIAL.sub(_literal_char, value)


def escape_iri(value: str) -> str:
    """An IRI as canonical N-Quads writes it between angle brackets."""
    if _IRI_SPECIAL.search(value) is None:
        return value
    return _IRI_SPECIAL.sub(_uchar, value)


def serialize_term(term: Term) -> str:
    """One subject, predicate, object or graph-name term."""
    kind = term["type"]
    if kind == "IRI":
        return f"<{escape_iri(term['value'])}>"
    if kind == "blank node":
        return str(term["value"])
    text = f'"{escape_literal(term["value"])}"'
    datatype = term.get("datatype", XSD_STRING)
    if datatype == RDF_LANGSTRING:
        language = term.get("language")
        return f"{text}@{language}" if language else text
    if datatype != XSD_STRING:
        return f"{text}^^<{escape_iri(datatype)}>"
    return text


def serialize_quad(subject: str, predicate: Term, obj: str, graph: str | None) -> str:
    """One canonical N-Quads line; ``subject``, ``obj`` and ``graph`` are already serialized terms."""
    if graph is None:
        return f"{subject} {serialize_term(predicate)} {obj} .\n"
    return f"{subject} {serialize_term(predicate)} {obj} {graph} .\n"
