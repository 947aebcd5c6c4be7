"""Surge: twice the sustainable rate for 60 s against a real verifier on 127.0.0.1.

Starts ``civid verifier serve`` in its own process (as bench/verifier does), measures the sustainable
rate first (a short closed-loop run, or ``--rate``), then sends VerifyPresentation calls open-loop at
twice that rate (every VP a fresh challenge, the credentials of ``--holders`` distinct holders).
Admission control must answer the excess with RESOURCE_EXHAUSTED at once while admitted calls keep
their latency; prints admitted/refused counts, the admitted p99, the refused p99, whether the server
is still up, the peak RSS of every verifier process (the server and its verification workers) and
the load average.

    python bench/surge/run.py [--seconds 60] [--rate N] [--max-in-flight 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "verifier"))
sys.path.insert(0, str(ROOT / "tests" / "verifier"))

import grpc  # noqa: E402
from run import (  # noqa: E402  (bench/verifier/run.py)
    add_server_arguments,
    channels,
    cpu_seconds,
    drive,
    issue_all,
    load_average,
    percentile,
    process_tree,
    raw_verify_call,
    server_overrides,
    verifier_server,
    wait_serving,
)
from server_fixtures import FakeIssuerServer, TestIssuer  # noqa: E402

from civid.core.crypto.keys import Ed25519KeyPair  # noqa: E402

SAMPLE_SECONDS = 5.0
WARM_ITEMS = 600  # the first calls fill the caches (contexts, shapes): not part of the sample
SAMPLE_ITEMS = 5000  # more than SAMPLE_SECONDS can use at the rates seen, so the time ends the sample


async def surge(
    address: str, key: str, items: Sequence[bytes], rate: float, seconds: float, connections: int
) -> tuple[list[float], int, list[float], int]:
    """Open loop at ``rate`` calls/s: (admitted latencies, refused, refused latencies, other errors)."""
    admitted: list[float] = []
    refused_latency: list[float] = []
    errors = 0
    metadata = (("authorization", f"Bearer {key}"),)
    opened = channels(address, connections)
    calls = [raw_verify_call(c) for c in opened]

    async def one(call: Any, raw: bytes) -> None:
        nonlocal errors
        started = time.perf_counter()
        try:
            await call(raw, metadata=metadata, timeout=30)
            admitted.append(time.perf_counter() - started)
        except grpc.aio.AioRpcError as exc:
            if exc.code() is not grpc.StatusCode.RESOURCE_EXHAUSTED:
                errors += 1
                return
            refused_latency.append(time.perf_counter() - started)

    tasks = []
    started = time.perf_counter()
    for index, raw in enumerate(items):
        due = started + index / rate
        if due - started > seconds:
            break
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(calls[index % len(calls)], raw)))
    await asyncio.gather(*tasks)
    for channel in opened:
        await channel.close()
    return admitted, len(refused_latency), refused_latency, errors


def peak_rss_mb(pids: Sequence[int]) -> dict[int, float]:
    """Peak resident set (VmHWM) of each process, in MB."""
    peaks = {}
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
        peaks[pid] = int(line.split()[1]) / 1024
    return peaks


def sustainable_rate(
    address: str, key: str, items: Sequence[bytes], args: argparse.Namespace
) -> tuple[float, Sequence[bytes]]:
    """Closed-loop VPs per second over SAMPLE_SECONDS, after a warm-up; and the items left.

    The loop keeps at most ``max_in_flight`` calls in flight (more would be refused, which is not
    the rate the server sustains), and the rate is counted over the time the sample really took."""
    sample, rest = items[:SAMPLE_ITEMS], items[SAMPLE_ITEMS:]
    concurrency = min(args.concurrency, args.max_in_flight or args.concurrency)
    asyncio.run(drive(address, key, sample[:WARM_ITEMS], 60, concurrency))
    started = time.perf_counter()
    latencies, _, _ = asyncio.run(drive(address, key, sample[WARM_ITEMS:], SAMPLE_SECONDS, concurrency))
    return len(latencies) / (time.perf_counter() - started), rest


def cpu_share(
    before: dict[int, float], after: dict[int, float], seconds: float, pids: Sequence[int], server: int
) -> str:
    """Each process's CPU during the surge as a share of one core (the bench first, then the server)."""
    names = {pids[0]: "bench", server: "server"}
    return " ".join(
        f"{names.get(pid, f'pid{pid}')}={(after[pid] - before.get(pid, 0.0)) / seconds:.2f}"
        for pid in pids
        if pid in after
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_server_arguments(parser)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=None, help="sustainable rate (default: measured)")
    parser.add_argument("--expected-rate", type=float, default=200.0, help="sizes the VPs prepared")
    parser.add_argument("--concurrency", type=int, default=8, help="of the sustainable-rate run")
    parser.add_argument("--connections", type=int, default=8)
    parser.set_defaults(max_in_flight=8)
    args = parser.parse_args(argv)
    seed = secrets.token_bytes(32)
    expected = int((args.rate or args.expected_rate) * 2 * args.seconds * 1.1) + SAMPLE_ITEMS
    items = issue_all(seed, args.holders, expected)
    issuer = TestIssuer(key=Ed25519KeyPair.from_seed(seed))
    issuer_server = FakeIssuerServer(issuer).start()
    try:
        with verifier_server(issuer.did, issuer_server.address, server_overrides(args)) as server:
            rate = args.rate
            if rate is None:
                rate, items = sustainable_rate(server.address, server.key, items, args)
            if len(items) < 2 * rate * args.seconds:
                print(f"only {len(items)} VPs prepared: raise --expected-rate", flush=True)
            print(
                f"sustainable rate {rate:.1f}/s; surging at {2 * rate:.1f}/s for {args.seconds:.0f} s",
                flush=True,
            )
            pids = [os.getpid(), *process_tree(server.pid)]
            cpu_before, started = cpu_seconds(pids), time.perf_counter()
            admitted, refused, refused_latency, errors = asyncio.run(
                surge(server.address, server.key, items, 2 * rate, args.seconds, args.connections)
            )
            busy = cpu_share(cpu_before, cpu_seconds(pids), time.perf_counter() - started, pids, server.pid)
            load = load_average()
            wait_serving(server.address, timeout=5)  # still up and answering
            up = server.process.is_alive()
            peaks = peak_rss_mb(process_tree(server.pid))
    finally:
        issuer_server.close()
    p99 = percentile(admitted, 99) * 1000
    refused_p99 = percentile(refused_latency, 99) * 1000
    print(
        f"admitted={len(admitted)} refused={refused} errors={errors} server_up={up} "
        f"admitted_p99_ms={p99:.1f} refused_p99_ms={refused_p99:.1f} load_average={load.replace(' ', '/')}"
    )
    print("max_rss_mb " + " ".join(f"pid{pid}={mb:.0f}" for pid, mb in sorted(peaks.items())), flush=True)
    print(f"cpu_share_during_surge {busy}", flush=True)
    return 0 if up and errors == 0 and max(peaks.values(), default=0) < 500 else 1


if __name__ == "__main__":
    sys.exit(main())
