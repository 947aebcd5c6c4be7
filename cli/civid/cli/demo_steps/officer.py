"""The officer desk as an integrator calls it: per-call Ed25519 signatures over JCS.

See protos/civid/issuer/v1/officer_service.proto for the metadata and what is signed.
"""

from __future__ import annotations

import base64
import secrets
import time

import grpc

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.jcs import canonicalize
from civid.issuer.v1 import officer_service_pb2, officer_service_pb2_grpc

_SERVICE = "/civid.issuer.v1.OfficerService/"


def officer_metadata(
    key: Ed25519KeyPair, officer_id: str, method: str
) -> tuple[tuple[str, str | bytes], ...]:
    """The four authentication metadata entries for one call of ``method`` (e.g. "RevokeCredential")."""
    created = int(time.time())
    nonce = base64.urlsafe_b64encode(secrets.token_bytes(24)).rstrip(b"=").decode("ascii")
    signed = {"created": created, "method": _SERVICE + method, "nonce": nonce, "officer": officer_id}
    signature = key.sign(canonicalize(signed))
    return (
        ("civid-officer-id", officer_id),
        ("civid-officer-created", str(created)),
        ("civid-officer-nonce", nonce),
        ("civid-officer-signature-bin", signature),
    )


def revoke_credential(
    address: str, key: Ed25519KeyPair, officer_id: str, credential_id: str, reason: str
) -> officer_service_pb2.RevokeCredentialResponse:
    """Revoke a credential at the issuer's officer desk."""
    with grpc.insecure_channel(address) as channel:
        stub = officer_service_pb2_grpc.OfficerServiceStub(channel)
        request = officer_service_pb2.RevokeCredentialRequest(credential_id=credential_id, reason=reason)
        metadata = officer_metadata(key, officer_id, "RevokeCredential")
        response: officer_service_pb2.RevokeCredentialResponse = stub.RevokeCredential(
            request, metadata=metadata, timeout=30
        )
        return response
