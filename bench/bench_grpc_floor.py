"""The floor under bench/verifier: CPU per call of a bare grpc.aio unary call on 127.0.0.1.

A server that answers a fixed 200-byte response to a ~15 KB request (a VP's size), in its own process,
driven with 8 calls in flight over 4 connections by the client this bench measures, first with
grpc.aio and then with grpc's blocking API in threads. Prints the client's and the server's CPU
milliseconds per call: what any Python gRPC verifier on this machine pays before verifying anything.

    .venv/bin/python bench/bench_grpc_floor.py [--calls 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

METHOD = "/civid.bench.Echo/Echo"
PAYLOAD = b"x" * 15_000
ANSWER = b"ok" * 100
METADATA = (("authorization", "Bearer bench"),)


def serve(port: int) -> None:
    async def main() -> None:
        server = grpc.aio.server()

        async def echo(request: bytes, context: Any) -> bytes:
            return ANSWER

        handler = grpc.method_handlers_generic_handler(
            "civid.bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}
        )
        server.add_generic_rpc_handlers((handler,))
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        await server.wait_for_termination()

    asyncio.run(main())


def aio_client(address: str, calls: int, concurrency: int) -> None:
    async def main() -> None:
        channels = [
            grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])
            for _ in range(4)
        ]
        stubs = [channel.unary_unary(METHOD) for channel in channels]
        remaining = iter(range(calls))

        async def worker(call: Any) -> None:
            for _ in remaining:
                await call(PAYLOAD, metadata=METADATA)

        await asyncio.gather(*(worker(stubs[i % len(stubs)]) for i in range(concurrency)))
        for channel in channels:
            await channel.close()

    asyncio.run(main())


def blocking_client(address: str, calls: int, concurrency: int) -> None:
    channels = [
        grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)]) for _ in range(4)
    ]
    stubs = [channel.unary_unary(METHOD) for channel in channels]
    remaining = iter(range(calls))
    lock = threading.Lock()

    def worker(call: Any) -> None:
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            call(PAYLOAD, metadata=METADATA)

    threads = [threading.Thread(target=worker, args=(stubs[i % len(stubs)],)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for channel in channels:
        channel.close()


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    label: str, client: Callable[[str, int, int], None], address: str, server_pid: int, calls: int
) -> None:
    server_before, cpu_before, wall_before = process_cpu(server_pid), time.process_time(), time.perf_counter()
    client(address, calls, 8)
    client_ms = (time.process_time() - cpu_before) / calls * 1000
    server_ms = (process_cpu(server_pid) - server_before) / calls * 1000
    rate = calls / (time.perf_counter() - wall_before)
    print(
        f"{label:<22} client {client_ms:.2f} ms CPU/call, server {server_ms:.2f} ms CPU/call, {rate:.0f} calls/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--port", type=int, default=50551)
    args = parser.parse_args()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(args.port,), daemon=True)
    server.start()
    assert server.pid is not None
    address = f"127.0.0.1:{args.port}"
    time.sleep(2.0)
    try:
        aio_client(address, 500, 8)  # warm up
        for label, client in (("grpc.aio client", aio_client), ("blocking client", blocking_client)):
            measure(label, client, address, server.pid, args.calls)
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
