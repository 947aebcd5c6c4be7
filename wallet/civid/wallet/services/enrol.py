"""Enrolment: the issuer checks the card details and the selfie, then issues the national ID credential."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from pathlib import Path

from civid.core.errors import CividError, ErrorCode
from civid.wallet.domain import HeldCredential, Wallet
from civid.wallet.services import national_id

Progress = Callable[[str], None]


def _silent(_: str) -> None:
    return None


def read_selfie(path: Path) -> bytes:
    """The selfie file's bytes, with a clear error when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CividError(ErrorCode.INVALID_PHOTO, f"cannot read the selfie {path}: {exc.strerror}") from exc


async def enrol(
    wallet: Wallet, national_id_text: str, laser_code: str, selfie: bytes, *, progress: Progress = _silent
) -> HeldCredential:
    """Run StartEnrollment and CompleteEnrollment with the holder key's proof; hold the credential."""
    from civid.wallet.clients.holder_proof import holder_proof
    from civid.wallet.clients.issuer import COMPLETE_ENROLLMENT_METHOD, IssuerClient

    number = national_id.validate(national_id_text)
    if not laser_code.strip():
        raise CividError(ErrorCode.INVALID_LASER_CODE, "type the laser code from the back of your card")
    settings = wallet.settings()
    async with IssuerClient(settings.issuer_address, tls=settings.tls, ca_file=settings.ca_file) as issuer:
        progress("contacting the issuer")
        start = await issuer.start_enrollment(number, laser_code.strip(), wallet.holder_did)
        if start.max_selfie_bytes and len(selfie) > start.max_selfie_bytes:
            raise CividError(
                ErrorCode.IMAGE_TOO_LARGE,
                f"the selfie is larger than {start.max_selfie_bytes // 1024} KB; choose a smaller photo",
            )
        request_id = str(uuid.uuid4())
        params = {
            "enrollmentId": start.enrollment_id,
            "requestId": request_id,
            "selfieSha256": hashlib.sha256(selfie).hexdigest(),
        }
        proof = holder_proof(
            wallet,
            audience=start.issuer_did,
            method=COMPLETE_ENROLLMENT_METHOD,
            params=params,
            nonce=start.challenge,
        )
        progress("the issuer is comparing your selfie with the registry")
        credential_json = await issuer.complete_enrollment(start.enrollment_id, selfie, proof, request_id)
    progress("saving the card in your wallet")
    return wallet.add_credential(json.loads(credential_json))
