"""Fixtures: a fake issuer and a real verifier server on 127.0.0.1 with the shipped relying parties.

``verifier_env`` (module scope) gives the verifier's address, its relying parties' API keys, the
admin token and the TestIssuer whose credentials it trusts. The server runs on its own event loop in
a thread, so tests may use blocking stubs.
"""

from __future__ import annotations

import dataclasses
import io
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from redis import Redis

sys.path.insert(0, str(Path(__file__).parent))

from server_fixtures import (
    FakeIssuerServer,
    Holder,
    TestIssuer,
    ThreadedLoop,
    free_port,
    write_trust_file,
)

from civid.cli.certs import LocalPki, create_local_pki
from civid.verifier import app
from civid.verifier.gateway import Gateway, GatewayPlan
from civid.verifier.settings import VerifierSettings
from civid.verifier.v1 import relying_party_admin_service_pb2_grpc as admin_grpc
from civid.verifier.v1 import verifier_service_pb2_grpc as verifier_grpc

AIRLINE = "thai-domestic-air"
CONSULATE = "consular-affairs"
REDIS_URL = "redis://127.0.0.1:6379/0"  # the development machines' Redis (.ci/run starts one)


@dataclass
class VerifierEnv:
    """A running verifier and what a test needs to call it."""

    address: str
    settings: VerifierSettings
    rp_keys: dict[str, str]
    admin_token: str
    issuer: TestIssuer
    issuer_server: FakeIssuerServer
    channel: grpc.Channel

    @property
    def stub(self) -> verifier_grpc.VerifierServiceStub:
        return verifier_grpc.VerifierServiceStub(self.channel)

    @property
    def admin(self) -> admin_grpc.RelyingPartyAdminServiceStub:
        return admin_grpc.RelyingPartyAdminServiceStub(self.channel)

    def rp_metadata(self, rp_id: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.rp_keys[rp_id]}"),)

    def admin_metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.admin_token}"),)


def verifier_settings(data_dir: Path, trust: Path, **overrides: object) -> VerifierSettings:
    port = free_port()
    values: dict[str, object] = {
        "listen": f"127.0.0.1:{port}",
        "data_dir": data_dir,
        "trust": trust,
        "engine": "thread",
        "engine_workers": 2,
        "max_in_flight": 64,
    }
    values.update(overrides)
    return VerifierSettings(**values).validate()  # type: ignore[arg-type]


def start_env(
    tmp: Path,
    issuer: TestIssuer,
    gateway_in_flight: int | None = None,
    credentials: grpc.ChannelCredentials | None = None,
    **overrides: object,
) -> Iterator[VerifierEnv]:
    """A verifier in this process; with ``gateway=True``, nginx in front of it (admitting
    ``gateway_in_flight`` verifications at once, default the server's own limit). The env's channel
    is plaintext, or TLS with ``credentials`` (see server_fixtures.tls_credentials)."""
    issuer_server = FakeIssuerServer(issuer).start()
    trust = write_trust_file(tmp / "trust.toml", issuer.did, issuer_server.address)
    settings = verifier_settings(tmp / "data", trust, **overrides)
    created = app.prepare(settings, out=io.StringIO())
    loop = ThreadedLoop()
    running = [loop.call(lambda: app.start_verifier(settings))]
    front = None
    if settings.gateway:
        plan = GatewayPlan.for_settings(settings)
        front = Gateway.start(
            dataclasses.replace(plan, max_in_flight=gateway_in_flight or plan.max_in_flight)
        )
    if credentials is None:
        channel = grpc.insecure_channel(settings.listen)
    else:
        channel = grpc.secure_channel(settings.listen, credentials)
    try:
        yield VerifierEnv(
            settings.listen,
            settings,
            {k.rp_id: k.api_key for k in created},
            app.admin_token(settings),
            issuer,
            issuer_server,
            channel,
        )
    finally:
        channel.close()
        if front is not None:
            front.stop()
        loop.stop_and_release(running, lambda verifier: verifier.stop(0))
        loop.close()
        issuer_server.close()


@pytest.fixture(scope="module")
def test_issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture(scope="module")
def verifier_env(tmp_path_factory: pytest.TempPathFactory, test_issuer: TestIssuer) -> Iterator[VerifierEnv]:
    yield from start_env(tmp_path_factory.mktemp("verifier"), test_issuer)


@pytest.fixture(scope="module")
def local_pki(tmp_path_factory: pytest.TempPathFactory) -> LocalPki:
    """A CA (what `civid certs create` makes) with a server certificate for 127.0.0.1 and a client one."""
    return create_local_pki(tmp_path_factory.mktemp("pki"), ["127.0.0.1", "localhost"])


@pytest.fixture
def holder() -> Holder:
    return Holder.new()


# --- Redis: each test's own key prefix, deleted afterwards ---------------------------------------


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of its own for each test; its keys are deleted afterwards."""
    value = f"civid-test:{secrets.token_hex(8)}:"
    yield value
    client = Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=value + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_client() -> Iterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"Redis is not reachable: {exc}")
    yield client
    client.close()
