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
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations += [(v.field, v.description) for v in bad.field_violations]
    return message.code, message.message, infos, violations


def retry_delays(status: grpc.Status) -> list[float]:
    """The delay of each google.rpc.RetryInfo in the status, in seconds."""
    [(_, raw)] = [m for m in status.trailing_metadata if m[0] == "grpc-status-details-bin"]
    delays = []
    for detail in status_pb2.Status.FromString(raw).details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            detail.Unpack(retry)
            delays.append(retry.retry_delay.ToNanoseconds() / 1e9)
    return delays


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


def test_a_refusal_the_caller_may_retry_carries_a_retry_info_with_the_metadatas_delay() -> None:
    rate_limited = RpcFailure(
        grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED", "slow down", {"retry_after_seconds": "2.250"}
    )
    assert retry_delays(overloaded().to_status()) == [0.5]
    assert retry_delays(rate_limited.to_status()) == [2.25]


def test_a_refusal_without_a_time_to_retry_carries_no_retry_info() -> None:
    assert retry_delays(field_invalid("challenge", "too short").to_status()) == []


def test_a_shared_store_out_of_reach_is_unavailable_with_a_time_to_retry() -> None:
    refusal = to_failure(RetryableError(DomainErrorCode.SHARED_STORE_UNAVAILABLE, "Redis is down", 1.0))
    assert refusal is not None
    status = refusal.to_status()
    assert status.code is grpc.StatusCode.UNAVAILABLE
    assert decoded(status)[2] == [("SHARED_STORE_UNAVAILABLE", {"retry_after_seconds": "1.000"})]
    assert retry_delays(status) == [1.0]
