"""Domain errors → gRPC statuses with one ErrorInfo (the only place this mapping lives)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import grpc

from civid.core.errors import CividError, ErrorCode
from civid.rpc.errors import RpcFailure
from civid.verifier.domain.errors import DomainError, DomainErrorCode

_S = grpc.StatusCode
_DOMAIN: Final[Mapping[DomainErrorCode, tuple[grpc.StatusCode, str]]] = {
    DomainErrorCode.FIELD_INVALID: (_S.INVALID_ARGUMENT, "FIELD_INVALID"),
    DomainErrorCode.RATE_LIMITED: (_S.RESOURCE_EXHAUSTED, "RATE_LIMITED"),
    DomainErrorCode.OVERLOADED: (_S.RESOURCE_EXHAUSTED, "OVERLOADED"),
    DomainErrorCode.SHARED_STORE_UNAVAILABLE: (_S.UNAVAILABLE, "SHARED_STORE_UNAVAILABLE"),
    DomainErrorCode.RP_UNAUTHENTICATED: (_S.UNAUTHENTICATED, "RP_UNAUTHENTICATED"),
    DomainErrorCode.POLICY_NOT_ALLOWED: (_S.PERMISSION_DENIED, "POLICY_NOT_ALLOWED"),
    DomainErrorCode.CLAIM_NOT_ALLOWED: (_S.PERMISSION_DENIED, "CLAIM_NOT_ALLOWED"),
    DomainErrorCode.REQUEST_EXPIRED: (_S.FAILED_PRECONDITION, "REQUEST_EXPIRED"),
    DomainErrorCode.REQUEST_NOT_FOUND: (_S.NOT_FOUND, "REQUEST_NOT_FOUND"),
    # the proto: an answered request submitted again is a replay
    DomainErrorCode.REQUEST_COMPLETED: (_S.FAILED_PRECONDITION, "NONCE_ALREADY_USED"),
    DomainErrorCode.INVALID_REQUEST_STRING: (_S.INVALID_ARGUMENT, "FIELD_INVALID"),
    DomainErrorCode.NOT_FOUND: (_S.NOT_FOUND, "NOT_FOUND"),
    DomainErrorCode.ALREADY_EXISTS: (_S.ALREADY_EXISTS, "ALREADY_EXISTS"),
    DomainErrorCode.INVALID_STATE: (_S.FAILED_PRECONDITION, "INVALID_STATE"),
    DomainErrorCode.IDEMPOTENCY_CONFLICT: (_S.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT"),
    DomainErrorCode.CONFIG_INVALID: (_S.INTERNAL, "FIELD_INVALID"),
    DomainErrorCode.STORAGE_CONFIG: (_S.INTERNAL, "STORAGE_CONFIG"),
}
_FIELD_OF: Final = {DomainErrorCode.INVALID_REQUEST_STRING: "compact"}


def failure(code: grpc.StatusCode, reason: str, message: str, **metadata: str) -> RpcFailure:
    violations = (
        ((metadata["field"], message),) if code is _S.INVALID_ARGUMENT and "field" in metadata else ()
    )
    return RpcFailure(code, reason, message, metadata, violations)


def field_invalid(field: str, message: str) -> RpcFailure:
    return failure(_S.INVALID_ARGUMENT, "FIELD_INVALID", message, field=field)


def from_domain(error: DomainError) -> RpcFailure:
    code, reason = _DOMAIN[error.code]
    metadata = dict(error.metadata)
    if error.code in _FIELD_OF:
        metadata.setdefault("field", _FIELD_OF[error.code])
    return failure(code, reason, error.message, **metadata)


def from_core(error: CividError) -> RpcFailure:
    """A core error met outside a verification result (a malformed document)."""
    if error.code in (ErrorCode.MALFORMED_DOCUMENT, ErrorCode.NOT_A_PRESENTATION):
        return failure(_S.INVALID_ARGUMENT, error.code.value, error.message, field="presentation_json")
    return failure(_S.FAILED_PRECONDITION, error.code.value, error.message)


def to_failure(error: Exception) -> RpcFailure | None:
    """The wire form of an expected error; None for a bug (left to gRPC as UNKNOWN, and logged)."""
    if isinstance(error, RpcFailure):
        return error
    if isinstance(error, DomainError):
        return from_domain(error)
    if isinstance(error, CividError):
        return from_core(error)
    return None
