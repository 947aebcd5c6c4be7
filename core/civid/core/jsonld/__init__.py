"""JSON-LD for civid: offline contexts, safe-mode expansion and bounded RDFC-1.0 canonicalization."""

from civid.core.jsonld.canonical import (
    canonicalize,
    canonicalize_detailed,
    canonicalize_nquads_of,
    canonicalize_utf8,
    check_safe_mode,
)
from civid.core.jsonld.loader import context_sha256, document_loader, known_context_urls, load_context
from civid.core.jsonld.rdfc import DEFAULT_LIMITS, Canonicalized, WorkLimits
from civid.core.jsonld.safe import expand, to_rdf

__all__ = [
    "DEFAULT_LIMITS",
    "Canonicalized",
    "WorkLimits",
    "canonicalize",
    "canonicalize_detailed",
    "canonicalize_nquads_of",
    "canonicalize_utf8",
    "check_safe_mode",
    "context_sha256",
    "document_loader",
    "expand",
    "known_context_urls",
    "load_context",
    "to_rdf",
]
