"""Parse DID / controller documents (Controlled Identifiers 1.0) into frozen values.

Supported verification method types: ``Multikey`` and the legacy ``Ed25519VerificationKey2020``, both
with an Ed25519 ``publicKeyMultibase`` (header ``0xed01``). Methods of other types or key kinds are kept
as *unsupported* with the reason, so one foreign key does not make a whole document unusable.
Relative ids such as ``#key-1`` are resolved against the document ``id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from civid.core.crypto.keys import Ed25519PublicKey
from civid.core.errors import CividError, ErrorCode

SUPPORTED_METHOD_TYPES: Final = frozenset({"Multikey", "Ed25519VerificationKey2020"})
RELATIONSHIPS: Final = (
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
)


@dataclass(frozen=True)
class VerificationMethod:
    """A usable Ed25519 verification method."""

    id: str
    type: str
    controller: str
    public_key: Ed25519PublicKey


@dataclass(frozen=True)
class ControllerDocument:
    """A parsed controller document: its methods and which methods each relationship authorizes."""

    id: str
    methods: Mapping[str, VerificationMethod]
    unsupported: Mapping[str, str]
    relationships: Mapping[str, frozenset[str]]

    def method(self, method_id: str) -> VerificationMethod:
        """The method with this absolute id; VERIFICATION_METHOD_NOT_FOUND or INVALID_KEY otherwise."""
        found = self.methods.get(method_id)
        if found is not None:
            return found
        if method_id in self.unsupported:
            raise CividError(ErrorCode.INVALID_KEY, f"{method_id}: {self.unsupported[method_id]}")
        raise CividError(ErrorCode.VERIFICATION_METHOD_NOT_FOUND, f"{self.id} has no method {method_id}")

    def authorizes(self, method_id: str, purpose: str) -> bool:
        """True when ``method_id`` is listed (by reference or embedded) under ``purpose``."""
        return method_id in self.relationships.get(purpose, frozenset())


def parse_controller_document(document: Mapping[str, Any]) -> ControllerDocument:
    """Parse a DID/controller document given as JSON data."""
    if not isinstance(document, Mapping):
        raise _malformed("a controller document must be a JSON object")
    doc_id = _document_id(document.get("id"))
    methods: dict[str, VerificationMethod] = {}
    unsupported: dict[str, str] = {}
    for entry in _as_list(document.get("verificationMethod", []), "verificationMethod"):
        _add_method(doc_id, entry, methods, unsupported)
    relationships: dict[str, frozenset[str]] = {}
    for name in RELATIONSHIPS:
        ids: set[str] = set()
        for entry in _as_list(document.get(name, []), name):
            if isinstance(entry, str):
                ids.add(absolute_id(doc_id, entry))
            else:
                ids.add(_add_method(doc_id, entry, methods, unsupported))
        relationships[name] = frozenset(ids)
    return ControllerDocument(
        doc_id, MappingProxyType(methods), MappingProxyType(unsupported), MappingProxyType(relationships)
    )


def parse_verification_method(doc_id: str, entry: Mapping[str, Any]) -> VerificationMethod:
    """Parse one verification method object; INVALID_KEY when its type or key is not usable."""
    method_id, method_type, controller = _method_header(doc_id, entry)
    if method_type not in SUPPORTED_METHOD_TYPES:
        raise CividError(ErrorCode.INVALID_KEY, f"verification method type {method_type!r} is not supported")
    multibase = entry.get("publicKeyMultibase")
    if not isinstance(multibase, str):
        raise CividError(ErrorCode.INVALID_KEY, f"{method_id} has no publicKeyMultibase string")
    return VerificationMethod(method_id, method_type, controller, Ed25519PublicKey.from_multikey(multibase))


def absolute_id(doc_id: str, ref: str) -> str:
    """Resolve ``#fragment`` against the document id; other ids must be absolute."""
    if ref.startswith("#") and len(ref) > 1:
        return doc_id + ref
    if ":" not in ref or ref.startswith(":"):
        raise _malformed(f"verification method reference is not absolute: {ref!r}")
    return ref


def _add_method(
    doc_id: str, entry: Any, methods: dict[str, VerificationMethod], unsupported: dict[str, str]
) -> str:
    if not isinstance(entry, Mapping):
        raise _malformed("a verification method must be an object or a reference")
    method_id = _method_header(doc_id, entry)[0]
    if method_id in methods or method_id in unsupported:
        raise _malformed(f"verification method {method_id} is defined twice")
    try:
        methods[method_id] = parse_verification_method(doc_id, entry)
    except CividError as exc:
        if exc.code is not ErrorCode.INVALID_KEY:
            raise
        unsupported[method_id] = exc.message
    return method_id


def _method_header(doc_id: str, entry: Mapping[str, Any]) -> tuple[str, str, str]:
    raw_id, method_type, controller = entry.get("id"), entry.get("type"), entry.get("controller")
    if not isinstance(raw_id, str) or not isinstance(method_type, str) or not isinstance(controller, str):
        raise _malformed("a verification method needs string id, type, controller")
    method_id = absolute_id(doc_id, raw_id)
    if not method_id.startswith(doc_id + "#"):
        raise _malformed(f"method {method_id} does not belong to {doc_id}")
    return method_id, method_type, absolute_id(doc_id, controller)


def _document_id(value: Any) -> str:
    if not isinstance(value, str) or ":" not in value or any(c in value for c in "#? \t\n"):
        raise CividError(ErrorCode.INVALID_DID, f"controller document id must be an absolute URL: {value!r}")
    return value


def _as_list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise _malformed(f"{name} must be an array")
    return value


def _malformed(message: str) -> CividError:
    return CividError(ErrorCode.MALFORMED_DOCUMENT, message)
