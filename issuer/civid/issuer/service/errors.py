"""Domain failures → gRPC statuses with one ErrorInfo (reason = the ErrorCode's name)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

import grpc

from civid.core.errors import CividError
from civid.issuer.domain.errors import IssuerFailure
from civid.rpc.errors import RpcFailure

log = logging.getLogger("civid.issuer.service")
S = grpc.StatusCode

STATUS_BY_REASON: Final[Mapping[str, grpc.StatusCode]] = {
    **dict.fromkeys(
        (
            "INVALID_NATIONAL_ID",
            "INVALID_LASER_CODE",
            "INVALID_DID",
            "FIELD_INVALID",
            "IMAGE_TOO_LARGE",
            "INVALID_SIGNATURE",
            "MALFORMED_DOCUMENT",
        ),
        S.INVALID_ARGUMENT,
    ),
    **dict.fromkeys(
        (
            "ENROLLMENT_FAILED",
            "ATTEMPTS_EXHAUSTED",
            "ENROLLMENT_LOCKED",
            "ENROLLMENT_EXPIRED",
            "INVALID_STATE",
            "SLOT_FULL",
            "REVOKED",
        ),
        S.FAILED_PRECONDITION,
    ),
    **dict.fromkeys(("NOT_FOUND", "STATUS_LIST_NOT_FOUND"), S.NOT_FOUND),
    **dict.fromkeys(("ALREADY_EXISTS", "IDEMPOTENCY_CONFLICT"), S.ALREADY_EXISTS),
    **dict.fromkeys(("HOLDER_PROOF_INVALID", "OFFICER_UNAUTHENTICATED"), S.UNAUTHENTICATED),
    **dict.fromkeys(("HOLDER_NOT_ENROLLED", "OFFICER_NOT_PERMITTED", "NOT_HOUSE_OWNER"), S.PERMISSION_DENIED),
    **dict.fromkeys(("OVERLOADED", "RATE_LIMITED", "MESSAGE_TOO_LARGE"), S.RESOURCE_EXHAUSTED),
    **dict.fromkeys(("STATUS_LIST_FULL", "FACE_MODEL_UNAVAILABLE"), S.UNAVAILABLE),
}


def to_rpc_failure(error: CividError) -> RpcFailure:
    """The wire form of a domain failure; unexpected codes become INTERNAL without details."""
    reason = error.code.value
    status = STATUS_BY_REASON.get(reason)
    if status is None:
        log.error("unexpected domain error", extra={"event": "internal_error", "code": reason})
        return RpcFailure(S.INTERNAL, "", "internal error")
    metadata: dict[str, str] = {}
    violations: tuple[tuple[str, str], ...] = ()
    if isinstance(error, IssuerFailure):
        metadata = dict(error.metadata)
        if error.field:
            violations = ((error.field, error.message),)
    if status is S.INVALID_ARGUMENT and not violations and "field" in metadata:
        violations = ((metadata["field"], error.message),)
    return RpcFailure(status, reason, error.message, metadata, violations)
