"""HolderProof: the holder key's signature over one call (see civid/common/v1/holder_proof.proto)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Protocol

from civid.common.v1 import holder_proof_pb2
from civid.core import jcs


class HolderSigner(Protocol):
    """What signs a proof: the unlocked wallet."""

    @property
    def holder_did(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...


def new_nonce() -> str:
    """32 random bytes, base64url without padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")


def signing_input(
    *, audience: str, created: int, holder: str, method: str, nonce: str, params: Mapping[str, str]
) -> bytes:
    """The JCS bytes the holder key signs."""
    document = {
        "audience": audience,
        "created": created,
        "holder": holder,
        "method": method,
        "nonce": nonce,
        "params": dict(params),
    }
    return jcs.canonicalize(document)


def holder_proof(
    signer: HolderSigner,
    *,
    audience: str,
    method: str,
    params: Mapping[str, str],
    nonce: str | None = None,
    now: datetime | None = None,
) -> holder_proof_pb2.HolderProof:
    """A signed proof for one call of ``method`` with its signed ``params``."""
    created = int((now or datetime.now(UTC)).timestamp())
    chosen = nonce or new_nonce()
    message = signing_input(
        audience=audience,
        created=created,
        holder=signer.holder_did,
        method=method,
        nonce=chosen,
        params=params,
    )
    proof = holder_proof_pb2.HolderProof(did=signer.holder_did, nonce=chosen, signature=signer.sign(message))
    proof.create_time.seconds = created
    return proof
