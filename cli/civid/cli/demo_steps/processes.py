"""Starting the issuer and verifier as separate OS processes, waiting for health, stopping them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from civid.cli.demo_steps.report import StepFailed

STOP_GRACE_S = 30.0  # the servers drain for up to 10 s; slow exits on a loaded machine
# While a server starts, connection attempts fail; gRPC's default reconnect backoff then grows to
# tens of seconds, so a server that is up would be seen long after. Retry every half second at most.
_QUICK_RECONNECT = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 500),
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def civid_command(*args: str) -> list[str]:
    """``civid ARGS`` run with this interpreter (no reliance on PATH)."""
    return [sys.executable, "-m", "civid.cli.main", *args]


@dataclass(frozen=True)
class Server:
    """A running program: its name, address, process and log file."""

    name: str
    address: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def start_server(name: str, args: list[str], address: str, log_path: Path) -> Server:
    """Start ``civid ARGS`` in the background, its output going to ``log_path``."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            civid_command(*args), stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy()
        )
    return Server(name, address, process, log_path)


def wait_serving(server: Server, timeout_s: float) -> None:
    """Block until the server's gRPC health check answers SERVING; fail loudly if it exits or hangs."""
    deadline = time.monotonic() + timeout_s
    with grpc.insecure_channel(server.address, options=_QUICK_RECONNECT) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise StepFailed(
                    f"the {server.name} exited with code {server.process.returncode}:\n{server.log_tail()}"
                )
            try:
                answer = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.2)
    raise StepFailed(f"the {server.name} was not SERVING within {timeout_s:.0f} s:\n{server.log_tail()}")


def stop_server(server: Server) -> int | None:
    """SIGTERM, then wait for a graceful exit (SIGKILL only after the grace period). Returns the code."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
            return None
    return server.process.returncode
