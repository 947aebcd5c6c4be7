"""Who is calling: a relying party (API key or client certificate) or the operator (admin token)."""

from __future__ import annotations

import asyncio
import hmac
import ssl
from collections.abc import Sequence

import grpc

from civid.rpc.errors import RpcFailure
from civid.verifier.domain.api_keys import unauthenticated
from civid.verifier.domain.relying_parties import RelyingParty, RelyingPartyRegistry


def bearer_token(context: grpc.aio.ServicerContext) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization" and isinstance(value, str) and value.startswith("Bearer "):
            return value[len("Bearer ") :].strip()
    return None


def client_certificate_der(context: grpc.aio.ServicerContext) -> bytes | None:
    pems: Sequence[bytes] = context.auth_context().get("x509_pem_cert", [])
    if not pems:
        return None
    return ssl.PEM_cert_to_DER_cert(pems[0].decode("ascii"))


async def authenticate_rp(context: grpc.aio.ServicerContext, registry: RelyingPartyRegistry) -> RelyingParty:
    """The calling relying party; RP_UNAUTHENTICATED for a missing, unknown or revoked key."""
    token = bearer_token(context)
    if token is not None:
        cached = registry.authenticate_cached(token)  # no I/O: spares the thread hop on a hit
        return cached if cached is not None else await asyncio.to_thread(registry.authenticate, token)
    der = client_certificate_der(context)
    if der is not None:
        return await asyncio.to_thread(registry.authenticate_certificate, der)
    raise unauthenticated()


def check_admin(context: grpc.aio.ServicerContext, admin_token: str) -> None:
    """ADMIN_UNAUTHENTICATED unless the call carries the operator's token."""
    token = bearer_token(context) or ""
    if not admin_token or not hmac.compare_digest(token.encode(), admin_token.encode()):
        raise RpcFailure(
            grpc.StatusCode.UNAUTHENTICATED,
            "ADMIN_UNAUTHENTICATED",
            "the administrator token is missing or wrong",
        )
