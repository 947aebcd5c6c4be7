"""civid-loadgen, the benchmarks' native load generator: it must report every call as the server answered it."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from types import ModuleType

import grpc
import pytest

pytestmark = pytest.mark.slow

LOADGEN_PY = Path(__file__).resolve().parents[2] / "bench" / "loadgen" / "loadgen.py"
METHOD = "/test.Echo/Echo"
REFUSE = b"refuse:"


@pytest.fixture(scope="module")
def loadgen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("civid_bench_loadgen", LOADGEN_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.build()
    return module


def _echo(request: bytes, context: grpc.ServicerContext) -> bytes:
    """Answers with the request and the caller's authorization, or refuses requests marked so."""
    if request.startswith(REFUSE):
        context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "over capacity")
    authorization = dict(context.invocation_metadata()).get("authorization", "")
    return request + b"|" + authorization.encode()


@pytest.fixture(scope="module")
def echo_server() -> Iterator[str]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    handler = grpc.method_handlers_generic_handler(
        "test.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(_echo)}
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(None)


def test_closed_loop_sends_every_request_once_and_returns_each_answer(
    loadgen: ModuleType, echo_server: str
) -> None:
    requests = [f"request-{i}".encode() for i in range(300)]

    run = loadgen.run(echo_server, METHOD, requests, seconds=30, metadata=("authorization", "Bearer k"))

    assert [c.index for c in run.calls] == list(range(300))
    assert all(c.code == 0 for c in run.calls)
    assert [c.payload for c in run.calls] == [r + b"|Bearer k" for r in requests]


def test_closed_loop_keeps_at_most_the_given_calls_in_flight(loadgen: ModuleType, echo_server: str) -> None:
    run = loadgen.run(echo_server, METHOD, [b"x"] * 200, seconds=30, concurrency=3)

    events = sorted([(c.sent_s, 1) for c in run.calls] + [(c.done_s, -1) for c in run.calls])
    in_flight = peak = 0
    for _, step in events:
        in_flight += step
        peak = max(peak, in_flight)
    assert peak <= 3


def test_refusals_come_back_with_their_status_code_and_message(loadgen: ModuleType, echo_server: str) -> None:
    requests = [REFUSE + b"1", b"fine", REFUSE + b"2"]

    run = loadgen.run(echo_server, METHOD, requests, seconds=30)

    assert [c.code for c in run.calls] == [grpc.StatusCode.RESOURCE_EXHAUSTED.value[0], 0, 8]
    assert run.calls[0].message == "over capacity"
    assert run.calls[1].payload == b"fine|"


def test_open_loop_sends_on_schedule_and_stops_at_the_time_limit(
    loadgen: ModuleType, echo_server: str
) -> None:
    run = loadgen.run(echo_server, METHOD, [b"x"] * 1000, seconds=1.0, rate=200)

    assert len(run.calls) == 200  # due at 0, 5 ms, ..., 995 ms; none at 1 s or after
    assert [round(c.due_s, 3) for c in run.calls[:3]] == [0.0, 0.005, 0.01]
    assert all(c.sent_s >= c.due_s for c in run.calls)


def test_open_loop_generators_start_together_at_a_wall_clock_time(
    loadgen: ModuleType, echo_server: str
) -> None:
    start = time.time() + 1.5

    loadgen.run(echo_server, METHOD, [b"x"], seconds=1, rate=10, start_at_unix=start)

    assert time.time() >= start


def test_an_unreachable_server_is_a_clear_error(loadgen: ModuleType) -> None:
    with pytest.raises(loadgen.LoadgenError, match="cannot connect"):
        loadgen.run("127.0.0.1:1", METHOD, [b"x"], seconds=1)
