"""Surge: twice the sustainable rate for 60 s against a real verifier on 127.0.0.1.

Starts ``civid verifier serve --gateway`` in its own process (``--no-gateway``: the server processes
alone), measures the sustainable rate first (a short closed-loop run through the same front, or
``--rate``), then sends VerifyPresentation calls open-loop at twice that rate with civid-loadgen
(every VP a fresh challenge, the credentials of ``--holders`` distinct holders).
Admission control must answer the excess with RESOURCE_EXHAUSTED at once while admitted calls keep
their latency; prints admitted/refused counts, the admitted p99, the refused p99, whether the server
is still up, the peak RSS of every verifier process (the gateway, the server and its verification
workers) and the load average.

    python bench/surge/run.py [--seconds 60] [--rate N] [--max-in-flight 8]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "verifier"))
sys.path.insert(0, str(ROOT / "tests" / "verifier"))
sys.path.insert(0, str(ROOT / "bench" / "loadgen"))

import grpc  # noqa: E402
import loadgen  # noqa: E402  (bench/loadgen/loadgen.py)
from run import (  # noqa: E402  (bench/verifier/run.py)
    add_server_arguments,
    cpu_seconds,
    drive_native,
    issue_all,
    load_average,
    percentile,
    process_tree,
    send_verifications,
    server_overrides,
    verified,
    verifier_server,
    wait_serving,
)
from server_fixtures import FakeIssuerServer, TestIssuer  # noqa: E402

from civid.core.crypto.keys import Ed25519KeyPair  # noqa: E402

SAMPLE_SECONDS = 5.0
WARM_ITEMS = 600  # the first calls fill the caches (contexts, shapes): not part of the sample
SAMPLE_ITEMS = 5000  # more than SAMPLE_SECONDS can use at the rates seen, so the time ends the sample
GENERATOR_START_S = 10.0  # the load generator and the CPU window start together this long after
GENERATOR_READ_BYTES_PER_S = 100e6  # ...plus the time to write and read its requests at this speed
STATUS_NAMES = {code.value[0]: code.name for code in grpc.StatusCode}


@dataclass
class Surged:
    """What the load generator saw: latencies of admitted and refused calls, other errors."""

    admitted: list[float] = field(default_factory=list)
    refused: list[float] = field(default_factory=list)
    unverified: int = 0  # admitted calls whose answer was not "verified" (there should be none)
    errors: Counter[str] = field(default_factory=Counter)
    lag_s: float = 0.0  # the most a call was sent after its due time (the generator falling behind)
    cpu_s: float = 0.0  # the generator's own CPU


def surge(
    address: str,
    key: str,
    items: Sequence[bytes],
    rate: float,
    seconds: float,
    connections: int,
    start: float,
) -> Surged:
    """Open loop at ``rate`` calls/s from wall-clock time ``start`` for ``seconds`` (civid-loadgen sends
    on its schedule whatever the server does, as many independent clients would)."""
    run = send_verifications(address, key, items, seconds, connections, rate=rate, start_at_unix=start)
    if run.late_start_ms > 100:
        print(
            f"the load generator started {run.late_start_ms:.0f} ms late: the CPU window is off", flush=True
        )
    out = Surged(lag_s=run.lag_max_ms / 1000, cpu_s=run.cpu_s)
    for call in run.calls:
        if call.code == grpc.StatusCode.OK.value[0]:
            out.admitted.append(call.latency_s)
            if not verified(call):
                out.unverified += 1
        elif call.code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]:
            out.refused.append(call.latency_s)
        else:
            out.errors[f"{STATUS_NAMES.get(call.code, call.code)}: {call.message}"[:120]] += 1
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
    drive_native(address, key, sample[:WARM_ITEMS], 60, concurrency)
    driven = drive_native(address, key, sample[WARM_ITEMS:], SAMPLE_SECONDS, concurrency)
    return len(driven.latencies) / driven.elapsed_s, rest


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
    add_server_arguments(parser, gateway=True)  # the deployment that holds a surge
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=None, help="sustainable rate (default: measured)")
    parser.add_argument("--expected-rate", type=float, default=1200.0, help="sizes the VPs prepared")
    parser.add_argument("--concurrency", type=int, default=8, help="of the sustainable-rate run")
    parser.add_argument("--connections", type=int, default=8)
    parser.set_defaults(max_in_flight=8)
    args = parser.parse_args(argv)
    loadgen.build()  # before the minutes of issuing, so that a missing compiler fails at once
    seed = secrets.token_bytes(32)
    expected = int((args.rate or args.expected_rate) * 2 * args.seconds * 1.1) + SAMPLE_ITEMS
    items = issue_all(seed, args.holders, expected, args.card_photo)
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
            # what the open loop sends, and no more: the generator writes and reads them before it starts
            items = items[: int(2 * rate * args.seconds) + 1]
            size = sum(map(len, items))
            start = time.time() + GENERATOR_START_S + size / GENERATOR_READ_BYTES_PER_S
            window = CpuWindow(pids, start, args.seconds)
            window.start()
            surged = surge(
                server.address,
                server.key,
                items,
                2 * rate,
                args.seconds,
                args.connections,
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
        f"unverified={surged.unverified} "
        f"server_up={up} admitted_p99_ms={p99:.1f} refused_p99_ms={refused_p99:.1f} "
        f"load_average={load.replace(' ', '/')}"
    )
    print("max_rss_mb " + " ".join(f"pid{pid}={mb:.0f}" for pid, mb in sorted(peaks.items())), flush=True)
    print(
        f"cpu_share_during_surge loadgen={surged.cpu_s / args.seconds:.2f} {window.shares(server.pid)} "
        f"generator_lag_max_ms={surged.lag_s * 1000:.1f}",
        flush=True,
    )
    for error, count in surged.errors.most_common(5):
        print(f"error {count}x {error}", flush=True)
    return (
        0
        if up and not surged.errors and not surged.unverified and max(peaks.values(), default=0) < 500
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
