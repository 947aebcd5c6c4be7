"""Domain errors become gRPC statuses here, and only here.

Every error carries a google.rpc.Status in the ``grpc-status-details-bin`` trailer with one
``ErrorInfo`` (reason = a stable UPPER_SNAKE code, domain = ``civid``, metadata), for bad fields a
``BadRequest`` with field violations, and for a refusal the caller may retry (metadata
``retry_after_seconds``, decimal seconds) a ``RetryInfo`` with that same delay, as the API promises.
Clients read it back with :func:`error_details`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

ERROR_DOMAIN = "civid"
RETRY_AFTER: Final = "retry_after_seconds"  # the ErrorInfo metadata a RetryInfo repeats
STATUSES_KEPT: Final = 1024  # distinct wire statuses kept (a bound; refusals mostly repeat)


@dataclass(frozen=True)
class RpcFailure(Exception):
    """An error ready for the wire: gRPC code, ErrorInfo reason, message and metadata."""

    code: grpc.StatusCode
    reason: str
    message: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    field_violations: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.code.name} {self.reason}: {self.message}"

    def to_status(self) -> grpc.Status:
        return _status(
            self.code, self.reason, self.message, tuple(self.metadata.items()), self.field_violations
        )


@functools.lru_cache(maxsize=STATUSES_KEPT)
def _status(
    code: grpc.StatusCode,
    reason: str,
    message: str,
    metadata: tuple[tuple[str, str], ...],
    field_violations: tuple[tuple[str, str], ...],
) -> grpc.Status:
    """The wire status of a failure; kept, since the same refusals recur (OVERLOADED in a surge)."""
    details = []
    info = error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=dict(metadata))
    packed = any_pb2.Any()
    packed.Pack(info)
    details.append(packed)
    if field_violations:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                for f, d in field_violations
            ]
        )
        packed_bad = any_pb2.Any()
        packed_bad.Pack(bad)
        details.append(packed_bad)
    retry_after = dict(metadata).get(RETRY_AFTER)
    if retry_after is not None:
        details.append(_retry_info(retry_after))
    status = status_pb2.Status(code=code.value[0], message=message, details=details)
    return rpc_status.to_status(status)


def _retry_info(seconds: str) -> any_pb2.Any:
    """A RetryInfo whose delay is ``seconds`` (the metadata's decimal string; at least 0)."""
    delay = duration_pb2.Duration()
    delay.FromNanoseconds(max(round(float(seconds) * 1e9), 0))
    packed = any_pb2.Any()
    packed.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
    return packed


def invalid_argument(reason: str, message: str, field_name: str | None = None, **metadata: str) -> RpcFailure:
    violations = ((field_name, message),) if field_name else ()
    return RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, reason, message, metadata, violations)


@dataclass(frozen=True)
class ErrorDetails:
    """What a client reads back from a failed call."""

    code: grpc.StatusCode
    reason: str
    message: str
    metadata: Mapping[str, str]
    field_violations: tuple[tuple[str, str], ...]
    retry_after_s: float | None = None  # the RetryInfo's delay; None: the server sent none


def error_details(error: grpc.RpcError) -> ErrorDetails:
    """The ErrorInfo of a failed call (reason "" when the server sent none, e.g. a transport error)."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = error.details() if hasattr(error, "details") else str(error)
    reason, metadata = "", {}
    violations: tuple[tuple[str, str], ...] = ()
    retry_after_s = None
    status = _status_of(error)
    if status is not None:
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason, metadata = info.reason, dict(info.metadata)
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                violations = tuple((v.field, v.description) for v in bad.field_violations)
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                retry = error_details_pb2.RetryInfo()
                detail.Unpack(retry)
                retry_after_s = retry.retry_delay.ToNanoseconds() / 1e9
    return ErrorDetails(code, reason, message or "", metadata, violations, retry_after_s)


def _status_of(error: grpc.RpcError) -> status_pb2.Status | None:
    trailing = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
    for key, value in trailing or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None


OK = code_pb2.OK
