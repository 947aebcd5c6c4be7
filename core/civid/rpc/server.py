"""Assembling an asyncio gRPC server: limits, TLS/mTLS, health, reflection, graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from civid.rpc.interceptors import AccessLogged

log = logging.getLogger("civid.rpc")


@dataclass(frozen=True)
class TlsFiles:
    """Server certificate and key; with ``client_ca`` clients must present a certificate (mTLS)."""

    cert: Path
    key: Path
    client_ca: Path | None = None

    def credentials(self) -> grpc.ServerCredentials:
        chain = [(self.key.read_bytes(), self.cert.read_bytes())]
        if self.client_ca is None:
            return grpc.ssl_server_credentials(chain)
        return grpc.ssl_server_credentials(
            chain, root_certificates=self.client_ca.read_bytes(), require_client_auth=True
        )


@dataclass(frozen=True)
class ServerSettings:
    listen: str
    max_message_bytes: int = 4 * 1024 * 1024
    max_concurrent_rpcs: int | None = None
    grace_seconds: float = 10.0
    tls: TlsFiles | None = None
    channel_options: tuple[tuple[str, int], ...] = ()  # more grpc.* server options


Register = Callable[[grpc.aio.Server], Sequence[str]]
"""Adds servicers to the server and returns their full service names (for health and reflection)."""


@dataclass(frozen=True)
class BuiltServer:
    """A server ready to start: the bound port, its health servicer and its service names."""

    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer
    services: tuple[str, ...]


def build_server(settings: ServerSettings, register: Register) -> BuiltServer:
    """A server with every service registered, health checking and reflection, bound to its port."""
    options = [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        ("grpc.max_send_message_length", settings.max_message_bytes),
        ("grpc.so_reuseport", 1),
        *settings.channel_options,
    ]
    server = grpc.aio.server(options=options, maximum_concurrent_rpcs=settings.max_concurrent_rpcs)
    logged = AccessLogged(server)  # every service's calls logged and counted, without an interceptor
    names = list(register(logged))
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, logged)
    reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], logged)
    if settings.tls is None:
        port = server.add_insecure_port(settings.listen)
    else:
        port = server.add_secure_port(settings.listen, settings.tls.credentials())
    if port == 0:
        raise OSError(f"cannot listen on {settings.listen}")
    return BuiltServer(server, port, health_servicer, tuple(names))


async def mark_serving(built: BuiltServer) -> None:
    for name in [*built.services, ""]:
        await built.health.set(name, health_pb2.HealthCheckResponse.SERVING)


async def run_until_signalled(
    built: BuiltServer,
    grace_seconds: float,
    on_ready: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Serve until SIGTERM/SIGINT, then stop accepting calls and let in-flight ones finish."""
    server = built.server
    await server.start()
    await mark_serving(built)
    if on_ready is not None:
        await on_ready()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    waiter = asyncio.create_task(server.wait_for_termination())
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if stop.is_set():
        log.info("shutting down", extra={"event": "shutdown", "grace_seconds": grace_seconds})
        await built.health.enter_graceful_shutdown()
        await server.stop(grace_seconds)
    waiter.cancel()
    stopper.cancel()
