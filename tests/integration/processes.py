"""The integration suite's toolkit: real issuer/verifier processes, fresh databases, Redis prefixes.

Process starting, officer signing, relying-party calls and the headless wallet come from
``civid.cli.demo_steps`` (the demo drives the same programs); this module adds what only tests need:
a fresh PostgreSQL database, a Redis key prefix removed afterwards, a stack of processes that is
always stopped, and a holder key that signs presentations without a wallet (for credentials issued
at the officer desk, which the headless wallet cannot receive).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import psycopg
import pytest
from redis import Redis
from redis.exceptions import RedisError

from civid.cli.demo_steps import processes
from civid.cli.demo_steps.officer import officer_metadata
from civid.cli.demo_steps.processes import Server
from civid.cli.demo_steps.relying_party import RelyingParty, read_api_key
from civid.cli.demo_steps.setup import write_demo_policies, write_trust_file
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for, verification_method_id_for
from civid.core.presentation import create_presentation
from civid.issuer.v1 import officer_service_pb2, officer_service_pb2_grpc
from civid.verifier.v1 import verifier_service_pb2, verifier_service_pb2_grpc

PG_ADMIN_DSN = os.environ.get("CIVID_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")
PG_URL = os.environ.get("CIVID_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/{name}")
REDIS_URL = os.environ.get("CIVID_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
START_TIMEOUT_S = 240.0
AIRLINE = "thai-domestic-air"
AIRLINE_POLICY = "airline-domestic-boarding"
OFFICER_ID = "officer-integration"


@contextmanager
def fresh_postgres_database(prefix: str = "civid_it") -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards; skips when PostgreSQL is absent."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_admin(statement: str) -> None:
    try:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(statement)  # a database name cannot be a query parameter
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_DSN}: {exc}")


@contextmanager
def redis_key_prefix() -> Iterator[str]:
    """A random key prefix in the test Redis; every key under it is deleted afterwards."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    prefix = f"civid-it:{secrets.token_hex(8)}:"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
        client.close()


def redis_keys(prefix: str) -> list[bytes]:
    """The keys under ``prefix`` now."""
    with Redis.from_url(REDIS_URL) as client:
        return list(client.scan_iter(match=prefix + "*"))


@dataclass
class ProcessStack:
    """Programs started by a test, stopped (SIGTERM, then SIGKILL) in reverse order by ``stop_all``."""

    work: Path
    servers: list[Server] = field(default_factory=list)

    def start(self, name: str, args: Sequence[str], address: str | None = None) -> Server:
        """Start ``civid ARGS --listen ADDRESS`` (a free port when not given); return it once SERVING."""
        server = self.launch(name, args, address)
        self.wait(server)
        return server

    def launch(self, name: str, args: Sequence[str], address: str | None = None) -> Server:
        """Start ``civid ARGS --listen ADDRESS`` (a free port when not given) without waiting."""
        address = address or f"127.0.0.1:{processes.free_port()}"
        log = self._log_path(name)
        server = processes.start_server(name, [*args, "--listen", address], address, log)
        self.servers.append(server)
        return server

    def wait(self, *servers: Server) -> None:
        for server in servers:
            processes.wait_serving(server, START_TIMEOUT_S)

    def stop(self, server: Server) -> int | None:
        """Stop one program gracefully; its exit code (None when it had to be killed)."""
        code = processes.stop_server(server)
        if server in self.servers:
            self.servers.remove(server)
        return code

    def _log_path(self, name: str) -> Path:
        """``<work>/<name>.log``, or ``<name>-2.log``... for a program started again."""
        path, count = self.work / f"{name}.log", 1
        while path.exists():
            count += 1
            path = self.work / f"{name}-{count}.log"
        return path

    def stop_all(self) -> None:
        """SIGTERM every program at once, then wait for each (SIGKILL after the grace period)."""
        servers, self.servers = list(reversed(self.servers)), []
        for server in servers:
            if server.process.poll() is None:
                server.process.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.process.wait(timeout=processes.STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def issuer_args(
    *, data_dir: Path, passphrase_file: Path, database_url: str | None = None, demo_registry: bool = True
) -> list[str]:
    """``issuer serve`` arguments (SQLite in ``data_dir`` unless ``database_url``)."""
    args = ["issuer", "serve", "--data-dir", str(data_dir), "--key-passphrase-file", str(passphrase_file)]
    if database_url:
        args += ["--database-url", database_url]
    if not demo_registry:
        args.append("--no-demo-registry")
    return args


def verifier_args(
    *,
    data_dir: Path,
    trust: Path,
    policies: Path,
    database_url: str | None = None,
    redis_url: str | None = None,
    redis_prefix: str | None = None,
) -> list[str]:
    """``verifier serve`` arguments: one thread for verification (the suite runs on small machines)."""
    args = [
        "verifier",
        "serve",
        "--data-dir",
        str(data_dir),
        "--trust",
        str(trust),
        "--policies",
        str(policies),
    ]
    args += ["--engine", "thread", "--engine-workers", "1"]
    if database_url:
        args += ["--database-url", database_url]
    if redis_url:
        args += ["--redis-url", redis_url, "--redis-prefix", redis_prefix or "civid-it:"]
    return args


def run_civid(args: Sequence[str], timeout_s: float = 300) -> str:
    """Run ``civid ARGS`` to completion; its stdout (fails the test with its stderr otherwise)."""
    done = subprocess.run(
        processes.civid_command(*args), capture_output=True, text=True, timeout=timeout_s, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"`civid {' '.join(args[:3])}` exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def write_passphrase(path: Path) -> Path:
    """A key passphrase file (0600) for issuers that must share their keys."""
    path.write_text(secrets.token_urlsafe(32) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def trust_and_policies(work: Path, issuer: Server, name: str) -> tuple[Path, Path]:
    """A trust file for the demo issuer at ``issuer`` and the demo policies (airline freshness 0)."""
    trust = write_trust_file(work / f"trust-{name}.toml", issuer.address)
    policies = work / "policies.toml"
    if not policies.exists():
        write_demo_policies(policies)
    return trust, policies


def relying_party(verifier_data_dir: Path, rp_id: str, verifier: Server) -> RelyingParty:
    """The relying party ``rp_id`` calling ``verifier`` with the key written on the verifier's first start."""
    return RelyingParty(rp_id, read_api_key(verifier_data_dir, rp_id), verifier.address)


@dataclass(frozen=True)
class Holder:
    """A holder key signing presentations directly (what a wallet does), for desk-issued credentials."""

    key: Ed25519KeyPair

    @classmethod
    def new(cls) -> Holder:
        return cls(Ed25519KeyPair.generate())

    @property
    def did(self) -> str:
        return did_key_for(self.key.public_key)

    def present(self, credential: Mapping[str, Any], challenge: str, domain: str) -> dict[str, Any]:
        method = verification_method_id_for(self.key.public_key)
        return create_presentation(
            [credential], self.key, self.did, method, challenge=challenge, domain=domain
        )


@dataclass(frozen=True)
class Officer:
    """A registered officer: its id and the Ed25519 key it signs each call with."""

    officer_id: str
    key: Ed25519KeyPair

    @classmethod
    def new(cls, officer_id: str = OFFICER_ID) -> Officer:
        return cls(officer_id, Ed25519KeyPair.generate())

    def register_args(self, storage: Sequence[str]) -> list[str]:
        """``civid issuer officer add`` arguments for the given storage options."""
        return [
            "issuer", "officer", "add", *storage,
            "--name", "Integration Officer", "--id", self.officer_id,
            "--public-key", self.key.public_key.multikey,
        ]  # fmt: skip

    def assisted_enrollment(
        self, address: str, national_id: str, laser_code: str, holder_did: str, desk_photo: bytes
    ) -> officer_service_pb2.AssistedEnrollmentResponse:
        """Enrol a citizen at the desk of the issuer at ``address``."""
        request = officer_service_pb2.AssistedEnrollmentRequest(
            national_id=national_id,
            laser_code=laser_code,
            holder_did=holder_did,
            desk_photo=desk_photo,
            reason="card and face checked at the desk",
            request_id=secrets.token_hex(16),
        )
        with grpc.insecure_channel(address) as channel:
            stub = officer_service_pb2_grpc.OfficerServiceStub(channel)
            metadata = officer_metadata(self.key, self.officer_id, "AssistedEnrollment")
            answer: officer_service_pb2.AssistedEnrollmentResponse = stub.AssistedEnrollment(
                request, metadata=metadata, timeout=60
            )
            return answer


def submit_presentation(
    verifier: Server, request_id: str, presentation: Mapping[str, Any]
) -> verifier_service_pb2.SubmitPresentationResponse:
    """What a wallet does after consent: submit the signed presentation for a request to ``verifier``."""
    with grpc.insecure_channel(verifier.address) as channel:
        stub = verifier_service_pb2_grpc.VerifierServiceStub(channel)
        message = verifier_service_pb2.SubmitPresentationRequest(
            presentation_request_id=request_id, presentation_json=json.dumps(presentation)
        )
        answer: verifier_service_pb2.SubmitPresentationResponse = stub.SubmitPresentation(message, timeout=60)
        return answer


def error_codes(verification: Any) -> set[str]:
    """The codes of a VerificationResult's errors."""
    return {error.code for error in verification.errors}
