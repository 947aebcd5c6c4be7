"""HolderProof checking (civid.common.v1.HolderProof): a per-call Ed25519 signature by the holder DID.

The signing input is the JCS form of {"audience", "created", "holder", "method", "nonce", "params"}.
Ordinary proofs carry a fresh wallet nonce, remembered for the acceptance window and refused when
repeated; CompleteEnrollment's nonce is the issuer's challenge instead (``expected_nonce``), which the
enrollment itself makes single-use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from civid.core.did.key import public_key_of_did_key
from civid.core.errors import CividError, ErrorCode
from civid.core.jcs import canonicalize
from civid.issuer.domain.errors import IssuerFailure
from civid.issuer.domain.replay import ReplayCache

WINDOW_SECONDS: Final = 300
_NONCE: Final = re.compile(r"[A-Za-z0-9_-]{22,86}")


@dataclass(frozen=True)
class HolderProofInput:
    """A HolderProof as received (``created`` seconds and ``nanos`` from its Timestamp)."""

    did: str
    nonce: str
    created: int
    nanos: int
    signature: bytes
    present: bool = True


def signing_input(
    audience: str, created: int, holder: str, method: str, nonce: str, params: Mapping[str, str]
) -> bytes:
    """The bytes a holder signs."""
    body = {
        "audience": audience,
        "created": created,
        "holder": holder,
        "method": method,
        "nonce": nonce,
        "params": dict(params),
    }
    return canonicalize(body)


def _invalid(message: str) -> IssuerFailure:
    return IssuerFailure(ErrorCode.HOLDER_PROOF_INVALID, message)


class HolderProofVerifier:
    """Checks proofs for one issuer (``audience``); shared by every servicer that needs a holder."""

    def __init__(self, audience: str, clock: Callable[[], datetime], replay: ReplayCache) -> None:
        self._audience = audience
        self._clock = clock
        self._replay = replay

    def verify(
        self,
        proof: HolderProofInput,
        method: str,
        params: Mapping[str, str],
        *,
        expected_nonce: str | None = None,
    ) -> str:
        """The proven holder DID, or HOLDER_PROOF_INVALID saying what is wrong."""
        if not proof.present:
            raise _invalid("holder_proof is missing")
        if proof.nanos != 0:
            raise _invalid("holder_proof.create_time must be whole seconds")
        if abs(self._clock().timestamp() - proof.created) > WINDOW_SECONDS:
            raise _invalid(f"holder_proof.create_time is not within {WINDOW_SECONDS} s of the issuer's clock")
        if expected_nonce is not None and proof.nonce != expected_nonce:
            raise _invalid("holder_proof.nonce is not the enrollment's challenge")
        if expected_nonce is None and not _NONCE.fullmatch(proof.nonce):
            raise _invalid("holder_proof.nonce must be 16 to 64 random bytes, base64url without padding")
        try:
            key = public_key_of_did_key(proof.did)
        except CividError as exc:
            raise _invalid(f"holder_proof.did is not an Ed25519 did:key: {exc.message}") from exc
        message = signing_input(self._audience, proof.created, proof.did, method, proof.nonce, params)
        if len(proof.signature) != 64 or not key.verify(message, proof.signature):
            raise _invalid("holder_proof.signature does not verify")
        if expected_nonce is None and not self._replay.claim(f"{proof.did}|{proof.nonce}"):
            raise _invalid("holder_proof.nonce was already used")
        return proof.did
