"""Errors the verifier's services raise that are not credential checks.

The codes are the ``civid.common.v1.ErrorReason`` names the services send (values from 1000), plus
start-up errors that never reach the wire (``CONFIG_INVALID``, ``STORAGE_CONFIG``). Credential check
failures keep using :class:`civid.core.errors.ErrorCode` inside a ``VerificationResult``.
"""

from __future__ import annotations

from enum import StrEnum


class DomainErrorCode(StrEnum):
    FIELD_INVALID = "FIELD_INVALID"  # INVALID_ARGUMENT
    RATE_LIMITED = "RATE_LIMITED"  # RESOURCE_EXHAUSTED, with retry_after
    OVERLOADED = "OVERLOADED"  # RESOURCE_EXHAUSTED, admission control
    SHARED_STORE_UNAVAILABLE = "SHARED_STORE_UNAVAILABLE"  # UNAVAILABLE: Redis out of reach, with retry_after
    RP_UNAUTHENTICATED = "RP_UNAUTHENTICATED"  # UNAUTHENTICATED
    POLICY_NOT_ALLOWED = "POLICY_NOT_ALLOWED"  # PERMISSION_DENIED
    CLAIM_NOT_ALLOWED = "CLAIM_NOT_ALLOWED"  # PERMISSION_DENIED
    REQUEST_EXPIRED = "REQUEST_EXPIRED"  # FAILED_PRECONDITION
    REQUEST_NOT_FOUND = "REQUEST_NOT_FOUND"  # NOT_FOUND (also another RP's request)
    REQUEST_COMPLETED = "REQUEST_COMPLETED"  # FAILED_PRECONDITION: a result is already recorded
    INVALID_REQUEST_STRING = "INVALID_REQUEST_STRING"  # INVALID_ARGUMENT: bad compact request string
    NOT_FOUND = "NOT_FOUND"  # NOT_FOUND (relying-party administration)
    ALREADY_EXISTS = "ALREADY_EXISTS"  # ALREADY_EXISTS (relying-party administration)
    INVALID_STATE = "INVALID_STATE"  # FAILED_PRECONDITION: a revoked relying party may not be changed
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"  # ALREADY_EXISTS: a request_id reused with other content
    CONFIG_INVALID = "CONFIG_INVALID"  # start-up only: a configuration file is wrong
    STORAGE_CONFIG = "STORAGE_CONFIG"  # start-up only: unusable database URL or data directory


class DomainError(Exception):
    """A refusal with a stable code, a message a person can act on, and wire metadata."""

    def __init__(self, code: DomainErrorCode, message: str, metadata: dict[str, str] | None = None) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
        self.message = message
        self.metadata: dict[str, str] = dict(metadata or {})
        self.retry_after_s: float | None = None


class RetryableError(DomainError):
    """RATE_LIMITED / OVERLOADED / SHARED_STORE_UNAVAILABLE: the caller may retry after
    ``retry_after_s`` seconds."""

    def __init__(self, code: DomainErrorCode, message: str, retry_after_s: float) -> None:
        super().__init__(code, message, {"retry_after_seconds": f"{max(retry_after_s, 0.0):.3f}"})
        self.retry_after_s = retry_after_s
