"""RDFC-1.0 over a pyld RDF dataset, with a bound on the work a "poison graph" can demand.

RDFC-1.0 is exponential on graphs with many blank nodes that first-degree hashing cannot tell
apart. As Digital Bazaar's rdf-canonize does, the number of Hash N-Degree Quads calls is capped at
(number of non-unique blank nodes) ** ``max_work_factor`` (1 by default, rdf-canonize's default,
so we refuse exactly what a peer would refuse); a wall-clock deadline is the backstop. Either
limit raises ``POISON_GRAPH``.

pyld's ``URDNA2015`` supplies Hash N-Degree Quads and Hash Related Blank Node; this subclass
replaces the main algorithm (single pass, as RDFC-1.0 and rdf-canonize run it; a quad that names
the same blank node twice is listed once) and the first-degree hash, both on the canonical
escaping of ``nquads``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld.fastpath import fastpath_enabled
from civid.core.jsonld.nquads import serialize_quad, serialize_term

Quad = dict[str, Any]
Dataset = Mapping[str, list[dict[str, Any]]]
_BLANK = "blank node"
_NODE_POSITIONS = ("subject", "object", "name")


@dataclass(frozen=True)
class WorkLimits:
    """How much canonicalization work one document may ask for."""

    max_work_factor: int = 1
    """Hash N-Degree Quads calls allowed = (non-unique blank nodes) ** this."""
    max_deep_iterations: int | None = None
    """An exact cap on Hash N-Degree Quads calls; overrides ``max_work_factor``."""
    deadline_s: float = 0.5
    """Backstop: refuse when the deep phase runs longer than this."""


DEFAULT_LIMITS = WorkLimits()


@dataclass(frozen=True)
class Canonicalized:
    """The canonical N-Quads lines (sorted, each ending in a newline) and the labels issued."""

    nquads: tuple[str, ...]
    issued: Mapping[str, str]
    """Input blank node identifier -> canonical identifier (``_:c14nN``), in issue order."""

    @property
    def text(self) -> str:
        return "".join(self.nquads)


class _Issuer(IdentifierIssuer):  # type: ignore[misc]
    """pyld's issuer with a cheap copy (pyld deep-copies one per permutation)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Issuer:
        clone = _Issuer(self.prefix)
        clone.counter = self.counter
        clone.existing = dict(self.existing)
        clone.order = list(self.order)
        return clone


class _BoundedRdfc10(URDNA2015):  # type: ignore[misc]
    def __init__(self, limits: WorkLimits) -> None:
        super().__init__()
        self._limits = limits
        self._remaining = 0
        self._deadline = 0.0

    def run(self, dataset: Dataset) -> Canonicalized:
        return self._run(_quads_of(dataset))

    def _run(self, quads: list[Quad]) -> Canonicalized:
        self.quads = quads
        self._index_blank_nodes()
        non_unique = self._issue_unique_first_degree()
        self._start_budget(sum(len(ids) for ids in non_unique))
        for ids in non_unique:
            self._issue_by_n_degree(ids)
        lines = sorted(self._serialize_canonical(quad) for quad in self.quads)
        issued = {old: self.canonical_issuer.existing[old] for old in self.canonical_issuer.order}
        return Canonicalized(tuple(lines), issued)

    def _index_blank_nodes(self) -> None:
        for quad in self.quads:
            for position in _NODE_POSITIONS:
                term = quad.get(position)
                if term is not None and term["type"] == _BLANK:
                    listed = self.blank_node_info.setdefault(term["value"], {"quads": []})["quads"]
                    if not listed or listed[-1] is not quad:
                        listed.append(quad)

    def _issue_unique_first_degree(self) -> list[list[str]]:
        by_hash: dict[str, list[str]] = {}
        for id_ in self.blank_node_info:
            by_hash.setdefault(self.hash_first_degree_quads(id_), []).append(id_)
        non_unique: list[list[str]] = []
        for _hash, ids in sorted(by_hash.items()):
            if len(ids) > 1:
                non_unique.append(ids)
            else:
                self.canonical_issuer.get_id(ids[0])
        return non_unique

    def _start_budget(self, non_unique_count: int) -> None:
        limits = self._limits
        if limits.max_deep_iterations is not None:
            self._remaining = limits.max_deep_iterations
        else:
            self._remaining = non_unique_count**limits.max_work_factor
        self._deadline = time.monotonic() + limits.deadline_s

    def _issue_by_n_degree(self, ids: list[str]) -> None:
        results = []
        for id_ in ids:
            if self.canonical_issuer.has_id(id_):
                continue
            issuer = _Issuer("_:b")
            issuer.get_id(id_)
            results.append(self.hash_n_degree_quads(id_, issuer))
        for result in sorted(results, key=lambda r: str(r["hash"])):
            for existing in result["issuer"].order:
                self.canonical_issuer.get_id(existing)

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> dict[str, Any]:
        if self._remaining <= 0:
            raise CividError(
                ErrorCode.POISON_GRAPH,
                "blank nodes too alike to canonicalize within the work limit (a poison graph?)",
            )
        if time.monotonic() > self._deadline:
            raise CividError(ErrorCode.POISON_GRAPH, "canonicalization ran past its deadline")
        self._remaining -= 1
        result: dict[str, Any] = super().hash_n_degree_quads(id_, issuer)
        return result

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        cached: str | None = info.get("hash")
        if cached is not None:
            return cached
        lines = sorted(_serialize_first_degree(quad, id_) for quad in info["quads"])
        digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        info["hash"] = digest
        return digest

    def _serialize_canonical(self, quad: Quad) -> str:
        def term(position: str) -> str | None:
            component = quad.get(position)
            if component is None:
                return None
            if component["type"] == _BLANK:
                return str(self.canonical_issuer.get_id(component["value"]))
            return serialize_term(component)

        subject, obj = term("subject"), term("object")
        assert subject is not None and obj is not None
        return serialize_quad(subject, quad["predicate"], obj, term("name"))


def _quads_of(dataset: Dataset) -> list[Quad]:
    quads: list[Quad] = []
    for graph_name, triples in dataset.items():
        name = None
        if graph_name != "@default":
            name = {"type": _BLANK if graph_name.startswith("_:") else "IRI", "value": graph_name}
        for triple in triples:
            quad = {key: triple[key] for key in ("subject", "predicate", "object")}
            if name is not None:
                quad["name"] = name
            quads.append(quad)
    return quads


def _serialize_first_degree(quad: Quad, reference: str) -> str:
    def term(position: str) -> str | None:
        component = quad.get(position)
        if component is None:
            return None
        if component["type"] == _BLANK:
            return "_:a" if component["value"] == reference else "_:z"
        return serialize_term(component)

    subject, obj = term("subject"), term("object")
    assert subject is not None and obj is not None
    return serialize_quad(subject, quad["predicate"], obj, term("name"))


# One quad position: (its serialized term, False) or, for a blank node, (its label, True).
Part = tuple[str, bool]
Parts = tuple[Part, str, Part, Part | None]
"""A quad as (subject, serialized predicate, object, graph name or None)."""
_Part = Part
_Parts = Parts


def _part(component: Mapping[str, Any]) -> _Part:
    if component["type"] == _BLANK:
        return (component["value"], True)
    return (serialize_term(component), False)


def _text(part: _Part, label: Callable[[str], str]) -> str:
    value, blank = part
    return label(value) if blank else value


def _line(parts: _Parts, label: Callable[[str], str]) -> str:
    """One N-Quads line, blank nodes written as ``label`` names them."""
    subject, predicate, obj, graph = parts
    if graph is None:
        return f"{_text(subject, label)} {predicate} {_text(obj, label)} .\n"
    return f"{_text(subject, label)} {predicate} {_text(obj, label)} {_text(graph, label)} .\n"


class _PreparedRdfc10(_BoundedRdfc10):
    """The same algorithm with every IRI and literal serialized once per quad, not once per line
    it appears in (the fast path)."""

    def run(self, dataset: Dataset) -> Canonicalized:
        self._parts: dict[int, _Parts] = {}
        return super().run(dataset)

    def run_prepared(self, quads: Sequence[tuple[Quad, Parts]]) -> Canonicalized:
        self._parts = {id(quad): parts for quad, parts in quads}
        return self._run([quad for quad, _ in quads])

    def _parts_of(self, quad: Quad) -> _Parts:
        parts = self._parts.get(id(quad))
        if parts is None:
            name = quad.get("name")
            graph = None if name is None else _part(name)
            parts = (_part(quad["subject"]), serialize_term(quad["predicate"]), _part(quad["object"]), graph)
            self._parts[id(quad)] = parts
        return parts

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        cached: str | None = info.get("hash")
        if cached is not None:
            return cached

        def label(blank: str) -> str:
            return "_:a" if blank == id_ else "_:z"

        lines = sorted(_line(self._parts_of(quad), label) for quad in info["quads"])
        digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        info["hash"] = digest
        return digest

    def _serialize_canonical(self, quad: Quad) -> str:
        return _line(self._parts_of(quad), self._canonical_label)

    def _canonical_label(self, blank: str) -> str:
        return str(self.canonical_issuer.get_id(blank))


def canonicalize_dataset(dataset: Dataset, limits: WorkLimits = DEFAULT_LIMITS) -> Canonicalized:
    """RDFC-1.0 canonical form of a pyld RDF dataset (``jsonld.to_rdf`` output, not modified)."""
    if fastpath_enabled():
        return _PreparedRdfc10(limits).run(dataset)
    return _BoundedRdfc10(limits).run(dataset)


def canonicalize_prepared(
    quads: Sequence[tuple[Quad, Parts]], limits: WorkLimits = DEFAULT_LIMITS
) -> Canonicalized:
    """RDFC-1.0 canonical form of distinct quads given with their serialized parts (``templates``).

    Each quad is a pyld quad dict (``subject``, ``predicate``, ``object``, optional ``name``) and
    ``parts`` is its serialization as ``part_of`` makes it; the same work bound applies.
    """
    return _PreparedRdfc10(limits).run_prepared(quads)


def part_of(component: Mapping[str, Any]) -> Part:
    """A quad position serialized once: (term text, False), or (blank node label, True)."""
    return _part(component)
