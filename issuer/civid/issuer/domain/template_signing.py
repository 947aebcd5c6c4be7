"""eddsa-rdfc-2022 signing for documents of a recurring shape, without re-running JSON-LD each time.

The issuer signs thousands of credentials that differ only in their values: the same keys, contexts
and types. RDFC-1.0 of such a document is a pure function of its values once its *shape* is fixed, so
:class:`TemplateSigner` canonicalizes each shape once — with every string value replaced by a unique
placeholder — through the core canonicalizer, and afterwards renders the canonical N-Quads of a
document by putting its escaped values into the placeholders, dropping duplicate lines and sorting.
The bytes hashed and signed are exactly those :func:`civid.core.proofs.dataintegrity.add_proof` would
hash (the tests compare the two on many documents).

A shape is used only when that is provably equivalent, otherwise the document goes through the core
canonicalizer (the result is the same, only slower):

* every placeholder shows up verbatim as a whole literal ``"…"`` or a whole IRI ``<…>`` and nowhere
  else (a value the context would expand or reinterpret, e.g. an ``@vocab`` term, disqualifies it);
* at most one blank node (its label, ``_:c14n0``, cannot depend on the values);
* a value in an IRI position is an absolute IRI with the scheme its placeholder had (so expansion
  treats it the same way) and no character N-Quads would have to escape.

``@context``, ``type`` and a few vocabulary-valued keys are part of the shape, not placeholders.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.crypto.multibase import encode_base58btc
from civid.core.errors import CividError
from civid.core.jsonld import canonicalize, canonicalize_nquads_of
from civid.core.jsonld.nquads import escape_literal
from civid.core.jsonld.safe import is_absolute_iri
from civid.core.proofs.dataintegrity import ProofOptions, add_proof

CRYPTOSUITE: Final = "eddsa-rdfc-2022"
FIXED_KEYS: Final = frozenset({"@context", "type", "@type", "proofPurpose", "statusPurpose", "cryptosuite"})
MAX_SHAPES: Final = 64
_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_BLANK: Final = re.compile(r"_:c14n\d+")


@dataclass(frozen=True)
class _Slot:
    index: int
    iri: bool


Part = str | _Slot


@dataclass(frozen=True)
class _Template:
    """A shape's canonical N-Quads lines split into text and value slots (the shape fixes each
    value's scheme, so an IRI slot only needs a value that N-Quads writes verbatim)."""

    lines: tuple[tuple[Part, ...], ...]
    iri_slots: frozenset[int]

    def render(self, values: list[str]) -> str | None:
        """The canonical N-Quads of the document with ``values``; None when a value rules the shape out."""
        if not all(is_absolute_iri(values[i]) for i in self.iri_slots):
            return None
        escaped = [v if i in self.iri_slots else escape_literal(v) for i, v in enumerate(values)]
        rendered = {
            "".join(p if isinstance(p, str) else escaped[p.index] for p in line) for line in self.lines
        }
        return "".join(sorted(rendered))


def _scheme(value: str) -> str:
    match = _SCHEME.match(value)
    return match.group(1) if match else ""


class TemplateSigner:
    """Signs with eddsa-rdfc-2022 like ``add_proof``, canonicalizing recurring shapes from a template."""

    def __init__(self) -> None:
        self._marker = f"civid-tpl-{secrets.token_hex(8)}-"
        self._lock = threading.Lock()
        self._shapes: dict[str, _Template | None] = {}  # None: this shape needs the full canonicalizer

    def add_proof(
        self, document: Mapping[str, Any], key: Ed25519KeyPair, options: ProofOptions
    ) -> dict[str, Any]:
        """``document`` with a new proof: the same result as the core ``add_proof``."""
        if options.cryptosuite != CRYPTOSUITE or "proof" in document:
            return add_proof(document, key, options)
        config = options.to_json()
        config_document = {**config, "@context": document.get("@context")}
        digest = _sha256(self.canonical(config_document)) + _sha256(self.canonical(document))
        return {**document, "proof": {**config, "proofValue": encode_base58btc(key.sign(digest))}}

    def canonical(self, document: Mapping[str, Any]) -> str:
        """The RDFC-1.0 canonical N-Quads of ``document`` (equal to ``core.jsonld.canonicalize``)."""
        values: list[str] = []
        skeleton = self._skeleton(document, values)
        shape = json.dumps(skeleton, ensure_ascii=False, separators=(",", ":"))
        template = self._template(shape, skeleton, len(values))
        rendered = template.render(values) if template is not None else None
        return rendered if rendered is not None else canonicalize(document)

    def _skeleton(self, node: Any, values: list[str]) -> Any:
        """``node`` with every string value (outside FIXED_KEYS) replaced by a placeholder."""
        if isinstance(node, Mapping):
            return {k: v if k in FIXED_KEYS else self._skeleton(v, values) for k, v in node.items()}
        if isinstance(node, list):
            return [self._skeleton(v, values) for v in node]
        if isinstance(node, str):
            scheme = _scheme(node)
            values.append(node)
            token = f"{self._marker}{len(values) - 1}x"
            return f"{scheme}:{token}" if scheme else token
        return node

    def _template(self, shape: str, skeleton: Any, value_count: int) -> _Template | None:
        with self._lock:
            if shape in self._shapes:
                return self._shapes[shape]
        template = self._build(skeleton, value_count)
        with self._lock:
            if len(self._shapes) < MAX_SHAPES:
                self._shapes[shape] = template
        return template

    def _build(self, skeleton: Any, value_count: int) -> _Template | None:
        try:
            lines = canonicalize_nquads_of(skeleton)
        except CividError:
            return None  # e.g. a placeholder where the context wants a term: never templated
        if len(set(_BLANK.findall("".join(lines)))) > 1:
            return None
        token = rf"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?{self._marker}(\d+)x"
        slot = re.compile(rf'"({token})"|<({token})>')
        parsed = [self._split(line, slot) for line in lines]
        return self._checked(parsed, value_count)

    def _split(self, line: str, slot: re.Pattern[str]) -> tuple[Part, ...]:
        parts: list[Part] = []
        at = 0
        for match in slot.finditer(line):
            iri = match.group(3) is not None
            token_index = int(match.group(4) if iri else match.group(2))
            parts += [line[at : match.start()] + ("<" if iri else '"'), _Slot(token_index, iri)]
            at = match.end() - 1
        parts.append(line[at:])
        return tuple(parts)

    def _checked(self, parsed: list[tuple[Part, ...]], value_count: int) -> _Template | None:
        text = "".join(p for line in parsed for p in line if isinstance(p, str))
        if self._marker in text:
            return None  # a placeholder was rewritten by expansion: not a plain value position
        slots = [p for line in parsed for p in line if isinstance(p, _Slot)]
        kinds = {(s.index, s.iri) for s in slots}
        if {i for i, _ in kinds} != set(range(value_count)) or len(kinds) != value_count:
            return None  # a value vanished, or one value is both a literal and an IRI
        iri_slots = frozenset(i for i, iri in kinds if iri)
        return _Template(tuple(parsed), iri_slots)


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()
