"""did:key for Ed25519 (W3C CCG did:key method), resolved by pure computation.

``did:key:z6Mk…`` holds the public key's Multikey; its only verification method is ``did:key:X#X``.
The DID document has the form Digital Bazaar's ``did-method-key`` produces (contexts did/v1 +
multikey/v1), which is what the vc-di-eddsa examples and test suites resolve.
"""

from __future__ import annotations

from typing import Any, Final

from civid.core.crypto.keys import Ed25519PublicKey
from civid.core.errors import CividError, ErrorCode

DID_KEY_PREFIX: Final = "did:key:"
DID_KEY_CONTEXT: Final = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
DID_KEY_RELATIONSHIPS: Final = (
    "authentication",
    "assertionMethod",
    "capabilityDelegation",
    "capabilityInvocation",
)


def did_key_for(public_key: Ed25519PublicKey) -> str:
    """``did:key:z6Mk…`` for an Ed25519 public key."""
    return DID_KEY_PREFIX + public_key.multikey


def verification_method_id_for(public_key: Ed25519PublicKey) -> str:
    """``did:key:X#X``: the verification method to put in a proof signed with this key."""
    multikey = public_key.multikey
    return f"{DID_KEY_PREFIX}{multikey}#{multikey}"


def public_key_of_did_key(did: str) -> Ed25519PublicKey:
    """The Ed25519 key inside a bare ``did:key`` (no fragment, path or query); INVALID_DID otherwise."""
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX):
        raise CividError(ErrorCode.INVALID_DID, f"not a did:key: {did!r}")
    multikey = did[len(DID_KEY_PREFIX) :]
    if not multikey or any(c in multikey for c in "#?/:;"):
        raise CividError(ErrorCode.INVALID_DID, f"malformed did:key identifier: {did!r}")
    try:
        return Ed25519PublicKey.from_multikey(multikey)
    except CividError as exc:
        raise CividError(ErrorCode.INVALID_DID, f"did:key is not an Ed25519 key: {exc.message}") from exc


def did_key_document(public_key: Ed25519PublicKey) -> dict[str, Any]:
    """The DID document of the did:key for ``public_key``."""
    did = did_key_for(public_key)
    vm_id = f"{did}#{public_key.multikey}"
    document: dict[str, Any] = {
        "@context": list(DID_KEY_CONTEXT),
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": public_key.multikey}
        ],
    }
    for relationship in DID_KEY_RELATIONSHIPS:
        document[relationship] = [vm_id]
    return document


def resolve_did_key(did: str) -> dict[str, Any]:
    """Resolve a bare Ed25519 ``did:key`` to its DID document, offline."""
    return did_key_document(public_key_of_did_key(did))
