"""The access log and call metrics of civid.rpc: status of each call, request ids, JSON lines."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence

import grpc
import pytest

from civid.rpc.logs import JsonFormatter
from civid.rpc.metrics import REGISTRY
from civid.rpc.server import BuiltServer, ServerSettings, build_server

SERVICE = "civid.test.v1.Probe"


async def fine(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return b"ok"


async def refuse(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    await context.abort(grpc.StatusCode.PERMISSION_DENIED, "no")
    raise AssertionError("unreachable")


async def crash(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    raise RuntimeError("a bug")


def register(server: grpc.aio.Server) -> Sequence[str]:
    handlers = {
        name: grpc.unary_unary_rpc_method_handler(handler)
        for name, handler in (("Fine", fine), ("Refuse", refuse), ("Crash", crash))
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    return [SERVICE]


@pytest.fixture
async def probe() -> AsyncIterator[tuple[BuiltServer, grpc.aio.Channel]]:
    built = build_server(ServerSettings(listen="127.0.0.1:0"), register)
    await built.server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{built.port}")
    try:
        yield built, channel
    finally:
        await channel.close()
        await built.server.stop(None)


async def call(channel: grpc.aio.Channel, method: str, request_id: str) -> grpc.StatusCode:
    stub = channel.unary_unary(f"/{SERVICE}/{method}")
    try:
        await stub(b"", metadata=(("x-request-id", request_id),), timeout=10)
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def access_entries(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == "civid.access" and getattr(r, "request_id", "") == request_id
    ]


@pytest.mark.parametrize(
    ("method", "expected"),
    [("Fine", "OK"), ("Refuse", "PERMISSION_DENIED"), ("Crash", "UNKNOWN")],
)
async def test_each_call_is_logged_and_counted_with_its_final_status(
    probe: tuple[BuiltServer, grpc.aio.Channel], caplog: pytest.LogCaptureFixture, method: str, expected: str
) -> None:
    _, channel = probe
    full = f"/{SERVICE}/{method}"
    before = REGISTRY.get_sample_value("civid_rpc_total", {"method": full, "code": expected}) or 0.0
    request_id = f"probe-{method}"
    with caplog.at_level(logging.INFO, logger="civid.access"):
        code = await call(channel, method, request_id)
    assert code.name == expected
    [entry] = access_entries(caplog, request_id)
    assert (entry.__dict__["method"], entry.__dict__["status"]) == (full, expected)
    assert REGISTRY.get_sample_value("civid_rpc_total", {"method": full, "code": expected}) == before + 1


async def test_a_call_without_x_request_id_gets_a_fresh_one(
    probe: tuple[BuiltServer, grpc.aio.Channel], caplog: pytest.LogCaptureFixture
) -> None:
    _, channel = probe
    with caplog.at_level(logging.INFO, logger="civid.access"):
        for _ in range(2):
            await channel.unary_unary(f"/{SERVICE}/Fine")(b"", timeout=10)
    ids = [r.__dict__["request_id"] for r in caplog.records if r.name == "civid.access"]
    assert len(ids) == 2 and len(set(ids)) == 2 and all(ids)


def test_json_formatter_writes_one_object_with_the_extra_fields() -> None:
    record = logging.LogRecord("civid.access", logging.INFO, __file__, 1, "rpc", (), None)
    record.__dict__.update({"event": "rpc", "request_id": "r-1", "status": "OK"})
    entry = json.loads(JsonFormatter("verifier").format(record))
    assert entry["service"] == "verifier" and entry["level"] == "info" and entry["message"] == "rpc"
    assert (entry["event"], entry["request_id"], entry["status"]) == ("rpc", "r-1", "OK")
