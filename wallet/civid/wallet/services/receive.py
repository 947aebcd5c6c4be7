"""Receiving credentials the issuer bound to this wallet outside the self-service flow: after an
officer enrolled the citizen at the desk, or re-bound the card to this (new) device's key."""

from __future__ import annotations

import json

from civid.common.v1 import credential_status_pb2 as statuspb
from civid.wallet.domain import HeldCredential, Wallet
from civid.wallet.services.issuer_session import IssuerSession


async def receive_credentials(wallet: Wallet) -> list[HeldCredential]:
    """Hold every ACTIVE credential the issuer lists for this wallet's DID that is not held yet.

    Revoked, suspended and expired ones are left out: a re-bound card arrives as a new credential
    and replaces the held national ID (see ``HeldCredential.supersedes``).
    """
    async with IssuerSession(wallet) as session:
        issued = await session.client.list_issued(session.proof("ListCredentials", {}))
    held = {c.id for c in wallet.credentials()}
    received: list[HeldCredential] = []
    for credential in reversed(issued):  # oldest first, so the newest one ends up held
        if credential.state != statuspb.CREDENTIAL_STATE_ACTIVE or credential.credential_id in held:
            continue
        if credential.holder_did != wallet.holder_did:
            continue
        received.append(wallet.add_credential(json.loads(credential.credential_json)))
    return received
