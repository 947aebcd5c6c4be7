"""A connection to the issuer on the wallet's behalf: public calls, and calls signed by the holder key.

Every call about the holder carries a fresh HolderProof of the wallet's key whose audience is the
issuer's DID (asked once per session) and whose method is the full gRPC method name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from civid.common.v1 import holder_proof_pb2
from civid.core.errors import CividError, ErrorCode
from civid.wallet.clients.holder_proof import holder_proof
from civid.wallet.clients.issuer import IssuerClient
from civid.wallet.domain import HeldCredential, Wallet

METHOD: Final = "/civid.issuer.v1.IssuerService/"


def public_client(wallet: Wallet) -> IssuerClient:
    """A client for the issuer in the wallet's settings (no holder proof: offices, slots)."""
    settings = wallet.settings()
    return IssuerClient(settings.issuer_address, tls=settings.tls, ca_file=settings.ca_file)


class IssuerSession:
    """An open issuer connection that signs each call with the wallet's holder key."""

    def __init__(self, wallet: Wallet) -> None:
        self.wallet = wallet
        self.client = public_client(wallet)
        self._audience = ""

    async def __aenter__(self) -> IssuerSession:
        self._audience = await self.client.issuer_did()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.close()

    def proof(self, rpc: str, params: Mapping[str, str]) -> holder_proof_pb2.HolderProof:
        """A proof for one call of ``rpc`` (the short method name) with its signed ``params``."""
        return holder_proof(self.wallet, audience=self._audience, method=METHOD + rpc, params=params)

    async def hold_issued(self, credential_id: str) -> HeldCredential:
        """Fetch the credential ``credential_id`` the issuer issued to this holder and hold it."""
        for text in await self.client.list_credentials(self.proof("ListCredentials", {})):
            document = json.loads(text)
            if document.get("id") == credential_id:
                return self.wallet.add_credential(document)
        raise CividError(ErrorCode.NOT_FOUND, f"the issuer lists no credential {credential_id}")
