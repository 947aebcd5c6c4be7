"""A failed call, turned into a message a person can act on (what happened, and what to do next)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import grpc

from civid.core.errors import CividError, ErrorCode
from civid.rpc.errors import error_details

_FAILURES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "IMAGE_UNREADABLE": "the selfie is not a readable JPEG or PNG image; choose another photo",
        "NO_FACE": "no face was found in the selfie; face the camera in good light and try again",
        "MULTIPLE_FACES": "more than one face is in the selfie; only you may be in the picture",
        "FACE_TOO_SMALL": "your face is too small in the selfie; come closer to the camera",
        "FACE_UNCLEAR": "your face is not clear enough (blur, low light or covered); take a clearer photo",
        "NO_MATCH": "the details and the photo do not match the registry; check the ID number and "
        "laser code, and use a recent photo of your face",
    }
)

_REASONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "ATTEMPTS_EXHAUSTED": "too many failed attempts: enrolment is locked; visit a district office",
        "ENROLLMENT_LOCKED": "enrolment is locked for this ID number; visit a district office",
        "ENROLLMENT_EXPIRED": "the enrolment took too long and expired; start again",
        "INVALID_NATIONAL_ID": "the ID number is not valid; check the 13 digits on your card",
        "INVALID_LASER_CODE": "the laser code is not valid; copy it from the back of your card (e.g. JT0-1234567-89)",
        "IMAGE_TOO_LARGE": "the selfie file is too large; choose a smaller photo",
        "HOLDER_PROOF_INVALID": "the issuer did not accept this wallet's signature; check the clock and try again",
        "HOLDER_NOT_ENROLLED": "this wallet holds no active national ID card; enrol first",
        "REQUEST_EXPIRED": "the request has expired; ask the agency for a new one",
        "REQUEST_NOT_FOUND": "the request is unknown to the verifier; check it or ask for a new one",
        "NONCE_ALREADY_USED": "this request was already answered; ask the agency for a new one",
        "ALREADY_EXISTS": "this wallet's key is already bound to another citizen; use a new wallet",
        "RATE_LIMITED": "the service is busy; wait a minute and try again",
        "OVERLOADED": "the service is busy; wait a minute and try again",
        "SHARED_STORE_UNAVAILABLE": "the service cannot check requests just now; wait a minute and try again",
        "STATUS_LIST_NOT_FOUND": "the issuer has no such status list; try again later",
    }
)


class RemoteError(CividError):
    """A service refused a call or could not be reached; ``message`` ends with the next step."""

    def __init__(self, code: ErrorCode, message: str, reason: str, metadata: Mapping[str, str]) -> None:
        super().__init__(code, message)
        self.reason = reason
        self.metadata = MappingProxyType(dict(metadata))

    @property
    def attempts_left(self) -> int | None:
        value = self.metadata.get("attempts_left")
        return int(value) if value is not None and value.isdigit() else None


def remote_error(error: grpc.RpcError, service: str) -> RemoteError:
    """The person-level error for a failed call to ``service`` (e.g. "the issuer")."""
    details = error_details(error)
    if not details.reason and details.code in (
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
    ):
        message = (
            f"{service} cannot be reached; check its address in Settings and your connection, then retry"
        )
        return RemoteError(ErrorCode.SERVICE_UNAVAILABLE, message, "", {})
    code = ErrorCode.__members__.get(details.reason, ErrorCode.SERVICE_ERROR)
    message = _message(details.reason, details.metadata, details.message, service)
    if details.retry_after_s is not None and details.reason in _REASONS:
        message = _with_retry_time(message, details.retry_after_s)
    return RemoteError(code, message, details.reason, details.metadata)


def _with_retry_time(message: str, seconds: float) -> str:
    """``message`` with its "wait a minute" made the service's own time to retry (its RetryInfo)."""
    return message.replace("wait a minute", f"wait {max(math.ceil(seconds), 1)} s")


def _message(reason: str, metadata: Mapping[str, str], server_message: str, service: str) -> str:
    if reason == "ENROLLMENT_FAILED":
        failure = _FAILURES.get(metadata.get("failure", ""), "the enrolment did not succeed; try again")
        left = metadata.get("attempts_left")
        return f"{failure}" + (f" ({left} attempt(s) left today)" if left is not None else "")
    if reason == "ATTEMPTS_EXHAUSTED" and metadata.get("failure") in _FAILURES:
        return f"{_FAILURES[metadata['failure']].split(';')[0]}; {_REASONS[reason]}"
    if reason in _REASONS:
        return _REASONS[reason]
    detail = server_message or "no detail given"
    return f"{service} refused the request ({reason or 'error'}: {detail}); try again, or contact support"
