"""RDFC-1.0 canonical N-Quads of a JSON-LD document: safe-mode expansion, RDF, bounded RDFC-1.0.

On the fast path a document of a recurring shape is canonicalized from its shape's template
(``templates``): the same lines, without JSON-LD expansion and RDF conversion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civid.core.jsonld import safe, templates
from civid.core.jsonld.fastpath import fastpath_enabled
from civid.core.jsonld.rdfc import DEFAULT_LIMITS, Canonicalized, WorkLimits, canonicalize_dataset


def canonicalize_detailed(document: Mapping[str, Any], limits: WorkLimits = DEFAULT_LIMITS) -> Canonicalized:
    """Canonical N-Quads lines of ``document`` and the blank node labels issued (for selective disclosure)."""
    return canonicalize_dataset(safe.to_rdf(document), limits)


def _canonicalized(document: Mapping[str, Any], limits: WorkLimits) -> Canonicalized:
    """The canonical lines (the labels issued are those of whichever path ran)."""
    if fastpath_enabled():
        return templates.canonicalized(document, limits, canonicalize_detailed)
    return canonicalize_detailed(document, limits)


def canonicalize_nquads_of(
    document: Mapping[str, Any], limits: WorkLimits = DEFAULT_LIMITS
) -> tuple[str, ...]:
    """The sorted canonical N-Quads lines of ``document``, each ending in a newline."""
    return _canonicalized(document, limits).nquads


def canonicalize(document: Mapping[str, Any], limits: WorkLimits = DEFAULT_LIMITS) -> str:
    """The RDFC-1.0 canonical N-Quads document of ``document`` (encode as UTF-8 to hash it).

    Raises ``CividError``: the safe-mode codes (``UNDEFINED_TERM``, ``RELATIVE_IRI``,
    ``PROTECTED_TERM_REDEFINITION``, ``UNKNOWN_CONTEXT``, ``INVALID_CONTEXT``, ``JSONLD_ERROR``,
    ``MALFORMED_DOCUMENT``) or ``POISON_GRAPH`` when the blank nodes need more work than ``limits``.
    """
    return _canonicalized(document, limits).text


def canonicalize_utf8(document: Mapping[str, Any], limits: WorkLimits = DEFAULT_LIMITS) -> bytes:
    """``canonicalize(document, limits)`` encoded as UTF-8 (what a proof hashes); the same errors.

    On the fast path a document of an admitted shape is written as UTF-8 from the start.
    """
    if fastpath_enabled():
        return templates.canonical_utf8(document, limits, canonicalize_detailed)
    return canonicalize_detailed(document, limits).text.encode()


def check_safe_mode(document: Mapping[str, Any]) -> None:
    """Raise the safe-mode ``CividError`` that expanding ``document`` would raise, or nothing.

    A document whose shape has an admitted template (and whose values fit it) passes without being
    expanded; any other goes through ``safe.check``.
    """
    if fastpath_enabled():
        templates.check_safe_mode(document, safe.check, canonicalize_detailed)
        return
    safe.check(document)
