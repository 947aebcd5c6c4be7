"""The gateway (nginx in front of the server processes): transparent to every flow, and it refuses
calls over capacity before Python with the server's own wire status.

The presentation flows of test_server_presentations.py run here again, through the gateway."""

from __future__ import annotations

import base64
import dataclasses
import json
import multiprocessing
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from conftest import AIRLINE, VerifierEnv, start_env, verifier_settings
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from server_fixtures import FakeIssuerServer, Holder, TestIssuer, free_port, tls_credentials, write_trust_file
from test_server_presentations import (  # noqa: F401  (collected again: run through the gateway here)
    BOARDING,
    failed_codes,
    rpc_error,
    test_a_10_mb_presentation_is_refused_before_parsing,
    test_a_presentation_just_over_the_limit_is_named_message_too_large,
    test_airline_boarding_verifies_and_releases_only_the_policy_claims,
    test_rp_collected_presentation_verifies_once_per_challenge,
)

from civid.cli.certs import LocalPki
from civid.rpc.errors import error_details
from civid.rpc.server import TlsFiles
from civid.verifier import app
from civid.verifier.domain.admission import InFlightLimiter
from civid.verifier.domain.errors import DomainError
from civid.verifier.gateway import (
    GatewayError,
    GatewayPlan,
    overloaded,
    private_directory,
    render_config,
    server_socket,
    write_config,
)
from civid.verifier.service.errors import to_failure
from civid.verifier.v1 import verifier_service_pb2 as pb

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def verifier_env(tmp_path_factory: pytest.TempPathFactory, test_issuer: TestIssuer) -> Iterator[VerifierEnv]:
    """The module's verifier, behind the gateway (overrides conftest's for the tests imported above)."""
    yield from start_env(tmp_path_factory.mktemp("gateway"), test_issuer, gateway=True)


@pytest.fixture(scope="module", params=["plaintext", "tls"])
def narrow_env(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    test_issuer: TestIssuer,
    local_pki: LocalPki,
) -> Iterator[VerifierEnv]:
    """A gateway admitting one verification at a time in front of a server admitting 64, without
    TLS and terminating TLS."""
    tls: dict[str, object] = {}
    if request.param == "tls":
        tls = {
            "tls_cert": local_pki.server_cert,
            "tls_key": local_pki.server_key,
            "credentials": tls_credentials(local_pki, client_cert=False),
        }
    tmp = tmp_path_factory.mktemp("narrow")
    yield from start_env(tmp, test_issuer, gateway=True, gateway_in_flight=1, **tls)


def collected(env: VerifierEnv, holder: Holder, challenge: str) -> pb.VerifyPresentationRequest:
    domain = "https://checkin.thai-domestic-air.example"
    vp = holder.present([env.issuer.issue(holder.did, abs(hash(challenge)) % 10_000)], challenge, domain)
    return pb.VerifyPresentationRequest(
        presentation_json=json.dumps(vp), challenge=challenge, domain=domain, policy_id=BOARDING
    )


def test_health_is_answered_by_the_server_through_the_gateway(verifier_env: VerifierEnv) -> None:
    answer = health_pb2_grpc.HealthStub(verifier_env.channel).Check(health_pb2.HealthCheckRequest())
    assert answer.status == health_pb2.HealthCheckResponse.SERVING


def test_the_servers_error_details_pass_through(verifier_env: VerifierEnv, holder: Holder) -> None:
    message = collected(verifier_env, holder, "through-gateway-bad-key")
    error = rpc_error(
        lambda: verifier_env.stub.VerifyPresentation(message, metadata=(("authorization", "Bearer nope"),))
    )
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "RP_UNAUTHENTICATED")


def test_over_capacity_the_gateway_refuses_with_the_servers_overloaded_status(
    narrow_env: VerifierEnv,
) -> None:
    holders = [Holder.new() for _ in range(24)]
    messages = [collected(narrow_env, h, f"narrow-gateway-challenge-{i}") for i, h in enumerate(holders)]
    metadata = narrow_env.rp_metadata(AIRLINE)

    def call(message: pb.VerifyPresentationRequest) -> tuple[str, bool]:
        try:
            answer = narrow_env.stub.VerifyPresentation(message, metadata=metadata)
        except grpc.RpcError as exc:
            error = error_details(exc)
            return f"{error.code.name}:{error.reason}:{error.metadata.get('retry_after_seconds')}", False
        return "OK", answer.result.verification.verified

    with futures.ThreadPoolExecutor(24) as pool:
        outcomes = list(pool.map(call, messages))
    refusals = {o for o, _ in outcomes if o != "OK"}
    assert refusals == {f"RESOURCE_EXHAUSTED:OVERLOADED:{overloaded().metadata['retry_after_seconds']}"}
    assert all(verified for o, verified in outcomes if o == "OK")
    assert 1 <= sum(o == "OK" for o, _ in outcomes) < len(outcomes)


def test_the_gateways_refusal_is_the_servers_own_status_byte_for_byte() -> None:
    limiter = InFlightLimiter(1)
    with limiter.admit(), pytest.raises(DomainError) as refused, limiter.admit():
        pass
    servers = to_failure(refused.value)
    assert servers is not None
    config = render_config(_plan(Path("/run/civid")))
    header = config.split("location @overloaded {", 1)[1].split("grpc-status-details-bin ", 1)[1]
    encoded = header.split('"')[1]
    sent = status_pb2.Status.FromString(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert sent == status_pb2.Status.FromString(
        dict(servers.to_status().trailing_metadata)["grpc-status-details-bin"]
    )
    info = error_details_pb2.ErrorInfo()
    sent.details[0].Unpack(info)
    assert (sent.code, info.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED.value[0], "OVERLOADED")


def _plan(directory: Path, **changes: object) -> GatewayPlan:
    plan = GatewayPlan(
        listen="127.0.0.1:50052",
        upstreams=(directory / "verifier-0.sock", directory / "verifier-1.sock"),
        max_in_flight=512,
        directory=directory,
    )
    return dataclasses.replace(plan, **changes)


def test_the_configuration_limits_verifications_and_balances_over_every_server_process(
    tmp_path: Path,
) -> None:
    config = render_config(_plan(tmp_path, max_in_flight=7))
    assert "limit_conn civid_verifications 7;" in config
    assert f'server "unix:{tmp_path / "verifier-0.sock"}";' in config
    assert f'server "unix:{tmp_path / "verifier-1.sock"}";' in config
    assert "(VerifyPresentation|SubmitPresentation)" in config
    assert "keepalive 64;" in config  # idle connections kept to the servers: at least 64


def test_the_gateway_keeps_a_connection_to_the_servers_for_every_verification_in_flight(
    tmp_path: Path,
) -> None:
    assert "keepalive 300;" in render_config(_plan(tmp_path, max_in_flight=300))


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    command = write_config(_plan(tmp_path))  # GatewayError, with nginx's words, if nginx -t refuses it
    assert (tmp_path / "nginx.conf").read_text(encoding="utf-8") == render_config(_plan(tmp_path))
    assert command[-2:] == ["-g", "daemon off;"]


def test_nginx_accepts_the_configuration_in_a_directory_with_spaces_and_semicolons(tmp_path: Path) -> None:
    directory = tmp_path / "civid data; copy"
    write_config(_plan(directory))  # GatewayError, with nginx's words, if nginx -t refuses it
    assert f'pid "{directory / "nginx.pid"}";' in (directory / "nginx.conf").read_text(encoding="utf-8")


def test_the_gateway_takes_tls_settings(tmp_path: Path) -> None:
    settings = verifier_settings(
        tmp_path,
        tmp_path / "trust.toml",
        gateway=True,
        tls_cert=tmp_path / "c",
        tls_key=tmp_path / "k",
        tls_client_ca=tmp_path / "ca",
    )
    assert GatewayPlan.for_settings(settings).tls == TlsFiles(tmp_path / "c", tmp_path / "k", tmp_path / "ca")


def test_a_client_ca_without_a_server_certificate_is_refused_with_the_gateway(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="--tls-client-ca needs --tls-cert"):
        verifier_settings(tmp_path, tmp_path / "trust.toml", gateway=True, tls_client_ca=tmp_path / "ca")


def _tls_plan(directory: Path, pki: LocalPki, *, mutual: bool) -> GatewayPlan:
    return _plan(directory, tls=TlsFiles(pki.server_cert, pki.server_key, pki.ca_cert if mutual else None))


def test_the_tls_gateway_terminates_tls_with_the_given_files_and_current_protocols(
    tmp_path: Path, local_pki: LocalPki
) -> None:
    config = render_config(_tls_plan(tmp_path, local_pki, mutual=False))
    assert "listen 127.0.0.1:50052 ssl http2;" in config
    assert f'ssl_certificate "{local_pki.server_cert}";' in config
    assert f'ssl_certificate_key "{local_pki.server_key}";' in config
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in config
    assert "ssl_verify_client" not in config


def test_with_a_client_ca_the_gateway_requires_a_client_certificate_as_the_servers_do(
    tmp_path: Path, local_pki: LocalPki
) -> None:
    config = render_config(_tls_plan(tmp_path, local_pki, mutual=True))
    assert f'ssl_client_certificate "{local_pki.ca_cert}";' in config
    assert "ssl_verify_client on;" in config
    assert "error_page 495 496 = @certificate_refused;" in config
    assert "location @certificate_refused {" in config


@pytest.mark.parametrize("tls", ["none", "tls", "mtls"])
def test_every_location_passing_calls_sets_the_client_certificate_header(
    tmp_path: Path, local_pki: LocalPki, tls: str
) -> None:
    plan = _plan(tmp_path) if tls == "none" else _tls_plan(tmp_path, local_pki, mutual=tls == "mtls")
    config = render_config(plan)
    locations = config.split("location ")[1:]
    passing = [location for location in locations if "grpc_pass" in location]
    assert len(passing) == 2
    value = "$civid_client_cert" if tls == "mtls" else '""'
    assert all(f"grpc_set_header x-civid-client-cert {value};" in location for location in passing)


def test_nginx_accepts_the_tls_configurations(tmp_path: Path, local_pki: LocalPki) -> None:
    write_config(_tls_plan(tmp_path / "tls", local_pki, mutual=False))
    write_config(_tls_plan(tmp_path / "mtls", local_pki, mutual=True))


def test_a_certificate_nginx_cannot_load_is_a_clear_error(tmp_path: Path, local_pki: LocalPki) -> None:
    (tmp_path / "garbage.pem").write_text("not a certificate\n")
    plan = _plan(tmp_path, tls=TlsFiles(tmp_path / "garbage.pem", local_pki.server_key))
    with pytest.raises(GatewayError, match=r"nginx refused .*cannot load certificate .*garbage\.pem"):
        write_config(plan)


def test_a_missing_client_ca_is_a_clear_error(tmp_path: Path, local_pki: LocalPki) -> None:
    plan = _plan(tmp_path, tls=TlsFiles(local_pki.server_cert, local_pki.server_key, tmp_path / "none.pem"))
    with pytest.raises(GatewayError, match=r"nginx refused .*none\.pem"):
        write_config(plan)


def test_the_gateway_directory_is_created_private(tmp_path: Path) -> None:
    settings = verifier_settings(tmp_path / "data", tmp_path / "trust.toml", gateway=True)
    app._listen_address(settings, 0)
    assert stat.S_IMODE(server_socket(settings, 0).parent.stat().st_mode) == 0o700


def test_a_gateway_directory_open_to_others_is_made_private(tmp_path: Path) -> None:
    directory = tmp_path / "gateway"
    directory.mkdir(mode=0o755)
    directory.chmod(0o777)
    private_directory(directory)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_the_gateway_needs_a_fixed_port(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="fixed port"):
        verifier_settings(tmp_path, tmp_path / "trust.toml", gateway=True, listen="127.0.0.1:0")


def test_a_data_directory_too_long_for_a_unix_socket_is_a_clear_error(tmp_path: Path) -> None:
    settings = verifier_settings(tmp_path / ("d" * 120), tmp_path / "trust.toml", gateway=True)
    with pytest.raises(GatewayError, match="too long for a Unix socket"):
        server_socket(settings, 0)


# civid verifier serve --gateway: a supervisor with nginx and the server processes


@pytest.fixture
def served(tmp_path: Path, test_issuer: TestIssuer) -> Iterator[tuple[multiprocessing.Process, str]]:
    issuer_server = FakeIssuerServer(test_issuer).start()
    trust = write_trust_file(tmp_path / "trust.toml", test_issuer.did, issuer_server.address)
    settings = dataclasses.replace(
        verifier_settings(tmp_path / "data", trust, gateway=True, log_level="warning"), engine_workers=1
    )
    process = multiprocessing.get_context("spawn").Process(target=app.serve_forever, args=(settings,))
    process.start()
    try:
        _wait_serving(settings.listen)
        yield process, settings.listen
    finally:
        if process.is_alive():
            process.terminate()
        process.join(30)
        issuer_server.close()


def _wait_serving(address: str) -> None:
    deadline = time.monotonic() + 90
    with grpc.insecure_channel(address) as channel:
        while time.monotonic() < deadline:
            try:
                health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
                return
            except grpc.RpcError:
                time.sleep(0.2)
    raise TimeoutError(address)


def _nginx_pids(supervisor: int) -> list[int]:
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [int(p) for p in children if Path(f"/proc/{p}/comm").read_text().strip() == "nginx"]


def _refuses_connections(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return True
    return False


def test_serve_with_the_gateway_stops_cleanly_on_sigterm(served: tuple[multiprocessing.Process, str]) -> None:
    process, address = served
    assert process.pid is not None
    assert _nginx_pids(process.pid)
    os.kill(process.pid, signal.SIGTERM)
    process.join(30)
    assert process.exitcode == 0
    assert _refuses_connections(address)


def test_serve_ends_its_server_processes_when_the_gateway_dies(
    served: tuple[multiprocessing.Process, str],
) -> None:
    process, address = served
    assert process.pid is not None
    os.kill(_nginx_pids(process.pid)[0], signal.SIGKILL)
    process.join(30)
    assert process.exitcode not in (None, 0)
    assert _refuses_connections(address)


def test_serve_without_nginx_says_so_before_starting_any_server_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "civid.cli.main",
            "verifier",
            "serve",
            "--gateway",
            "--nginx",
            str(tmp_path / "no-nginx-here"),
            "--listen",
            f"127.0.0.1:{free_port()}",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "civid verifier: gateway: gateway = true needs nginx" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / "data" / "gateway").glob("*.sock"))
