"""Load generator for the verifier: VP verifications over gRPC on 127.0.0.1, with the JS reference.

Issues ``--holders`` distinct holders' credentials beforehand (signed directly with a test issuer key
through civid.core, in a process pool), serves the issuer's DID document and status lists from an
in-bench issuer server, starts a real verifier (process pool engine by default), then drives
VerifyPresentation with ``--concurrency`` calls in flight: every VP carries a different credential
and a fresh challenge, with full checks including status. Prints throughput and p50/p99, Digital
Bazaar's single-process JS rate measured in the same run, and last:

    vp_per_s=<N> p50_ms=<X> p99_ms=<Y> reference_vp_per_s=<R>

    python bench/verifier/run.py [--holders 10000] [--vps 3000] [--seconds 20] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "verifier"))  # the in-bench issuer server and credential maker
sys.path.insert(0, str(ROOT / "bench" / "js_reference"))

import grpc  # noqa: E402
from server_fixtures import FakeIssuerServer, Holder, TestIssuer, ThreadedLoop, free_port, write_trust_file  # noqa: E402

from civid.core.crypto.keys import Ed25519KeyPair  # noqa: E402
from civid.verifier import app  # noqa: E402
from civid.verifier.settings import VerifierSettings  # noqa: E402
from civid.verifier.v1 import verifier_service_pb2 as pb  # noqa: E402
from civid.verifier.v1 import verifier_service_pb2_grpc as pb_grpc  # noqa: E402

DOMAIN = "https://kiosk.thai-domestic-air.example"
POLICY = "airline-domestic-boarding"
RP = "thai-domestic-air"


def _make(args: tuple[bytes, int, bool]) -> tuple[str, dict[str, Any] | None]:
    """One holder's credential; with ``present`` also its VP for a fresh challenge (as JSON)."""
    seed, index, present = args
    issuer = TestIssuer(key=Ed25519KeyPair.from_seed(seed))
    holder = Holder.new()
    credential = issuer.issue(holder.did, index)
    if not present:
        return credential["id"], None
    challenge = f"bench-{index}-{secrets.token_urlsafe(12)}"
    return credential["id"], {
        "presentation": holder.present([credential], challenge, DOMAIN),
        "challenge": challenge,
        "domain": DOMAIN,
    }


def issue_all(seed: bytes, holders: int, vps: int) -> list[dict[str, Any]]:
    started = time.perf_counter()
    jobs = [(seed, i, i < vps) for i in range(holders)]
    with multiprocessing.get_context("spawn").Pool() as pool:
        made = pool.map(_make, jobs, chunksize=64)
    ids = {m[0] for m in made}
    assert len(ids) == holders, "every holder must have a distinct credential"
    print(
        f"issued {holders} credentials ({vps} presented) in {time.perf_counter() - started:.1f} s", flush=True
    )
    return [m[1] for m in made if m[1] is not None]


async def drive(
    address: str, key: str, items: list[dict[str, Any]], seconds: float, concurrency: int
) -> tuple[list[float], int, int]:
    latencies: list[float] = []
    failures = refused = 0
    queue = iter(items)
    deadline = time.perf_counter() + seconds
    metadata = (("authorization", f"Bearer {key}"),)
    async with grpc.aio.insecure_channel(address) as channel:
        stub = pb_grpc.VerifierServiceStub(channel)

        async def worker() -> None:
            nonlocal failures, refused
            for item in queue:
                if time.perf_counter() > deadline:
                    return
                message = pb.VerifyPresentationRequest(
                    presentation_json=json.dumps(item["presentation"]),
                    challenge=item["challenge"],
                    domain=item["domain"],
                    policy_id=POLICY,
                )
                started = time.perf_counter()
                try:
                    answer = await stub.VerifyPresentation(message, metadata=metadata)
                except grpc.aio.AioRpcError as exc:
                    if exc.code() is grpc.StatusCode.RESOURCE_EXHAUSTED:
                        refused += 1
                        continue
                    raise
                latencies.append(time.perf_counter() - started)
                if not answer.result.verification.verified:
                    failures += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, failures, refused


def reference_rate(items: list[dict[str, Any]], issuer_document: dict[str, Any], seconds: float) -> float:
    from run import ReferenceBenchError, measure_reference_vp_rate  # bench/js_reference/run.py

    with tempfile.TemporaryDirectory() as tmp:
        vps = Path(tmp) / "vps.jsonl"
        vps.write_text("".join(json.dumps(i) + "\n" for i in items[:300]), encoding="utf-8")
        doc = Path(tmp) / "issuer.json"
        doc.write_text(json.dumps(issuer_document), encoding="utf-8")
        try:
            return measure_reference_vp_rate(vps, seconds, controller_docs=[doc])
        except ReferenceBenchError as exc:
            print(f"reference not measured: {exc}", flush=True)
            return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else (values[0] if values else 0.0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--holders", type=int, default=10_000)
    parser.add_argument(
        "--vps", type=int, default=3000, help="presentations prepared (each a different holder)"
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--engine", choices=("process", "thread"), default="process")
    parser.add_argument("--engine-workers", type=int, default=None)
    parser.add_argument("--reference-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    seed = secrets.token_bytes(32)
    items = issue_all(seed, args.holders, min(args.vps, args.holders))
    issuer = TestIssuer(key=Ed25519KeyPair.from_seed(seed))
    issuer_server = FakeIssuerServer(issuer).start()
    with tempfile.TemporaryDirectory() as tmp:
        trust = write_trust_file(Path(tmp) / "trust.toml", issuer.did, issuer_server.address)
        overrides: dict[str, Any] = {"engine": args.engine, "max_in_flight": max(args.concurrency * 2, 16)}
        if args.engine_workers:
            overrides["engine_workers"] = args.engine_workers
        settings = VerifierSettings(
            listen=f"127.0.0.1:{free_port()}", data_dir=Path(tmp) / "data", trust=trust, **overrides
        ).validate()
        key = {k.rp_id: k.api_key for k in app.prepare(settings, out=io.StringIO())}[RP]
        loop = ThreadedLoop()
        running = loop.call(lambda: app.start_verifier(settings))
        warm, items = items[: args.concurrency * 2], items[args.concurrency * 2 :]
        asyncio.run(drive(settings.listen, key, warm, 60, args.concurrency))
        started = time.perf_counter()
        latencies, failures, refused = asyncio.run(
            drive(settings.listen, key, items, args.seconds, args.concurrency)
        )
        elapsed = time.perf_counter() - started
        loop.call(lambda: running.stop(0))
        loop.close()
    issuer_server.close()
    rate = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    print(
        f"verified over gRPC: {len(latencies)} VPs in {elapsed:.1f} s, {failures} failed checks, {refused} refused"
    )
    reference = reference_rate(items, issuer.document, args.reference_seconds)
    print(
        f"vp_per_s={rate:.1f} p50_ms={p50:.1f} p99_ms={p99:.1f} reference_vp_per_s={reference:.1f}",
        flush=True,
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
