"""Canonical N-Quads for documents of a recurring shape, without JSON-LD expansion or RDF conversion.

For a known shape (``shapes``), the RDF quads of a document are the quads of its skeleton with each
placeholder replaced by its value. A ``Template`` holds those quads once (blank node labels as pyld
issued them for the skeleton); ``render_generic`` substitutes the values, drops duplicate quads
(pyld's node map merges equal nodes and drops equal values) and runs the bounded RDFC-1.0 of
``rdfc`` on them, so the blank node labelling, and the refusal of poison graphs, are computed from
the values as the plain path computes them.

A template also holds the same quads compiled to byte formats (``compiled``), which is what renders
in the normal case: the values escaped and encoded once, each blank node's first-degree quads
hashed, labels issued in hash order, lines filled in and sorted. That is the generic path's own
computation whenever no two quads are equal and all first-degree hashes differ (then RDFC-1.0 runs no
Hash N-Degree Quads, so no work bound can be reached); otherwise the compiled form declines and the
generic path answers, with its work bound and ``POISON_GRAPH``.

A template is built only where that is provably the plain path's answer:

* every placeholder shows up as a whole IRI or a whole literal value and nowhere else (not inside a
  longer IRI, a JSON literal, a datatype or a language tag); none is a predicate, an ``rdf:type``
  object or an ``xsd:double`` literal (pyld rewrites numeric-looking double strings); every value shows
  up; the expanded skeleton has no ``@index`` (node merging could then raise);
* a value in an IRI position must be an absolute IRI by safe mode's test and by pyld's, must not be
  a key of any context the document can use (a term would expand to its own IRI), and has the scheme
  and ``//`` its placeholder had (its shape says so), so expansion leaves it verbatim exactly as it
  left the placeholder; the safe-mode checks then pass on the document as they passed on the
  skeleton (``fits``; ``verbatim_iri`` is that test).

A shape is admitted on its second sighting, after the full path (safe mode included) accepted that
document and the template, rendered with its values, gave the same canonical lines. The table of
shapes is a bounded, thread-safe LRU; templates are immutable, so a template stays right for its
shape once proved, whether the table still holds it or not: within ``one_verification()`` a
document that passed ``check_safe_mode`` on a template is not taken apart again when the same
content is canonicalized (``verification_memo``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Final

from pyld.jsonld import RDF_JSON_LITERAL, RDF_TYPE, XSD_DOUBLE

from civid.core.errors import CividError
from civid.core.jsonld import compiled, safe, shapes
from civid.core.jsonld.memo import LockedLru
from civid.core.jsonld.nquads import escape_literal
from civid.core.jsonld.rdfc import (
    DEFAULT_LIMITS,
    Canonicalized,
    Part,
    Parts,
    WorkLimits,
    canonicalize_prepared,
    part_of,
)
from civid.core.jsonld.shapes import MARKER, Shape, shape_of
from civid.core.jsonld.verification_memo import ScopedMemo

MAX_SHAPES: Final = 256

# Absolute by safe mode's test (``safe.is_absolute_iri``) and by pyld's (no Unicode white space
# either), in one pass: such an IRI is expanded, checked and written to N-Quads verbatim.
_VERBATIM_IRI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\\s]*")
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_REFUSED_ASCII: Final = bytes(range(0x21)) + b'<>"{}|^`\\'
"""The ASCII characters ``_VERBATIM_IRI`` refuses after the scheme (``\\s`` adds no other)."""
_REFUSED_TO_NUL: Final = bytes.maketrans(_REFUSED_ASCII, bytes(len(_REFUSED_ASCII)))
"""A ``bytes.translate`` table that writes every refused character as NUL (itself refused)."""

Term = dict[str, Any]
Full = Callable[[Mapping[str, Any], WorkLimits], Canonicalized]


@dataclass(frozen=True)
class _Fixed:
    term: Term
    part: Part


@dataclass(frozen=True)
class _Slot:
    """A value's place: ``term`` is the placeholder's term; ``suffix`` what follows a literal's quotes."""

    index: int
    term: Term
    suffix: str

    @property
    def literal(self) -> bool:
        return bool(self.term["type"] == "literal")


Position = _Fixed | _Slot


@dataclass(frozen=True)
class _QuadTemplate:
    subject: Position
    predicate: _Fixed
    object: Position
    graph: Position | None


class _Refused(Exception):
    """The skeleton's quads do not prove the template equivalent to the plain path."""


@dataclass(frozen=True)
class Template:
    """The quads of one shape, with value slots."""

    quads: tuple[_QuadTemplate, ...]
    iri_slots: frozenset[int]
    reserved: frozenset[str]
    """Context keys: a value in an IRI position must be none of them."""
    formats: compiled.CompiledTemplate | None = None
    """The same quads as byte formats (``compiled``); None when they cannot be compiled."""

    def fits(self, values: Sequence[str]) -> bool:
        """True when the values keep every IRI position verbatim (see the module notes)."""
        for index in self.iri_slots:
            value = values[index]
            if not verbatim_iri(value) or value in self.reserved:
                return False
        return True

    def render(self, values: Sequence[str], limits: WorkLimits) -> Canonicalized | None:
        """The canonical form of the document with ``values``; None when they do not fit."""
        if not self.fits(values):
            return None
        return self.render_fitting(values, limits)

    def render_fitting(self, values: Sequence[str], limits: WorkLimits) -> Canonicalized:
        """``render`` for values that fit. The compiled form answers when it can (distinct
        first-degree hashes, no duplicate quads); otherwise the quads go through the generic
        bounded RDFC-1.0."""
        if self.formats is not None:
            rendered = self.formats.render(values)
            if rendered is not None:
                return rendered.canonicalized()
        return self.render_generic(values, limits)

    def render_utf8(self, values: Sequence[str], limits: WorkLimits) -> bytes:
        """``render_fitting(...).text`` as UTF-8 (the bytes a proof hashes)."""
        if self.formats is not None:
            rendered = self.formats.render(values)
            if rendered is not None:
                return rendered.utf8
        return self.render_generic(values, limits).text.encode()

    def render_generic(self, values: Sequence[str], limits: WorkLimits) -> Canonicalized:
        """``render`` through pyld quads and the bounded RDFC-1.0 (values that fit)."""
        filled: dict[int, tuple[Term, Part]] = {}

        def at(position: Position) -> tuple[Term, Part]:
            if isinstance(position, _Fixed):
                return position.term, position.part
            found = filled.get(position.index)
            if found is None:
                found = filled[position.index] = _fill(position, values[position.index])
            return found

        prepared: list[tuple[dict[str, Any], Parts]] = []
        seen: set[Parts] = set()
        for quad in self.quads:
            subject, obj = at(quad.subject), at(quad.object)
            graph = None if quad.graph is None else at(quad.graph)
            parts: Parts = (subject[1], quad.predicate.part[0], obj[1], None if graph is None else graph[1])
            if parts in seen:
                continue
            seen.add(parts)
            rdf = {"subject": subject[0], "predicate": quad.predicate.term, "object": obj[0]}
            if graph is not None:
                rdf["name"] = graph[0]
            prepared.append((rdf, parts))
        return canonicalize_prepared(prepared, limits)


def verbatim_iri(value: str) -> bool:
    """``_VERBATIM_IRI.fullmatch(value) is not None``; an ASCII value (a photo data URL, say) is
    scanned by ``bytes.translate`` (a table lookup per byte, then one ``memchr``), many times faster
    than the regular expression engine and about twice as fast as deleting the refused bytes."""
    if value.isascii():
        return _SCHEME.match(value) is not None and b"\0" not in value.encode("ascii").translate(
            _REFUSED_TO_NUL
        )
    return _VERBATIM_IRI.fullmatch(value) is not None


def _fill(slot: _Slot, value: str) -> tuple[Term, Part]:
    term = {**slot.term, "value": value}
    if slot.literal:
        return term, (f'"{escape_literal(value)}"{slot.suffix}', False)
    return term, (f"<{value}>", False)  # fits(): nothing in it N-Quads escapes


# --- building a template from a skeleton ------------------------------------------------------------


def build(shape: Shape) -> Template | None:
    """The template of ``shape``, or None when it cannot be proved equivalent (or fails safe mode)."""
    try:
        expanded = safe.expand(shape.skeleton)
        if _mentions_index(expanded):
            return None
        dataset = safe.rdf_of_expanded(expanded)
        return _Builder(shape).template(dataset)
    except (CividError, _Refused):
        return None


def _mentions_index(node: Any) -> bool:
    if isinstance(node, dict):
        return "@index" in node or any(_mentions_index(v) for v in node.values())
    if isinstance(node, list):
        return any(_mentions_index(item) for item in node)
    return False


class _Builder:
    def __init__(self, shape: Shape) -> None:
        self._shape = shape
        self._slots = {p: i for i, p in enumerate(shape.placeholders)}
        self._kinds: dict[int, bool] = {}

    def template(self, dataset: Mapping[str, list[dict[str, Any]]]) -> Template:
        quads: list[_QuadTemplate] = []
        for graph_name, triples in dataset.items():
            graph = None if graph_name == "@default" else self._position(_graph_term(graph_name))
            for triple in triples:
                predicate = self._position(triple["predicate"])
                obj = self._position(triple["object"])
                if not isinstance(predicate, _Fixed):
                    raise _Refused
                if predicate.term["value"] == RDF_TYPE and isinstance(obj, _Slot):
                    raise _Refused
                quads.append(_QuadTemplate(self._position(triple["subject"]), predicate, obj, graph))
        if set(self._kinds) != set(range(len(self._shape.values))):
            raise _Refused  # a value vanished from the RDF: its effect is not a plain substitution
        iri_slots = frozenset(i for i, literal in self._kinds.items() if not literal)
        patterns = [_pattern(quad) for quad in quads]
        return Template(
            tuple(quads),
            iri_slots,
            shapes.context_keys(self._shape.skeleton),
            compiled.compile_quads(patterns, len(self._shape.values)),
        )

    def _position(self, term: Term) -> Position:
        if not any(isinstance(v, str) and MARKER in v for v in term.values()):
            return _Fixed(term, part_of(term))
        index = self._slots.get(term.get("value", ""))
        kind = term["type"]
        extras = (term.get("datatype"), term.get("language"))
        if index is None or kind not in ("IRI", "literal") or any(e and MARKER in e for e in extras):
            raise _Refused
        literal = kind == "literal"
        if literal and term.get("datatype") in (XSD_DOUBLE, RDF_JSON_LITERAL):
            raise _Refused
        if self._kinds.setdefault(index, literal) != literal:
            raise _Refused
        suffix = part_of(term)[0][len(term["value"]) + 2 :] if literal else ""
        return _Slot(index, term, suffix)


def _pattern(quad: _QuadTemplate) -> compiled.QuadPattern:
    graph = None if quad.graph is None else _compiled_term(quad.graph)
    subject, obj = _compiled_term(quad.subject), _compiled_term(quad.object)
    return compiled.QuadPattern(subject, quad.predicate.part[0], obj, graph)


def _compiled_term(position: Position) -> compiled.Term:
    if isinstance(position, _Slot):
        if position.literal:
            return compiled.LiteralSlot(position.index, position.suffix)
        return compiled.IriSlot(position.index)
    text, blank = position.part
    return compiled.Blank(text) if blank else compiled.Fixed(text)


def _graph_term(name: str) -> Term:
    return {"type": "blank node" if name.startswith("_:") else "IRI", "value": name}


# --- the table of shapes ----------------------------------------------------------------------------


class _Mark:
    def __init__(self, name: str) -> None:
        self.name = name


_SEEN: Final = _Mark("seen once")
_REFUSED: Final = _Mark("not templatable")
_SHAPES: Final[LockedLru[bytes, Template | _Mark]] = LockedLru(MAX_SHAPES)
_BUILDING: Final = threading.Lock()


def canonicalized(document: Mapping[str, Any], limits: WorkLimits, full: Full) -> Canonicalized:
    """The canonical form of ``document``: from its shape's template when there is one, else ``full``.

    ``full`` is the plain canonicalizer; its errors propagate unchanged.
    """
    shape, entry, fitting = _looked_up(document)
    if fitting is not None:
        assert shape is not None
        return fitting.render_fitting(shape.values, limits)
    return _without_template(document, shape, entry, limits, full)


def canonical_utf8(document: Mapping[str, Any], limits: WorkLimits, full: Full) -> bytes:
    """``canonicalized(document, limits, full).text`` encoded as UTF-8."""
    shape, entry, fitting = _looked_up(document)
    if fitting is not None:
        assert shape is not None
        return fitting.render_utf8(shape.values, limits)
    return _without_template(document, shape, entry, limits, full).text.encode()


def _without_template(
    document: Mapping[str, Any],
    shape: Shape | None,
    entry: Template | _Mark | None,
    limits: WorkLimits,
    full: Full,
) -> Canonicalized:
    if shape is None or isinstance(entry, Template):  # not plain data, or values that do not fit
        return full(document, limits)
    result = full(document, limits)
    if entry is None:
        _SHAPES.put(shape.key, _SEEN)
    elif entry is _SEEN:
        _admit(shape, result, limits)
    return result


def check_safe_mode(
    document: Mapping[str, Any], check: Callable[[Mapping[str, Any]], None], full: Full
) -> None:
    """Raise what ``check`` (plain safe mode) raises for ``document``, or nothing.

    A document of an admitted shape whose values fit passes without ``check``. A shape that is only
    ever checked, never canonicalized (a presentation without its credentials), is admitted as
    ``canonicalized`` admits one: on its second sighting, once ``full`` gave the lines it must render.
    """
    shape, entry, fitting = _looked_up(document, remember=True)
    if fitting is not None:
        return
    check(document)
    if shape is None or isinstance(entry, Template) or entry is _REFUSED:
        return
    if entry is None:
        _SHAPES.put(shape.key, _SEEN)
        return
    try:
        expected = full(document, DEFAULT_LIMITS)
    except CividError:  # a poison graph, say: never worth a second try
        _SHAPES.put(shape.key, _REFUSED)
        return
    _admit(shape, expected, DEFAULT_LIMITS)


def fits(document: Mapping[str, Any]) -> bool:
    """True when ``document`` has an admitted shape and its values fit: it passes safe mode."""
    return _looked_up(document)[2] is not None


# --- one verification: a document checked, then hashed, is taken apart once ----------------------

_FOUND: Final[ScopedMemo[tuple[Shape, Template]]] = ScopedMemo("civid_shapes_found", max_entries=16)


def one_verification() -> AbstractContextManager[None]:
    """Within the block, a document that passed ``check_safe_mode`` on its template is not taken
    apart again when the same content is canonicalized (``verification_memo``): a template stays
    valid for its shape once proved, in the table or not, so the answer is the one ``shape_of``
    and the table would give again."""
    return _FOUND.scope()


def _looked_up(
    document: Mapping[str, Any], remember: bool = False
) -> tuple[Shape | None, Template | _Mark | None, Template | None]:
    """``document``'s shape, its table entry, and its template when the values fit it."""
    if type(document) is not dict:
        return None, None, None  # only plain JSON data has a shape
    found = _FOUND.recall(document)
    if found is not None:
        return found[0], found[1], found[1]
    shape = shape_of(document)
    if shape is None:
        return None, None, None
    entry = _SHAPES.get(shape.key)
    if not (isinstance(entry, Template) and entry.fits(shape.values)):
        return shape, entry, None
    if remember:
        _FOUND.remember(document, (shape, entry))
    return shape, entry, entry


def _admit(shape: Shape, expected: Canonicalized, limits: WorkLimits) -> None:
    with _BUILDING:  # one build at a time: a burst of a new shape builds it once
        if _SHAPES.get(shape.key) is not _SEEN:
            return
        template = build(shape)
        if template is None:
            _SHAPES.put(shape.key, _REFUSED)
            return
        try:
            rendered = template.render(shape.values, limits)
        except CividError:
            return
        if rendered is not None:
            _SHAPES.put(shape.key, template if rendered.nquads == expected.nquads else _REFUSED)


def clear() -> None:
    """Forget every shape (tests)."""
    _SHAPES.clear()


def known_shapes() -> int:
    """How many shapes the table holds (admitted or not)."""
    return len(_SHAPES)


def admitted(document: Mapping[str, Any]) -> bool:
    """True when ``document``'s shape has a template (tests and diagnostics)."""
    return template_of(document) is not None


def template_of(document: Mapping[str, Any]) -> Template | None:
    """The template of ``document``'s shape, if admitted (tests and diagnostics)."""
    shape = shape_of(document)
    entry = None if shape is None else _SHAPES.get(shape.key)
    return entry if isinstance(entry, Template) else None
