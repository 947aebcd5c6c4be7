"""pyld's ``_graph_to_rdf`` with its per-triple checks done once per node and per property.

pyld tests the subject and the predicate for being absolute IRIs again for every value (through an
uncompiled regular expression) although neither changes inside the loop. This is the same
algorithm with those tests hoisted: the same triples, in the same order, as fresh dicts. The two
commonest objects (a plain or language-tagged string literal, a node reference) are converted
here as pyld's ``_object_to_rdf`` converts them; every other object goes to pyld.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from pyld.jsonld import KEYWORDS, RDF_LANGSTRING, RDF_TYPE, XSD_DOUBLE, XSD_STRING

# pyld's own test, compiled once (``re.match`` with ``^...$``, as pyld calls it).
_PYLD_ABSOLUTE_IRI: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_KEYWORDS: Final = frozenset(KEYWORDS)

ObjectToRdf = Callable[[Any, Any, list[dict[str, Any]], Mapping[str, Any]], Any]


def is_pyld_absolute_iri(value: Any) -> bool:
    """pyld's ``_is_absolute_iri`` (which also accepts blank node identifiers)."""
    return isinstance(value, str) and _PYLD_ABSOLUTE_IRI.match(value) is not None


def object_to_rdf(
    item: Any, issuer: Any, triples: list[dict[str, Any]], options: Mapping[str, Any], pyld: ObjectToRdf
) -> Any:
    """pyld's ``_object_to_rdf`` (``pyld``) with its two commonest cases done directly."""
    if type(item) is dict and options.get("rdfDirection") is None:
        if "@value" in item:
            value, datatype = item["@value"], item.get("@type")
            if type(value) is str and datatype != "@json" and datatype != XSD_DOUBLE:
                if "@language" in item:
                    language = item["@language"]
                    return {
                        "type": "literal",
                        "value": value,
                        "datatype": datatype or RDF_LANGSTRING,
                        "language": language,
                    }
                return {"type": "literal", "value": value, "datatype": datatype or XSD_STRING}
        elif "@list" not in item:
            id_ = item.get("@id")
            if type(id_) is str:
                if id_.startswith("_:"):
                    return {"type": "blank node", "value": id_}
                return {"type": "IRI", "value": id_} if is_pyld_absolute_iri(id_) else None
    return pyld(item, issuer, triples, options)


def graph_to_rdf(
    graph: Mapping[str, Any], issuer: Any, options: Mapping[str, Any], pyld_object_to_rdf: ObjectToRdf
) -> list[dict[str, Any]]:
    """The RDF triples of one node-map graph, exactly as pyld's ``_graph_to_rdf`` makes them."""
    triples: list[dict[str, Any]] = []
    generalized = options["produceGeneralizedRdf"]
    for id_, node in sorted(graph.items()):
        if not is_pyld_absolute_iri(id_):
            continue  # pyld skips every value of a relative subject
        subject_type = "blank node" if id_.startswith("_:") else "IRI"
        for property_, items in sorted(node.items()):
            if property_ == "@type":
                property_ = RDF_TYPE
            elif property_ in _KEYWORDS:
                continue
            if not is_pyld_absolute_iri(property_):
                continue
            predicate_type = "IRI"
            if property_.startswith("_:"):
                if not generalized:
                    continue
                predicate_type = "blank node"
            for item in items:
                obj = object_to_rdf(item, issuer, triples, options, pyld_object_to_rdf)
                if obj is not None:
                    triples.append(
                        {
                            "subject": {"type": subject_type, "value": id_},
                            "predicate": {"type": predicate_type, "value": property_},
                            "object": obj,
                        }
                    )
    return triples
