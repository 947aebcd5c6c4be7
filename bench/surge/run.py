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
import multiprocessing
import secrets
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
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
GENERATOR_START_S = 8.0  # the load generators start together this long after they are spawned


@dataclass
class Surged:
    """What one or more load generators saw: latencies of admitted and refused calls, other errors."""

    admitted: list[float] = field(default_factory=list)
    refused: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    lag_s: float = 0.0  # the most a call was sent after its due time (the generator falling behind)
    cpu_s: float = 0.0  # the generators' own CPU

    def add(self, other: Surged) -> None:
        self.admitted += other.admitted
        self.refused += other.refused
        self.errors.update(other.errors)
        self.lag_s = max(self.lag_s, other.lag_s)
        self.cpu_s += other.cpu_s


async def _open_loop(
    address: str,
    key: str,
    items: Sequence[bytes],
    rate: float,
    seconds: float,
    connections: int,
    start: float,
) -> Surged:
    """Open loop at ``rate`` calls/s from wall-clock time ``start`` for ``seconds``."""
    out = Surged()
    metadata = (("authorization", f"Bearer {key}"),)
    opened = channels(address, connections)
    calls = [raw_verify_call(c) for c in opened]
    for channel in opened:
        await channel.channel_ready()

    async def one(call: Any, raw: bytes) -> None:
        started = time.perf_counter()
        try:
            await call(raw, metadata=metadata, timeout=30)
            out.admitted.append(time.perf_counter() - started)
        except grpc.aio.AioRpcError as exc:
            if exc.code() is not grpc.StatusCode.RESOURCE_EXHAUSTED:
                out.errors[f"{exc.code().name}: {exc.details()}"[:120]] += 1
                return
            out.refused.append(time.perf_counter() - started)

    await asyncio.sleep(max(0.0, start - time.time()))
    cpu_before = time.process_time()
    tasks = []
    began = time.perf_counter()
    for index, raw in enumerate(items):
        due = began + index / rate
        if due - began > seconds:
            break
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        out.lag_s = max(out.lag_s, time.perf_counter() - due)
        tasks.append(asyncio.create_task(one(calls[index % len(calls)], raw)))
    await asyncio.gather(*tasks)
    out.cpu_s = time.process_time() - cpu_before
    for channel in opened:
        await channel.close()
    return out


def _generator(job: tuple[str, str, Sequence[bytes], float, float, int, float]) -> Surged:
    return asyncio.run(_open_loop(*job))


def surge(
    address: str,
    key: str,
    items: Sequence[bytes],
    rate: float,
    seconds: float,
    connections: int,
    generators: int,
    start: float,
) -> Surged:
    """``generators`` load-generator processes, together open loop at ``rate`` calls/s (a real surge
    comes from many clients: one Python process falling behind its schedule would hide the server's
    latency behind its own)."""
    jobs = [
        (
            address,
            key,
            items[i::generators],
            rate / generators,
            seconds,
            max(1, connections // generators),
            start,
        )
        for i in range(generators)
    ]
    out = Surged()
    with multiprocessing.get_context("spawn").Pool(generators) as pool:
        for part in pool.map(_generator, jobs):
            out.add(part)
    return out


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


class CpuWindow(threading.Thread):
    """The CPU each process used from wall-clock ``start`` for ``seconds`` (sampled from /proc)."""

    def __init__(self, pids: Sequence[int], start: float, seconds: float) -> None:
        super().__init__(daemon=True)
        self.pids, self.begin, self.seconds = list(pids), start, seconds
        self.before: dict[int, float] = {}
        self.after: dict[int, float] = {}

    def run(self) -> None:
        time.sleep(max(0.0, self.begin - time.time()))
        self.before = cpu_seconds(self.pids)
        time.sleep(self.seconds)
        self.after = cpu_seconds(self.pids)

    def shares(self, server: int) -> str:
        """Each process's CPU as a share of one core (the server first, then its workers)."""
        return " ".join(
            f"{'server' if pid == server else f'pid{pid}'}="
            f"{(self.after[pid] - self.before.get(pid, 0.0)) / self.seconds:.2f}"
            for pid in self.pids
            if pid in self.after
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_server_arguments(parser)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=None, help="sustainable rate (default: measured)")
    parser.add_argument("--expected-rate", type=float, default=1200.0, help="sizes the VPs prepared")
    parser.add_argument("--concurrency", type=int, default=8, help="of the sustainable-rate run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--generators", type=int, default=2, help="load-generator processes")
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
            pids = process_tree(server.pid)
            start = time.time() + GENERATOR_START_S
            window = CpuWindow(pids, start, args.seconds)
            window.start()
            surged = surge(
                server.address,
                server.key,
                items,
                2 * rate,
                args.seconds,
                args.connections,
                args.generators,
                start,
            )
            window.join()
            load = load_average()
            wait_serving(server.address, timeout=5)  # still up and answering
            up = server.process.is_alive()
            peaks = peak_rss_mb(process_tree(server.pid))
    finally:
        issuer_server.close()
    p99 = percentile(surged.admitted, 99) * 1000
    refused_p99 = percentile(surged.refused, 99) * 1000
    print(
        f"admitted={len(surged.admitted)} refused={len(surged.refused)} errors={sum(surged.errors.values())} "
        f"server_up={up} admitted_p99_ms={p99:.1f} refused_p99_ms={refused_p99:.1f} "
        f"load_average={load.replace(' ', '/')}"
    )
    print("max_rss_mb " + " ".join(f"pid{pid}={mb:.0f}" for pid, mb in sorted(peaks.items())), flush=True)
    print(
        f"cpu_share_during_surge generators={surged.cpu_s / args.seconds:.2f} {window.shares(server.pid)} "
        f"generator_lag_max_ms={surged.lag_s * 1000:.1f}",
        flush=True,
    )
    for error, count in surged.errors.most_common(5):
        print(f"error {count}x {error}", flush=True)
    return 0 if up and not surged.errors and max(peaks.values(), default=0) < 500 else 1


if __name__ == "__main__":
    sys.exit(main())
