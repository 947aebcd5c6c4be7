"""Surge: twice the sustainable rate for 60 s against a real verifier on 127.0.0.1.

Measures the sustainable rate first (a short closed-loop run, or ``--rate``), then sends
VerifyPresentation calls open-loop at twice that rate (every VP a different credential, a fresh
challenge). Admission control must answer the excess with RESOURCE_EXHAUSTED at once while admitted
calls keep their latency; prints admitted/refused counts, the admitted p99 and the peak RSS of
every verifier process (the server and its verification workers).

    python bench/surge/run.py [--seconds 60] [--rate N] [--max-in-flight 8]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import secrets
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "verifier"))
sys.path.insert(0, str(ROOT / "tests" / "verifier"))

import os  # noqa: E402

import grpc  # noqa: E402
from run import POLICY, RP, drive, issue_all, percentile  # noqa: E402  (bench/verifier/run.py)
from server_fixtures import FakeIssuerServer, TestIssuer, ThreadedLoop, free_port, write_trust_file  # noqa: E402

from civid.core.crypto.keys import Ed25519KeyPair  # noqa: E402
from civid.verifier import app  # noqa: E402
from civid.verifier.settings import VerifierSettings  # noqa: E402
from civid.verifier.v1 import verifier_service_pb2 as pb  # noqa: E402
from civid.verifier.v1 import verifier_service_pb2_grpc as pb_grpc  # noqa: E402


async def surge(
    address: str, key: str, items: list[dict[str, Any]], rate: float, seconds: float
) -> tuple[list[float], int, list[float]]:
    admitted: list[float] = []
    refused_latency: list[float] = []
    refused = 0
    metadata = (("authorization", f"Bearer {key}"),)
    async with grpc.aio.insecure_channel(address) as channel:
        stub = pb_grpc.VerifierServiceStub(channel)

        async def one(item: dict[str, Any]) -> None:
            nonlocal refused
            message = pb.VerifyPresentationRequest(
                presentation_json=json.dumps(item["presentation"]),
                challenge=item["challenge"],
                domain=item["domain"],
                policy_id=POLICY,
            )
            started = time.perf_counter()
            try:
                await stub.VerifyPresentation(message, metadata=metadata, timeout=30)
                admitted.append(time.perf_counter() - started)
            except grpc.aio.AioRpcError as exc:
                if exc.code() is not grpc.StatusCode.RESOURCE_EXHAUSTED:
                    raise
                refused += 1
                refused_latency.append(time.perf_counter() - started)

        tasks = []
        started = time.perf_counter()
        for index, item in enumerate(items):
            due = started + index / rate
            if due - started > seconds:
                break
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(item)))
        await asyncio.gather(*tasks)
    return admitted, refused, refused_latency


def peak_rss_mb() -> dict[int, float]:
    """Peak resident set (VmHWM) of this process and its descendants, in MB."""
    pids, peaks = [os.getpid()], {}
    for pid in pids:  # this process (the server) and its descendants (the verification workers)
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            pids += [int(c) for c in children.read_text().split()]
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
        peaks[pid] = int(line.split()[1]) / 1024
    return peaks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=None, help="sustainable rate (default: measured)")
    parser.add_argument("--max-in-flight", type=int, default=8)
    parser.add_argument("--holders", type=int, default=10_000)
    args = parser.parse_args(argv)
    seed = secrets.token_bytes(32)
    expected = int((args.rate or 80) * 2 * args.seconds) + 600
    items = issue_all(seed, max(args.holders, expected), expected)
    issuer = TestIssuer(key=Ed25519KeyPair.from_seed(seed))
    issuer_server = FakeIssuerServer(issuer).start()
    with tempfile.TemporaryDirectory() as tmp:
        trust = write_trust_file(Path(tmp) / "trust.toml", issuer.did, issuer_server.address)
        settings = VerifierSettings(
            listen=f"127.0.0.1:{free_port()}",
            data_dir=Path(tmp) / "data",
            trust=trust,
            max_in_flight=args.max_in_flight,
        ).validate()
        key = {k.rp_id: k.api_key for k in app.prepare(settings, out=io.StringIO())}[RP]
        loop = ThreadedLoop()
        running = loop.call(lambda: app.start_verifier(settings))
        rate = args.rate
        if rate is None:
            sample, items = items[:500], items[500:]
            latencies, _, _ = asyncio.run(drive(settings.listen, key, sample, 5.0, args.max_in_flight))
            rate = len(latencies) / 5.0
        print(
            f"sustainable rate {rate:.1f}/s; surging at {2 * rate:.1f}/s for {args.seconds:.0f} s", flush=True
        )
        admitted, refused, refused_latency = asyncio.run(
            surge(settings.listen, key, items, 2 * rate, args.seconds)
        )
        peaks = peak_rss_mb()
        loop.call(lambda: running.stop(0))
        loop.close()
    issuer_server.close()
    p99 = percentile(admitted, 99) * 1000
    refused_p99 = percentile(refused_latency, 99) * 1000
    print(
        f"admitted={len(admitted)} refused={refused} admitted_p99_ms={p99:.1f} refused_p99_ms={refused_p99:.1f}"
    )
    print("max_rss_mb " + " ".join(f"pid{pid}={mb:.0f}" for pid, mb in sorted(peaks.items())), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
