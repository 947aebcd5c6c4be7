"""An offline DID resolver: did:key by computation, every other DID only from configured documents.

Verifiers build one from their trust configuration (controller documents as dicts or JSON files) and
never go to the network. The set of known documents is fixed at construction; did:key documents are
derived on demand and kept in a bounded LRU cache, since verifying presentations meets many holders.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from civid.core.crypto.keys import Ed25519PublicKey
from civid.core.did.document import ControllerDocument, VerificationMethod, parse_controller_document
from civid.core.did.key import DID_KEY_PREFIX, DID_KEY_RELATIONSHIPS, public_key_of_did_key, resolve_did_key
from civid.core.errors import CividError, ErrorCode

DEFAULT_DID_KEY_CACHE_SIZE: Final = 4096


@dataclass(frozen=True)
class ResolvedMethod:
    """A verification method that is authorized for the purpose it was resolved for."""

    id: str
    controller: str
    public_key: Ed25519PublicKey


class DidResolver:
    """Resolves DIDs and verification methods offline; immutable after construction."""

    __slots__ = ("_did_key", "_documents", "_originals")

    def __init__(
        self,
        documents: Iterable[Mapping[str, Any]] = (),
        *,
        did_key_cache_size: int = DEFAULT_DID_KEY_CACHE_SIZE,
    ) -> None:
        parsed, originals = _index(documents)
        self._documents: Mapping[str, ControllerDocument]
        self._originals: Mapping[str, Mapping[str, Any]]
        self._did_key: functools._lru_cache_wrapper[ControllerDocument]
        object.__setattr__(self, "_documents", MappingProxyType(parsed))
        object.__setattr__(self, "_originals", MappingProxyType(originals))
        cached = functools.lru_cache(maxsize=did_key_cache_size)(_did_key_controller)
        object.__setattr__(self, "_did_key", cached)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    @classmethod
    def from_files(cls, paths: Iterable[str | Path], **kwargs: Any) -> DidResolver:
        """Load controller documents from JSON files (OSError propagates for unreadable files)."""
        return cls([_load_json(Path(p)) for p in paths], **kwargs)

    @property
    def configured_ids(self) -> frozenset[str]:
        """Ids of the configured (non-did:key) controller documents."""
        return frozenset(self._documents)

    def did_key_cache_info(self) -> functools._CacheInfo:
        """Hits, misses and size of the did:key cache (for metrics and tests)."""
        return self._did_key.cache_info()

    def resolve_document(self, did: str) -> ControllerDocument:
        """The parsed controller document for ``did``; DID_NOT_RESOLVED when unknown."""
        if did.startswith(DID_KEY_PREFIX):
            return self._did_key(did)
        found = self._documents.get(did)
        if found is None:
            raise CividError(ErrorCode.DID_NOT_RESOLVED, f"{did} is not a did:key and is not configured")
        return found

    def resolve(self, did: str) -> dict[str, Any]:
        """The DID document of ``did`` as JSON data (a fresh copy)."""
        if did.startswith(DID_KEY_PREFIX):
            return resolve_did_key(did)
        self.resolve_document(did)
        return copy.deepcopy(dict(self._originals[did]))

    def resolve_verification_method(self, vm_url: str, purpose: str) -> ResolvedMethod:
        """Dereference ``vm_url`` and check it is authorized for ``purpose`` by its controller.

        Raises DID_NOT_RESOLVED, VERIFICATION_METHOD_NOT_FOUND (also for a bare DID without a
        fragment), INVALID_KEY (unsupported key type) or VERIFICATION_METHOD_NOT_AUTHORIZED.
        """
        did, method = self._dereference(vm_url)
        if method.controller != did.id:
            raise CividError(
                ErrorCode.VERIFICATION_METHOD_NOT_AUTHORIZED,
                f"{vm_url} is controlled by {method.controller}, not by {did.id}",
            )
        if not did.authorizes(method.id, purpose):
            raise CividError(
                ErrorCode.VERIFICATION_METHOD_NOT_AUTHORIZED,
                f"{vm_url} is not listed under {purpose!r} of {did.id}",
            )
        return ResolvedMethod(method.id, method.controller, method.public_key)

    def _dereference(self, vm_url: str) -> tuple[ControllerDocument, VerificationMethod]:
        if not isinstance(vm_url, str):
            raise CividError(ErrorCode.VERIFICATION_METHOD_NOT_FOUND, "verification method must be a string")
        base, sep, fragment = vm_url.partition("#")
        if not sep or not fragment:
            raise CividError(
                ErrorCode.VERIFICATION_METHOD_NOT_FOUND,
                f"{vm_url!r} is not a verification method URL (it needs a #fragment)",
            )
        document = self.resolve_document(base)
        return document, document.method(vm_url)


def _index(
    documents: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, ControllerDocument], dict[str, Mapping[str, Any]]]:
    parsed: dict[str, ControllerDocument] = {}
    originals: dict[str, Mapping[str, Any]] = {}
    for document in documents:
        controller = parse_controller_document(document)
        if controller.id.startswith(DID_KEY_PREFIX):
            raise CividError(ErrorCode.INVALID_DID, f"did:key documents are derived: {controller.id}")
        if controller.id in parsed:
            raise CividError(ErrorCode.MALFORMED_DOCUMENT, f"two documents for {controller.id}")
        parsed[controller.id] = controller
        originals[controller.id] = copy.deepcopy(dict(document))
    return parsed, originals


def _did_key_controller(did: str) -> ControllerDocument:
    public_key = public_key_of_did_key(did)
    method_id = f"{did}#{did[len(DID_KEY_PREFIX) :]}"  # base58 is canonical: the suffix is the multikey
    method = VerificationMethod(method_id, "Multikey", did, public_key)
    allowed = frozenset({method_id})
    return ControllerDocument(
        did,
        MappingProxyType({method_id: method}),
        MappingProxyType({}),
        MappingProxyType(dict.fromkeys(DID_KEY_RELATIONSHIPS, allowed)),
    )


def _load_json(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CividError(ErrorCode.MALFORMED_DOCUMENT, f"{path}: not a JSON document: {exc}") from exc
    if not isinstance(data, dict):
        raise CividError(ErrorCode.MALFORMED_DOCUMENT, f"{path}: a controller document must be a JSON object")
    return data
