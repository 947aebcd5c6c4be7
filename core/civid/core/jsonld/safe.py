"""JSON-LD safe mode (VC Data Integrity §2.4.3): expansion that refuses to lose or bend data.

pyld drops a property with no term definition, keeps an undefined ``type`` value as a relative
IRI that RDF conversion then drops, and resolves relative IRIs against a made-up base; a
signature would then not cover what the reader sees. Here expansion runs with no base, every
dropped property raises ``UNDEFINED_TERM``, and the expanded form is walked:

- ``@type`` values must be absolute IRIs: a bare word is an ``UNDEFINED_TERM``, anything else
  ``RELATIVE_IRI``;
- ``@id`` values (IRI-typed values included) must be absolute IRIs or blank node identifiers
  (``RELATIVE_IRI``);
- property IRIs must be absolute, not blank nodes (``UNDEFINED_TERM``).

Context failures map to ``UNKNOWN_CONTEXT``, ``PROTECTED_TERM_REDEFINITION`` or ``INVALID_CONTEXT``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any, Final

from cachetools import LRUCache
from frozendict import frozendict
from pyld import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer
from pyld.jsonld import JsonLdProcessor
from pyld.jsonld import _is_absolute_iri as is_pyld_absolute_iri

from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld import context_memo, expansion_memo, fast_rdf, subtree_memo
from civid.core.jsonld.fastpath import fastpath_enabled
from civid.core.jsonld.loader import document_loader
from civid.core.jsonld.memo import content_key, plain_copy
from civid.core.jsonld.pyld_errors import call_pyld

Dataset = dict[str, list[dict[str, Any]]]

# RFC 3987 scheme, then no character N-Quads forbids inside <...>.
_ABSOLUTE_IRI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*")
_BARE_TERM: Final = re.compile(r"[^:/#?\s]+")
_LANGUAGE_TAG: Final = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_CONTAINERS: Final = ("@graph", "@list", "@set", "@included")


class _LockedLRUCache(LRUCache[str, Any]):
    """An LRU cache safe to share between threads (cachetools' own is not)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize=maxsize)
        self._lock = threading.RLock()

    def __getitem__(self, key: str) -> Any:
        with self._lock:
            return super().__getitem__(key)

    def __setitem__(self, key: str, value: Any) -> None:
        with self._lock:
            super().__setitem__(key, value)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return super().get(key, default)


# Processed contexts live here, apart from pyld's module cache other code might fill.
_RESOLVED_CONTEXTS: Final[LRUCache[str, Any]] = _LockedLRUCache(maxsize=256)


def is_absolute_iri(value: str) -> bool:
    """True for an absolute IRI that canonical N-Quads can carry as is."""
    return _ABSOLUTE_IRI.fullmatch(value) is not None


def is_blank_node_id(value: str) -> bool:
    return value.startswith("_:") and len(value) > 2


def check_type_value(value: Any) -> None:
    """An expanded ``@type`` value must be an absolute IRI."""
    if not isinstance(value, str):
        raise CividError(ErrorCode.JSONLD_ERROR, f"@type value {value!r} is not a string")
    if is_absolute_iri(value):
        return
    if _BARE_TERM.fullmatch(value):
        raise CividError(ErrorCode.UNDEFINED_TERM, f"type {value!r} has no definition in the @context")
    raise CividError(ErrorCode.RELATIVE_IRI, f"type {value!r} is not an absolute IRI")


def check_id_value(value: Any) -> None:
    """An expanded ``@id`` value must be an absolute IRI or a blank node identifier."""
    if not isinstance(value, str):
        raise CividError(ErrorCode.JSONLD_ERROR, f"@id value {value!r} is not a string")
    if not (is_absolute_iri(value) or is_blank_node_id(value)):
        raise CividError(ErrorCode.RELATIVE_IRI, f"identifier {value!r} is not an absolute IRI")


def check_property(key: str) -> None:
    """An expanded property must be a keyword or an absolute IRI."""
    if key.startswith("@"):
        return
    if not is_absolute_iri(key):
        raise CividError(ErrorCode.UNDEFINED_TERM, f"property {key!r} does not expand to an absolute IRI")


def check_language(value: Any) -> None:
    if not isinstance(value, str) or _LANGUAGE_TAG.fullmatch(value) is None:
        raise CividError(ErrorCode.JSONLD_ERROR, f"@language {value!r} is not a well-formed language tag")


def refuse_dropped_property(expanded: str | None) -> None:
    """pyld's on-property-dropped hook: safe mode never lets a property vanish."""
    name = repr(expanded) if expanded else "a keyword-like key"
    raise CividError(ErrorCode.UNDEFINED_TERM, f"property {name} has no definition in the @context")


def check_expanded(element: Any) -> None:
    """Walk expanded JSON-LD and apply the checks above everywhere."""
    if isinstance(element, list):
        for item in element:
            check_expanded(item)
    elif isinstance(element, dict):
        _check_object(element)


def _check_object(node: Mapping[str, Any]) -> None:
    if "@value" in node:
        _check_value_object(node)
        return
    if "@id" in node:
        check_id_value(node["@id"])
    for type_value in node.get("@type", ()):
        check_type_value(type_value)
    for key, value in node.items():
        if key == "@reverse":
            for reverse_key, reverse_value in value.items():
                check_property(reverse_key)
                check_expanded(reverse_value)
        elif key in _CONTAINERS or not key.startswith("@"):
            check_property(key)
            check_expanded(value)


def _check_value_object(node: Mapping[str, Any]) -> None:
    datatype = node.get("@type")
    if datatype is not None and datatype != "@json":
        check_type_value(datatype)
    if "@language" in node:
        check_language(node["@language"])


class _OwnedCopy(dict[str, Any]):
    """A private copy of the input: pyld's own deep copy of it becomes a shallow one."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return dict(self)


def _private_input(input_: Any) -> Any:
    """The input as pyld's ``expand`` should receive it on the fast path: copied in C."""
    if type(input_) is not dict:
        return input_
    copied = plain_copy(input_)
    return input_ if copied is None else _OwnedCopy(copied)


def _frozen_id(ctx: Any) -> str | None:
    if not isinstance(ctx, frozendict):
        return None
    uuid = ctx.get("_uuid")
    return uuid if isinstance(uuid, str) else None


def _subtree_key(
    active_ctx: Any,
    active_property: Any,
    element: Any,
    options: Mapping[str, Any],
    flags: tuple[bool, bool],
    type_scoped_ctx: Any,
) -> tuple[Any, ...] | None:
    """The exact inputs of expanding one nested node object, or None when not worth pinning."""
    if type(element) is not dict or len(element) < _SUBTREE_MIN_KEYS or not isinstance(active_property, str):
        return None
    ctx_id = _frozen_id(active_ctx)
    scoped_id = None if type_scoped_ctx is None else _frozen_id(type_scoped_ctx)
    if ctx_id is None or (type_scoped_ctx is not None and scoped_id is None):
        return None
    content = content_key(element)
    if content is None:
        return None
    settings = tuple(options.get(name) for name in _EXPANSION_OPTIONS)
    return (ctx_id, scoped_id, active_property, content, flags, settings)


_SUBTREE_MIN_KEYS: Final = 3
_EXPANSION_OPTIONS: Final = ("base", "processingMode", "isFrame", "keepFreeFloatingNodes")


class _SafeProcessor(JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with the safe-mode checks applied to every expansion it does.

    With ``fast``: processed contexts (type-scoped ones included) are memoized across documents
    (see ``context_memo``); the input is copied in C rather than by ``copy.deepcopy``; inside a
    ``subtree_memo.verification_scope()`` an identical nested node object is expanded once.
    """

    def __init__(self, fast: bool) -> None:
        super().__init__(on_property_dropped=refuse_dropped_property)
        self._fast = fast

    def expand(self, input_: Any, options: dict[str, Any]) -> list[Any]:
        if self._fast:
            input_ = _private_input(input_)
        expanded: list[Any] = super().expand(input_, options)
        check_expanded(expanded)
        return expanded

    def _expand(
        self,
        active_ctx: Any,
        active_property: Any,
        element: Any,
        options: Any,
        inside_list: bool = False,
        inside_index: bool = False,
        type_scoped_ctx: Any = None,
    ) -> Any:
        key = None
        if self._fast and subtree_memo.active():
            flags = (inside_list, inside_index)
            key = _subtree_key(active_ctx, active_property, element, options, flags, type_scoped_ctx)
        if key is None:
            return super()._expand(
                active_ctx, active_property, element, options, inside_list, inside_index, type_scoped_ctx
            )

        def expand() -> Any:
            return super(_SafeProcessor, self)._expand(
                active_ctx, active_property, element, options, inside_list, inside_index, type_scoped_ctx
            )

        return subtree_memo.expanded(key, expand)

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: set[str] | None = None,
    ) -> Any:
        def process() -> Any:
            return super(_SafeProcessor, self)._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )

        if not self._fast or cycles is not None:
            return process()
        flags = (override_protected, propagate, validate_scoped)
        return context_memo.processed(active_ctx, local_ctx, flags, options, process)

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        key = None
        if self._fast and vocab and local_ctx is None and defined is None:
            key = context_memo.vocab_key(active_ctx, value, base)
        if key is None:
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        found = context_memo.known_vocab_iri(key)
        if found is not None:
            return found[0]
        iri = super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        context_memo.remember_vocab_iri(key, iri)
        return iri

    def _graph_to_rdf(self, graph: Any, issuer: Any, options: dict[str, Any]) -> list[dict[str, Any]]:
        if not self._fast:
            triples: list[dict[str, Any]] = super()._graph_to_rdf(graph, issuer, options)
            return triples
        return fast_rdf.graph_to_rdf(graph, issuer, options, self._object_to_rdf)

    def dataset_of(self, expanded: list[Any], options: dict[str, Any]) -> Dataset:
        """The RDF dataset of an already expanded (and checked) document: pyld's ``to_rdf`` after
        its expansion step, unchanged."""
        issuer = IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        self._create_node_map(expanded, node_map, "@default", issuer)
        dataset: Dataset = {}
        for graph_name, graph in sorted(node_map.items()):
            if graph_name == "@default" or is_pyld_absolute_iri(graph_name):
                dataset[graph_name] = self._graph_to_rdf(graph, issuer, options)
        return dataset


def _options() -> dict[str, Any]:
    return {
        "base": None,
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_RESOLVED_CONTEXTS, document_loader),
        "processingMode": "json-ld-1.1",
    }


def _require_document(document: Any) -> None:
    if not isinstance(document, dict):
        raise CividError(ErrorCode.MALFORMED_DOCUMENT, "a JSON-LD document must be a JSON object")


def _expand(document: Mapping[str, Any], fast: bool) -> list[Any]:
    _require_document(document)
    result: list[Any] = call_pyld(lambda: _SafeProcessor(fast).expand(document, _options()))
    return result


def expand(document: Mapping[str, Any]) -> list[Any]:
    """Safe-mode JSON-LD expansion of ``document`` (not modified) with the offline loader."""
    return _expand(document, fastpath_enabled())


def check(document: Mapping[str, Any]) -> None:
    """Raise the safe-mode ``CividError`` that ``expand`` would raise, or nothing.

    On the fast path the expanded form is kept (briefly, for this thread) so that canonicalizing
    the same document next does not expand it again.
    """
    fast = fastpath_enabled()
    expanded = _expand(document, fast)
    if fast:
        expansion_memo.keep(document, expanded)


def to_rdf(document: Mapping[str, Any]) -> Dataset:
    """Safe-mode expansion, then the RDF dataset (pyld's shape: graph name -> list of triples)."""
    _require_document(document)
    options = {**_options(), "produceGeneralizedRdf": False}
    fast = fastpath_enabled()
    processor = _SafeProcessor(fast)
    expanded = expansion_memo.take(document) if fast else None
    if expanded is not None:
        kept = expanded
        return call_pyld(lambda: processor.dataset_of(kept, options))
    result: Dataset = call_pyld(lambda: processor.to_rdf(document, options))
    return result


def rdf_of_expanded(expanded: list[Any]) -> Dataset:
    """The RDF dataset of a document already expanded (and checked) by ``expand``."""
    options = {**_options(), "produceGeneralizedRdf": False}
    processor = _SafeProcessor(fastpath_enabled())
    result: Dataset = call_pyld(lambda: processor.dataset_of(expanded, options))
    return result
