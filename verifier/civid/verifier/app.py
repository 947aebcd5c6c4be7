"""Assembling and running the verifier: storage, trust, engine, servicers, server, worker processes.

``serve_forever(settings)`` is ``civid verifier serve``. With ``workers > 1`` the parent prepares the
database and the relying parties once, then runs that many server processes on one port
(SO_REUSEPORT), sharing nonces and rate-limit buckets through Redis, and stops them all on
SIGTERM/SIGINT. With ``gateway`` the parent also runs nginx on the listen address, and the server
processes listen on Unix sockets behind it (:mod:`civid.verifier.gateway`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Final, TextIO

import grpc
from sqlalchemy import Engine

from civid.rpc import metrics
from civid.rpc.logs import configure_logging
from civid.rpc.server import (
    BuiltServer,
    ServerSettings,
    TlsFiles,
    build_server,
    mark_serving,
    run_until_signalled,
)
from civid.verifier.config.policies import SHIPPED_POLICIES, PolicySet, load_policies
from civid.verifier.config.relying_parties import SHIPPED_RELYING_PARTIES, load_relying_party_specs
from civid.verifier.domain.admission import InFlightLimiter, RateLimit, RateLimiter
from civid.verifier.domain.bootstrap import KEYS_FILE_NAME, CreatedKey, bootstrap_relying_parties
from civid.verifier.domain.freshness import challenge_memory_s
from civid.verifier.domain.idempotency import IdempotencyStore
from civid.verifier.domain.nonces import InMemoryNonceStore, NonceStore, RedisNonceStore
from civid.verifier.domain.relying_parties import RelyingPartyRegistry
from civid.verifier.domain.requests import PresentationRequestStore
from civid.verifier.domain.shared_rate_limits import RedisRateLimiter
from civid.verifier.domain.storage.engine import make_engine
from civid.verifier.domain.storage.migrate import migrate
from civid.verifier.engine import VerificationEngine, WorkerConfig
from civid.verifier.gateway import (
    Gateway,
    GatewayError,
    GatewayPlan,
    private_directory,
    server_socket,
    wait_for_sockets,
    write_config,
)
from civid.verifier.service.admin import SERVICE_NAME as ADMIN_SERVICE
from civid.verifier.service.admin import RelyingPartyAdminServicer
from civid.verifier.service.deps import VerifierDeps
from civid.verifier.service.verifier import SERVICE_NAME as VERIFIER_SERVICE
from civid.verifier.service.verifier import VerifierServicer
from civid.verifier.settings import VerifierSettings
from civid.verifier.trust.config import load_trust
from civid.verifier.trust.store import TrustStore
from civid.verifier.v1 import relying_party_admin_service_pb2_grpc, verifier_service_pb2_grpc

log = logging.getLogger("civid.verifier")
ADMIN_TOKEN_FILE: Final = "admin-token"
TRANSPORT_SLACK_BYTES: Final = 64 * 1024  # the transport limit sits just above the presentation limit
# nginx drops a pooled connection to a server process on any frame that arrives while it is idle
# (nginx/nginx#929), and gRPC's bandwidth probes send PINGs after the data: without them, one
# connection serves call after call instead of a new one (and its handshake) per call.
#
# The gateway passes the client certificate it verified in a header (URL-encoded PEM, a third larger
# than the PEM): a certificate naming many hosts is over gRPC's default metadata limits (8 KiB refused
# at random, 16 KiB always). Behind the gateway the servers take up to GATEWAY_METADATA_BYTES.
GATEWAY_METADATA_BYTES: Final = 64 * 1024
BEHIND_GATEWAY_OPTIONS: Final = (
    ("grpc.http2.bdp_probe", 0),
    ("grpc.max_metadata_size", GATEWAY_METADATA_BYTES),
    ("grpc.absolute_max_metadata_size", GATEWAY_METADATA_BYTES),
)
SUPERVISE_POLL_S: Final = 1.0  # how often the supervisor looks at the gateway and server processes


def open_database(settings: VerifierSettings) -> Engine:
    engine = make_engine(settings.database_url or settings.data_dir)
    migrate(engine)
    return engine


def load_policy_set(settings: VerifierSettings) -> PolicySet:
    return load_policies(settings.policies or SHIPPED_POLICIES)


def admin_token(settings: VerifierSettings) -> str:
    """The operator's token: CIVID_VERIFIER_ADMIN_TOKEN, the configured file, or one made on first start."""
    if token := os.environ.get("CIVID_VERIFIER_ADMIN_TOKEN"):
        return token.strip()
    path = settings.admin_token_file or settings.data_dir / ADMIN_TOKEN_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="utf-8").strip()


def prepare(settings: VerifierSettings, out: TextIO = sys.stdout) -> list[CreatedKey]:
    """Migrate the database and register the shipped relying parties (their keys printed once)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_database(settings)
    policies = load_policy_set(settings)
    specs = load_relying_party_specs(policies, settings.relying_parties or SHIPPED_RELYING_PARTIES)
    created = bootstrap_relying_parties(RelyingPartyRegistry(engine, policies), specs, settings.data_dir)
    for key in created:
        print(f"relying party {key.rp_id}: API key {key.api_key}", file=out)
    if created:
        print(f"(shown once; also in {settings.data_dir / KEYS_FILE_NAME}, mode 0600)", file=out, flush=True)
    admin_token(settings)
    engine.dispose()
    return created


def nonce_store(settings: VerifierSettings) -> NonceStore:
    if settings.redis_url:
        return RedisNonceStore.from_url(settings.redis_url, settings.redis_prefix + "nonce:")
    return InMemoryNonceStore()


def rate_limiter(settings: VerifierSettings) -> RateLimit:
    """The relying parties' token buckets: in Redis, shared by every process, when there is one;
    else in this process (the only one: ``workers > 1`` needs Redis)."""
    if settings.redis_url:
        return RedisRateLimiter.from_url(
            settings.redis_url, settings.redis_prefix + "rate:", settings.rp_rate_per_s, settings.rp_burst
        )
    return RateLimiter(settings.rp_rate_per_s, settings.rp_burst)


def _listen_address(settings: VerifierSettings, index: int) -> str:
    """Where server process ``index`` listens: the listen address, or its socket behind the gateway."""
    if not settings.gateway:
        return settings.listen
    path = server_socket(settings, index)
    private_directory(path.parent)  # mode 0700: only nginx (this user) may connect to the socket
    return f"unix:{path}"


@dataclass
class RunningVerifier:
    """A started verifier in this process: its server, bound port and what must be closed."""

    built: BuiltServer
    engine: VerificationEngine
    database: Engine

    @property
    def port(self) -> int:
        return self.built.port

    async def stop(self, grace: float = 1.0) -> None:
        await self.built.server.stop(grace)
        await self.engine.close()
        self.database.dispose()


async def start_verifier(settings: VerifierSettings, index: int = 0) -> RunningVerifier:
    """Build and start one verifier server in this process (the database must be prepared)."""
    running = await build_verifier(settings, index)
    await running.built.server.start()
    await mark_serving(running.built)
    return running


async def build_verifier(settings: VerifierSettings, index: int = 0) -> RunningVerifier:
    """Build server process ``index``, its engine started, not yet serving."""
    database = open_database(settings)
    policies = load_policy_set(settings)
    trust_config = load_trust(settings.trust)
    trust = TrustStore(trust_config, pin_dir=settings.data_dir / "trust")
    await asyncio.to_thread(trust.refresh_all)
    engine = VerificationEngine(
        WorkerConfig(settings.policies, trust_config, trust.documents, settings.clock_skew_s),
        settings.engine,
        settings.engine_workers,
    )
    trust.close()
    await engine.start()
    registry = RelyingPartyRegistry(database, policies, auth_recheck_seconds=settings.auth_recheck_seconds)
    requests = PresentationRequestStore(database, policies)
    nonces = nonce_store(settings)
    if isinstance(nonces, InMemoryNonceStore):  # Redis kept them; memory lost them with the last process
        await asyncio.to_thread(requests.reissue_open_nonces, nonces)
    deps = VerifierDeps(
        policies=policies,
        registry=registry,
        requests=requests,
        nonces=nonces,
        engine=engine,
        in_flight=InFlightLimiter(settings.max_in_flight),
        rate=rate_limiter(settings),
        domain=settings.domain,
        address=settings.advertised_address,
        max_presentation_bytes=settings.max_message_bytes,
        idempotency=IdempotencyStore(database),
        rp_challenge_ttl_s=challenge_memory_s(policies, settings.clock_skew_s),
        behind_gateway=settings.gateway,
    )

    def register(server: grpc.aio.Server) -> list[str]:
        verifier_service_pb2_grpc.add_VerifierServiceServicer_to_server(VerifierServicer(deps), server)
        relying_party_admin_service_pb2_grpc.add_RelyingPartyAdminServiceServicer_to_server(
            RelyingPartyAdminServicer(registry, admin_token(settings), deps.idempotency), server
        )
        return [VERIFIER_SERVICE, ADMIN_SERVICE]

    tls = None
    # behind the gateway nginx terminates TLS: the servers listen only on Unix sockets, in plaintext
    if settings.tls_cert is not None and settings.tls_key is not None and not settings.gateway:
        tls = TlsFiles(settings.tls_cert, settings.tls_key, settings.tls_client_ca)
    server_settings = ServerSettings(
        listen=_listen_address(settings, index),
        max_message_bytes=settings.max_message_bytes + TRANSPORT_SLACK_BYTES,
        # No gRPC-level max_concurrent_rpcs: in grpc.aio it does not refuse, it stops taking calls
        # (they wait unseen in gRPC's queue, every caller's latency growing) and costs every call an
        # asyncio.Condition round. Our admission control (max_in_flight, answered OVERLOADED with an
        # ErrorInfo at once) is the limit.
        grace_seconds=settings.grace_seconds,
        tls=tls,
        channel_options=BEHIND_GATEWAY_OPTIONS if settings.gateway else (),
    )
    return RunningVerifier(build_server(server_settings, register), engine, database)


async def _serve_one(settings: VerifierSettings, index: int) -> None:
    running = await build_verifier(settings, index)
    settle_heap()

    async def ready() -> None:
        log.info("serving", extra={"event": "serving", "port": running.port, "engine": settings.engine})
        if settings.gateway:
            print(
                f"civid verifier process {index} serving behind the gateway on {settings.listen}", flush=True
            )
        else:
            print(
                f"civid verifier listening on {settings.listen.rsplit(':', 1)[0]}:{running.port}", flush=True
            )

    try:
        await run_until_signalled(running.built, settings.grace_seconds, on_ready=ready)
    finally:
        await running.engine.close()
        running.database.dispose()


def settle_heap() -> None:
    """Collect once, then exempt everything made at start from later collections (``gc.freeze``).

    The modules, policies, contexts and caches loaded at start are some 100,000 objects; a full
    collection walks them all (about 0.1 s, every call waiting), and the first one comes soon after
    start. Frozen, they are never walked again: collections see only what serving made."""
    gc.collect()
    gc.freeze()


def _child(settings: VerifierSettings, index: int) -> None:
    configure_logging("verifier", settings.log_level)
    if index == 0 and settings.metrics_listen:
        host, port = settings.metrics_listen.rsplit(":", 1)
        metrics.serve_metrics(host, int(port))
    asyncio.run(_serve_one(settings, index))


def serve_forever(settings: VerifierSettings) -> int:
    """``civid verifier serve``: one server process, or ``workers`` of them on one port; with
    ``settings.gateway`` this process supervises nginx and the server processes behind it."""
    configure_logging("verifier", settings.log_level)
    prepare(settings)
    front: tuple[GatewayPlan, list[str]] | None = None  # nginx's plan and command
    if settings.gateway:
        plan = GatewayPlan.for_settings(settings)
        # written and checked (nginx -t) before any server process starts: no nginx, or a
        # certificate it cannot load, is said at once
        front = plan, write_config(plan)
    if settings.workers == 1 and front is None:
        _child(settings, 0)
        return 0
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(target=_child, args=(settings, i), name=f"civid-verifier-{i}")
        for i in range(settings.workers)
    ]
    for child in children:
        child.start()
    gateway: Gateway | None = None
    signalled: set[int] = set()

    def forward(signum: int, _frame: object) -> None:
        """Once per process: a second signal would cut a server's graceful shutdown short."""
        if gateway is not None:
            gateway.begin_stop()  # first stop taking calls; the ones in flight finish
        for child in children:
            if child.pid is not None and child.is_alive() and child.pid not in signalled:
                signalled.add(child.pid)
                os.kill(child.pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        if front is not None:
            wait_for_sockets([server_socket(settings, i) for i in range(settings.workers)], children)
            gateway = Gateway.run(*front)
            print(f"civid verifier gateway (nginx) listening on {settings.listen}", flush=True)
        _supervise(children, gateway)
    finally:
        forward(signal.SIGTERM, None)
        for child in children:
            child.join()
        if gateway is not None:
            gateway.stop()
    return max((abs(c.exitcode or 0) for c in children), default=0)


def _supervise(children: Sequence[BaseProcess], gateway: Gateway | None) -> None:
    """Until every server process has ended; a gateway that dies ends them all (fail loudly)."""
    while any(child.is_alive() for child in children):
        if gateway is not None and gateway.failed():
            log.error("the gateway (nginx) stopped", extra={"event": "gateway_exited"})
            raise GatewayError(f"the gateway (nginx) exited with status {gateway.process.returncode}")
        for child in children:
            child.join(SUPERVISE_POLL_S / len(children))
