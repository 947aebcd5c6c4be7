"""Who is calling: a relying party (API key or client certificate) or the operator (admin token)."""

from __future__ import annotations

import asyncio
import hmac
import ssl
from collections.abc import Sequence
from typing import Final
from urllib.parse import unquote

import grpc

from civid.rpc.errors import RpcFailure
from civid.verifier.domain.api_keys import unauthenticated
from civid.verifier.domain.relying_parties import RelyingParty, RelyingPartyRegistry

# Behind the gateway: the client certificate nginx verified, URL-encoded PEM (civid.verifier.gateway)
CLIENT_CERT_HEADER: Final = "x-civid-client-cert"


def bearer_token(context: grpc.aio.ServicerContext) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization" and isinstance(value, str) and value.startswith("Bearer "):
            return value[len("Bearer ") :].strip()
    return None


def client_certificate_der(context: grpc.aio.ServicerContext, *, behind_gateway: bool) -> bytes | None:
    """The caller's client certificate (DER), verified against the client CA; None without one.

    Without the gateway, from the TLS connection, where gRPC verified it. Behind the gateway the
    server listens only on a private Unix socket (gateway.private_directory) and nginx terminated
    TLS: the certificate nginx verified comes in the CLIENT_CERT_HEADER header, which nginx sets on
    every call it passes, replacing (or dropping) whatever the caller sent under that name. A server
    not behind the gateway never reads the header: any caller could send it."""
    if not behind_gateway:
        pems: Sequence[bytes] = context.auth_context().get("x509_pem_cert", [])
        return ssl.PEM_cert_to_DER_cert(pems[0].decode("ascii")) if pems else None
    values = [value for key, value in context.invocation_metadata() or () if key == CLIENT_CERT_HEADER]
    if len(values) != 1 or not isinstance(values[0], str):  # nginx sends one, or none
        return None
    try:
        return ssl.PEM_cert_to_DER_cert(unquote(values[0]))
    except ValueError:  # not a PEM certificate (binascii.Error is a ValueError)
        return None


async def authenticate_rp(
    context: grpc.aio.ServicerContext, registry: RelyingPartyRegistry, *, behind_gateway: bool
) -> RelyingParty:
    """The calling relying party, by API key, else by client certificate (see
    :func:`client_certificate_der`); RP_UNAUTHENTICATED for a missing, unknown or revoked one."""
    token = bearer_token(context)
    if token is not None:
        cached = registry.authenticate_cached(token)  # no I/O: spares the thread hop on a hit
        return cached if cached is not None else await asyncio.to_thread(registry.authenticate, token)
    der = client_certificate_der(context, behind_gateway=behind_gateway)
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
