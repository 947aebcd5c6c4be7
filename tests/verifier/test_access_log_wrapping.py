"""Access logging wraps a method's handler once, at registration; with the log off, calls are still counted."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc
import pytest

from civid.rpc.interceptors import AccessLogged
from civid.rpc.metrics import REGISTRY

SERVICE = "civid.test.v1.Wrapped"


async def fine(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return b"ok"


@asynccontextmanager
async def serving(*, registered: bool) -> AsyncIterator[tuple[AccessLogged, grpc.aio.Channel]]:
    """A server with ``Fine`` added through AccessLogged as a generic handler, and also as a registered
    method (as generated code adds it) when ``registered``."""
    logged = AccessLogged(grpc.aio.server())
    handlers = {"Fine": grpc.unary_unary_rpc_method_handler(fine)}
    logged.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    if registered:
        logged.add_registered_method_handlers(SERVICE, handlers)
    port = logged.add_insecure_port("127.0.0.1:0")
    await logged.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield logged, channel
    finally:
        await channel.close()
        await logged.stop(None)


@pytest.fixture
async def served() -> AsyncIterator[tuple[AccessLogged, grpc.aio.Channel]]:
    async with serving(registered=False) as pair:
        yield pair


@pytest.fixture
async def registered() -> AsyncIterator[tuple[AccessLogged, grpc.aio.Channel]]:
    async with serving(registered=True) as pair:
        yield pair


async def test_a_methods_handler_is_wrapped_once_for_all_its_calls(
    served: tuple[AccessLogged, grpc.aio.Channel],
) -> None:
    logged, channel = served
    for _ in range(3):
        assert await channel.unary_unary(f"/{SERVICE}/Fine")(b"", timeout=10) == b"ok"
    assert list(logged._generic) == [f"/{SERVICE}/Fine"]


async def test_calls_are_counted_while_the_access_log_is_off(
    served: tuple[AccessLogged, grpc.aio.Channel], caplog: pytest.LogCaptureFixture
) -> None:
    _, channel = served
    labels = {"method": f"/{SERVICE}/Fine", "code": "OK"}
    before = REGISTRY.get_sample_value("civid_rpc_total", labels) or 0.0
    with caplog.at_level(logging.WARNING, logger="civid.access"):
        await channel.unary_unary(f"/{SERVICE}/Fine")(b"", timeout=10)
    assert REGISTRY.get_sample_value("civid_rpc_total", labels) == before + 1
    assert not [r for r in caplog.records if r.name == "civid.access"]


async def test_a_service_registered_through_access_logged_has_every_call_counted(
    registered: tuple[AccessLogged, grpc.aio.Channel],
) -> None:
    _, channel = registered
    labels = {"method": f"/{SERVICE}/Fine", "code": "OK"}
    before = REGISTRY.get_sample_value("civid_rpc_total", labels) or 0.0
    for _ in range(3):
        assert await channel.unary_unary(f"/{SERVICE}/Fine")(b"", timeout=10) == b"ok"
    assert REGISTRY.get_sample_value("civid_rpc_total", labels) == before + 3


async def test_a_service_registered_through_access_logged_has_its_calls_in_the_access_log(
    registered: tuple[AccessLogged, grpc.aio.Channel], caplog: pytest.LogCaptureFixture
) -> None:
    _, channel = registered
    with caplog.at_level(logging.INFO, logger="civid.access"):
        await channel.unary_unary(f"/{SERVICE}/Fine")(b"", timeout=10)
    logged_calls = [r for r in caplog.records if r.name == "civid.access"]
    assert [(r.method, r.status) for r in logged_calls] == [(f"/{SERVICE}/Fine", "OK")]  # type: ignore[attr-defined]
