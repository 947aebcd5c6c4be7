"""A shape template compiled to byte formats: canonical N-Quads from values in a few C calls.

The blank nodes of a template are fixed by its shape (values only fill IRI and literal slots), so
everything about them but their hashes is known when the template is built:

* ``lines`` formats every quad's N-Quads line, the fixed terms already serialized, with a field
  per value slot and a field per blank node (its canonical label);
* ``first_degree`` formats, per blank node, its first-degree quads (RDFC-1.0 §4.6: the quads that
  mention it, once each, itself written ``_:a`` and every other blank node ``_:z``).

``render`` escapes each literal value once and encodes every value to UTF-8, fills each blank
node's first-degree lines, sorts and hashes them, and, when every hash is distinct, issues
``_:c14n0``… in hash order (what RDFC-1.0 issues when no blank node needs Hash N-Degree Quads, so
no work bound can be reached), fills the lines with those labels and sorts them. A lone blank node
(a proof configuration, most credentials) is ``_:c14n0`` whatever its hash: it is not hashed. It declines
(returns None, and the caller runs the generic RDFC-1.0 with its work bound) when two first-degree
hashes are equal, when the values make two quads equal (the plain path keeps such a quad once,
which changes the hashes; canonical labels are one-to-one and a line says which quad it is, so two
quads are equal exactly when two lines are, and sorted lines put them side by side), or when a value cannot be encoded (a lone
surrogate: the plain path raises that error where it encodes the whole document).

Everything is UTF-8 bytes, whose order is code point order, so lines sort as the plain path's
strings sort. Lines are split on ``\\n`` and sorted without it: the fixed text of a compiled
template holds no character up to ``\\n`` (``compile_quads`` refuses one that does) and no value
can bring one (literals escape every control character, an IRI slot's value holds none, UTF-8
writes other characters with bytes from 0x80), so each line is cut whole and orders as it would
with its newline.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from civid.core.jsonld.nquads import escape_literal
from civid.core.jsonld.rdfc import Canonicalized

_SHA256: Final = hashlib.sha256


@dataclass(frozen=True)
class Rendered:
    """A canonical N-Quads document as UTF-8, and the labels issued (skeleton label -> canonical)."""

    utf8: bytes
    issued: Mapping[str, str]

    def canonicalized(self) -> Canonicalized:
        lines = self.utf8.decode().split("\n")
        lines.pop()  # after the last newline
        return Canonicalized(tuple([line + "\n" for line in lines]), self.issued)


@dataclass(frozen=True)
class _Format:
    """A ``bytes %`` pattern and the argument each of its ``%s`` takes, in order."""

    pattern: bytes
    fields: tuple[int, ...]
    pick: Callable[[Sequence[bytes]], tuple[bytes, ...]]

    def fill(self, args: Sequence[bytes]) -> bytes:
        if len(self.fields) == 1:
            return self.pattern % (args[self.fields[0]],)
        return self.pattern % self.pick(args)


def _format(pieces: Sequence[str | int]) -> _Format:
    """Literal text (``str``) and fields (argument numbers) as one ``_Format``."""
    pattern = "".join("%s" if isinstance(p, int) else p.replace("%", "%%") for p in pieces).encode()
    fields = tuple(p for p in pieces if isinstance(p, int))
    pick: Callable[[Sequence[bytes]], tuple[bytes, ...]] = (
        operator.itemgetter(*fields) if fields else _no_args
    )
    return _Format(pattern, fields, pick)


def _no_args(args: Sequence[bytes]) -> tuple[()]:
    return ()


@dataclass(frozen=True)
class Fixed:
    """A term the shape fixes, serialized (an IRI or a literal)."""

    text: str


@dataclass(frozen=True)
class Blank:
    """A blank node, by the label pyld gave it in the skeleton."""

    label: str


@dataclass(frozen=True)
class IriSlot:
    """The value at ``index`` as an IRI (written verbatim: the template's ``fits`` saw to it)."""

    index: int


@dataclass(frozen=True)
class LiteralSlot:
    """The value at ``index`` as a literal; ``suffix`` follows the closing quote (datatype, language)."""

    index: int
    suffix: str


Term = Fixed | Blank | IriSlot | LiteralSlot


@dataclass(frozen=True)
class QuadPattern:
    """One quad of a template; ``predicate`` is serialized."""

    subject: Term
    predicate: str
    object: Term
    graph: Term | None


@dataclass(frozen=True)
class CompiledTemplate:
    """Byte formats for one template's canonical lines (see the module notes)."""

    literal_slots: tuple[int, ...]
    blanks: tuple[str, ...]
    """Skeleton labels; blank node ``k`` is argument ``value_count + k`` of ``lines``."""
    lines: _Format
    first_degree: tuple[tuple[_Format, bool], ...]
    """Per blank node: its first-degree lines and whether there is more than one."""

    def render(self, values: Sequence[str]) -> Rendered | None:
        """The canonical document with ``values`` (which fit the template); None to decline."""
        texts = _escaped(values, self.literal_slots)
        try:
            args = [text.encode() for text in texts]
        except UnicodeEncodeError:
            return None
        if len(self.blanks) < 2:  # one blank node (or none) is labelled without hashing
            return self._written(args, [b"_:c14n0"] * len(self.blanks), dict.fromkeys(self.blanks, "_:c14n0"))
        hashes: list[str] = []
        for lines_of, several in self.first_degree:
            data = lines_of.fill(args)
            if several:
                lines = data.split(b"\n")
                lines.sort()
                data = b"\n".join(lines)
            hashes.append(_SHA256(data + b"\n").hexdigest())
        if len(set(hashes)) != len(hashes):
            return None  # Hash N-Degree Quads needed: the generic path, with its work bound
        labels = [b""] * len(hashes)
        issued: dict[str, str] = {}
        for rank, k in enumerate(sorted(range(len(hashes)), key=hashes.__getitem__)):
            label = f"_:c14n{rank}"
            labels[k] = label.encode()
            issued[self.blanks[k]] = label
        return self._written(args, labels, issued)

    def _written(self, args: list[bytes], labels: list[bytes], issued: dict[str, str]) -> Rendered | None:
        lines = self.lines.fill(args + labels).split(b"\n")
        lines.sort()
        if any(map(operator.eq, lines, lines[1:])):
            return None  # two equal quads: the plain path lists such a quad once
        lines.append(b"")
        return Rendered(b"\n".join(lines), issued)


def _escaped(values: Sequence[str], literal_slots: tuple[int, ...]) -> list[str]:
    texts = list(values)
    if literal_slots:
        joined = "".join([texts[i] for i in literal_slots])
        if len(escape_literal(joined)) != len(joined):  # escaping only ever lengthens
            for i in literal_slots:
                texts[i] = escape_literal(texts[i])
    return texts


# --- compiling -----------------------------------------------------------------------------------


def compile_quads(quads: Sequence[QuadPattern], value_count: int) -> CompiledTemplate | None:
    """The compiled form of quads over ``value_count`` values, or None when there are none
    (the empty document has no line to cut), or when their fixed text holds a character up to
    ``\\n`` (its lines could not be cut and sorted as text) or one UTF-8 cannot encode."""
    texts = [text for quad in quads for text in _fixed_texts(quad)]
    if not quads or any(_unsplittable(text) for text in texts):
        return None
    try:
        "".join(texts).encode()
    except UnicodeEncodeError:  # a lone surrogate: the plain path raises where it encodes
        return None
    mentioning: dict[str, list[QuadPattern]] = {}  # each blank node's quads, in order, once each
    for quad in quads:
        for label in dict.fromkeys(t.label for t in _node_terms(quad) if isinstance(t, Blank)):
            mentioning.setdefault(label, []).append(quad)
    blanks = {label: k for k, label in enumerate(mentioning)}
    literal_slots = sorted(
        {t.index for quad in quads for t in _node_terms(quad) if isinstance(t, LiteralSlot)}
    )

    def pieces(term: Term, blank: str | None) -> list[str | int]:
        if isinstance(term, Blank):
            if blank is None:
                return [value_count + blanks[term.label]]
            return ["_:a" if term.label == blank else "_:z"]
        if isinstance(term, IriSlot):
            return ["<", term.index, ">"]
        if isinstance(term, LiteralSlot):
            return ['"', term.index, '"' + term.suffix]
        return [term.text]

    def line(quad: QuadPattern, blank: str | None) -> list[str | int]:
        out = [*pieces(quad.subject, blank), f" {quad.predicate} ", *pieces(quad.object, blank)]
        if quad.graph is not None:
            out += [" ", *pieces(quad.graph, blank)]
        return [*out, " ."]

    def joined(quads_: Sequence[QuadPattern], blank: str | None) -> _Format:
        out: list[str | int] = []
        for i, quad in enumerate(quads_):
            out += line(quad, blank) if i == 0 else ["\n", *line(quad, blank)]
        return _format(out)

    first_degree = [(joined(quads_, label), len(quads_) > 1) for label, quads_ in mentioning.items()]
    return CompiledTemplate(
        literal_slots=tuple(literal_slots),
        blanks=tuple(blanks),
        lines=joined(quads, None),
        first_degree=tuple(first_degree),
    )


def _node_terms(quad: QuadPattern) -> tuple[Term, ...]:
    return (quad.subject, quad.object) if quad.graph is None else (quad.subject, quad.object, quad.graph)


def _fixed_texts(quad: QuadPattern) -> list[str]:
    texts = [quad.predicate]
    for term in _node_terms(quad):
        if isinstance(term, Fixed):
            texts.append(term.text)
        elif isinstance(term, Blank):
            texts.append(term.label)
        elif isinstance(term, LiteralSlot):
            texts.append(term.suffix)
    return texts


def _unsplittable(text: str) -> bool:
    return any(char <= "\n" for char in text)
