"""did:web identifiers and the DID documents our issuer publishes.

``did:web:<host>[%3A<port>][:<path>…]`` lives at ``https://<host>[:<port>]/.well-known/did.json`` (no
path) or ``https://<host>[:<port>]/<path…>/did.json``. Verifiers never fetch it while verifying: they
load the document from their trust configuration (see :mod:`civid.core.did.resolver`).

Documents use the contexts did/v1 + multikey/v1 rather than did/v1.1: it is the form did:key
documents take, the contexts are final Recommendations-track versions every implementation ships
(Digital Bazaar's loaders included), and multikey/v1 defines ``Multikey`` and
``publicKeyMultibase``, which did/v1 alone does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import quote, unquote

from civid.core.crypto.keys import Ed25519PublicKey
from civid.core.errors import CividError, ErrorCode

DID_WEB_PREFIX: Final = "did:web:"
DID_WEB_CONTEXT: Final = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
DEFAULT_RELATIONSHIPS: Final = ("assertionMethod", "authentication")

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST: Final = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PORT: Final = re.compile(r"[0-9]{1,5}")
_FRAGMENT: Final = re.compile(r"[A-Za-z0-9._~-]+")


def did_web_for(host: str, path: Sequence[str] = ()) -> str:
    """The did:web for ``host`` (optionally ``host:port``) and optional path segments.

    The host is lower-cased; a port is encoded ``%3A``; each path segment is percent-encoded and
    the segments are joined with ``:``.
    """
    name, port = _split_port(host.lower())
    if not _HOST.fullmatch(name) or len(name) > 253:
        raise CividError(ErrorCode.INVALID_DID, f"not a valid domain name for did:web: {host!r}")
    did = DID_WEB_PREFIX + name + (f"%3A{port}" if port else "")
    for segment in path:
        if not segment:
            raise CividError(ErrorCode.INVALID_DID, "did:web path segments must not be empty")
        did += ":" + quote(segment, safe="").replace("~", "%7E")
    return did


def did_web_url(did: str) -> str:
    """The https URL a did:web document is published at."""
    if not did.startswith(DID_WEB_PREFIX) or any(c in did for c in "#?/"):
        raise CividError(ErrorCode.INVALID_DID, f"not a bare did:web: {did!r}")
    host, *path = did[len(DID_WEB_PREFIX) :].split(":")
    authority = unquote(host)
    if not host or not all(path) or did_web_for(authority, [unquote(p) for p in path]) != did:
        raise CividError(ErrorCode.INVALID_DID, f"malformed did:web: {did!r}")
    if not path:
        return f"https://{authority}/.well-known/did.json"
    return f"https://{authority}/{'/'.join(path)}/did.json"


def build_did_web_document(
    did: str,
    keys: Sequence[tuple[str, Ed25519PublicKey]],
    *,
    relationships: Sequence[str] = DEFAULT_RELATIONSHIPS,
    also_known_as: Sequence[str] = (),
) -> dict[str, Any]:
    """A DID document for ``did`` with one Multikey method ``did#<fragment>`` per ``(fragment, key)``.

    Every method is referenced from each of ``relationships`` (assertionMethod and authentication by
    default). When rotating, keep the old key listed while credentials signed with it are still valid.
    """
    did_web_url(did)  # validates the identifier
    if not keys:
        raise CividError(ErrorCode.INVALID_KEY, "a did:web document needs at least one key")
    methods = [_multikey_method(did, fragment, key) for fragment, key in keys]
    ids = [m["id"] for m in methods]
    if len(set(ids)) != len(ids):
        raise CividError(ErrorCode.INVALID_KEY, "verification method fragments must be unique")
    document: dict[str, Any] = {"@context": list(DID_WEB_CONTEXT), "id": did}
    if also_known_as:
        document["alsoKnownAs"] = list(also_known_as)
    document["verificationMethod"] = methods
    for relationship in relationships:
        document[relationship] = list(ids)
    return document


def _multikey_method(did: str, fragment: str, key: Ed25519PublicKey) -> dict[str, str]:
    if not _FRAGMENT.fullmatch(fragment):
        raise CividError(ErrorCode.INVALID_KEY, f"invalid verification method fragment: {fragment!r}")
    method_id = f"{did}#{fragment}"
    return {"id": method_id, "type": "Multikey", "controller": did, "publicKeyMultibase": key.multikey}


def _split_port(host: str) -> tuple[str, str]:
    name, sep, port = host.partition(":")
    if sep and not (_PORT.fullmatch(port) and 0 < int(port) < 65536):
        raise CividError(ErrorCode.INVALID_DID, f"invalid port in did:web host: {host!r}")
    return name, port
