"""Refusals on the wire: a recurring refusal is encoded once, and each still carries its own details."""

from __future__ import annotations

import grpc
from google.rpc import error_details_pb2, status_pb2

from civid.rpc.errors import RpcFailure
from civid.verifier.domain.errors import DomainErrorCode, RetryableError
from civid.verifier.service.errors import field_invalid, to_failure


def decoded(status: grpc.Status) -> tuple[int, str, list[tuple[str, dict[str, str]]], list[tuple[str, str]]]:
    [(_, raw)] = [m for m in status.trailing_metadata if m[0] == "grpc-status-details-bin"]
    message = status_pb2.Status.FromString(raw)
    infos, violations = [], []
    for detail in message.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            infos.append((info.reason, dict(info.metadata)))
        else:
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations += [(v.field, v.description) for v in bad.field_violations]
    return message.code, message.message, infos, violations


def overloaded() -> RpcFailure:
    failure = to_failure(RetryableError(DomainErrorCode.OVERLOADED, "the verifier is at capacity", 0.5))
    assert failure is not None
    return failure


def test_a_recurring_refusal_is_encoded_once_with_its_error_info() -> None:
    first, again = overloaded().to_status(), overloaded().to_status()
    assert again is first
    assert (first.code, first.details) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "the verifier is at capacity")
    assert decoded(first)[2] == [("OVERLOADED", {"retry_after_seconds": "0.500"})]


def test_refusals_that_differ_in_any_detail_keep_their_own_status() -> None:
    challenge, domain = field_invalid("challenge", "too short"), field_invalid("domain", "too short")
    assert decoded(challenge.to_status())[3] == [("challenge", "too short")]
    assert decoded(domain.to_status())[3] == [("domain", "too short")]
    later = RpcFailure(
        grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED", "slow down", {"retry_after_seconds": "2"}
    )
    sooner = RpcFailure(
        grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED", "slow down", {"retry_after_seconds": "1"}
    )
    assert decoded(later.to_status())[2] == [("RATE_LIMITED", {"retry_after_seconds": "2"})]
    assert decoded(sooner.to_status())[2] == [("RATE_LIMITED", {"retry_after_seconds": "1"})]
