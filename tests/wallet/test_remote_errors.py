"""A refusal from a service, as the wallet tells the citizen: what happened and when to try again."""

from __future__ import annotations

import grpc
import pytest

from civid.core.errors import ErrorCode
from civid.rpc.errors import RpcFailure
from civid.wallet.clients.errors import remote_error


class Refused(grpc.RpcError):  # type: ignore[misc]  # grpc ships no type for RpcError
    """A failed call as grpc raises it: its code, message and trailers (with the rich status)."""

    def __init__(self, failure: RpcFailure) -> None:
        self._status = failure.to_status()

    def code(self) -> grpc.StatusCode:
        return self._status.code

    def details(self) -> str:
        return str(self._status.details)

    def trailing_metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        return tuple(self._status.trailing_metadata)


def refused(code: grpc.StatusCode, reason: str, **metadata: str) -> grpc.RpcError:
    return Refused(RpcFailure(code, reason, "refused", metadata))


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED"),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "OVERLOADED"),
        (grpc.StatusCode.UNAVAILABLE, "SHARED_STORE_UNAVAILABLE"),
    ],
)
def test_a_busy_service_tells_the_citizen_its_own_time_to_retry(code: grpc.StatusCode, reason: str) -> None:
    error = remote_error(refused(code, reason, retry_after_seconds="2.250"), "the verifier")
    assert error.message.endswith("wait 3 s and try again")
    assert error.reason == reason


def test_without_a_time_to_retry_the_citizen_is_told_to_wait_a_minute() -> None:
    error = remote_error(refused(grpc.StatusCode.RESOURCE_EXHAUSTED, "OVERLOADED"), "the verifier")
    assert error.message == "the service is busy; wait a minute and try again"
    assert error.code is ErrorCode.OVERLOADED


def test_a_retry_time_under_a_second_is_said_as_one_second() -> None:
    error = remote_error(
        refused(grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED", retry_after_seconds="0.100"),
        "the verifier",
    )
    assert error.message == "the service is busy; wait 1 s and try again"
