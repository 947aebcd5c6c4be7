"""A stored result as the RP reads it (PresentationResult), with the signers read from its checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from civid.verifier.domain.requests import PresentationRequest, PresentationResult
from civid.verifier.service import collected, convert
from civid.verifier.service.collected import ClaimsView
from civid.verifier.v1 import presentation_pb2


def result_message(
    request: PresentationRequest,
    stored: PresentationResult | None,
    now: datetime,
    view: ClaimsView = ClaimsView.BOTH,
) -> presentation_pb2.PresentationResult:
    """The request's result so far, its released claims in the forms ``view`` asks for."""
    message = presentation_pb2.PresentationResult(
        presentation_request_id=request.id, state=convert.state(request.state_at(now))
    )
    if stored is None:
        return message
    message.state = presentation_pb2.PRESENTATION_REQUEST_STATE_COMPLETED
    message.verification.CopyFrom(convert.verification_of(stored))
    claims = stored.released_claims if stored.verified else {}
    collected.release(message, claims, view)
    message.holder_did = signer(stored.checks, "presentation.")
    message.issuer_did = signer(stored.checks, "credential[0].")
    if stored.created_at is not None:
        message.verify_time.CopyFrom(convert.timestamp(stored.created_at))
    return message


def signer(checks: Sequence[Mapping[str, Any]], prefix: str) -> str:
    """The DID whose key signed the proof at ``prefix``, when its signature check passed."""
    by_name = {c.get("name"): c for c in checks}
    signature = by_name.get(prefix + "proof.signature", {})
    method = by_name.get(prefix + "proof.verification_method", {})
    if signature.get("outcome") != "passed" or method.get("outcome") != "passed":
        return ""
    return str(method.get("message", "")).split("#", 1)[0]
