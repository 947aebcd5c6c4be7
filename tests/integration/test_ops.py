"""Operating the services as real OS processes: health, reflection, JSON logs, metrics, SIGTERM.

A real issuer (`civid issuer serve`, a two-citizen registry) and a real verifier trusting it run as
subprocesses; a citizen enrols with a selfie and presents the credential to the airline. The tests
then read the servers' stderr (structured logs) and scrape their Prometheus endpoints.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from civid.cli.demo_steps.relying_party import read_api_key
from civid.core.did.key import verification_method_id_for
from civid.issuer.photos import photo_bytes
from civid.verifier.v1 import verifier_service_pb2 as vpb
from civid.verifier.v1 import verifier_service_pb2_grpc as vpb_grpc
from tests.issuer.server_fixtures import OBAMA, OBAMA_LASER, enroll, write_test_registry
from tests.issuer.server_fixtures import Holder as EnrollingHolder
from tests.verifier.server_fixtures import (
    FakeIssuerServer,
    FakeIssuerServicer,
    Holder,
    TestIssuer,
    free_port,
    write_trust_file,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ISSUER_DID = "did:web:issuer.civid.example"
AIRLINE = "thai-domestic-air"
BOARDING = "airline-domestic-boarding"
REQUEST_ID = "ops-test-request-0001"
# What the registry and the credential say about the citizen: none of it may reach a log line.
PERSONAL_DATA = (OBAMA, OBAMA_LASER, "Barack", "Obama", "สมชาย", "ใจดี", "1961-08-04", "10050123456")
START_TIMEOUT_S = 180.0


@dataclass
class ServiceProcess:
    """``civid ARGS`` as a subprocess, stdout and stderr in separate files."""

    name: str
    address: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path
    metrics_port: int

    def log_lines(self) -> list[str]:
        return [line for line in self.stderr.read_text(encoding="utf-8").splitlines() if line.strip()]

    def log_entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_lines()]

    def scrape(self) -> dict[str, float]:
        """The metrics endpoint as ``{'name{label="v",...}': value}``."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as answer:
            text = answer.read().decode("utf-8")
        samples: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                samples[f"{sample.name}{{{labels}}}"] = sample.value
        return samples

    def wait_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        with grpc.insecure_channel(self.address) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise AssertionError(f"{self.name} exited: {self.stderr.read_text()[-3000:]}")
                try:
                    answer = stub.Check(health_pb2.HealthCheckRequest(), timeout=2)
                    if answer.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.3)
        raise AssertionError(f"{self.name} not serving: {self.stderr.read_text()[-3000:]}")

    def terminate(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def civid(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "civid.cli.main", *args], capture_output=True, text=True, check=check
    )


def start_service(name: str, folder: Path, args: list[str]) -> ServiceProcess:
    address, metrics_port = f"127.0.0.1:{free_port()}", free_port()
    out, err = folder / f"{name}.out", folder / f"{name}.err"
    command = [
        sys.executable,
        "-m",
        "civid.cli.main",
        name,
        "serve",
        *args,
        "--listen",
        address,
        "--metrics-listen",
        f"127.0.0.1:{metrics_port}",
    ]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=os.environ.copy())
    service = ServiceProcess(name, address, process, out, err, metrics_port)
    try:
        service.wait_serving()
    except AssertionError:
        service.terminate()
        raise
    return service


def start_verifier(folder: Path, trust: Path) -> ServiceProcess:
    data = folder / "verifier-data"
    args = ["--data-dir", str(data), "--trust", str(trust), "--engine", "thread", "--engine-workers", "1"]
    return start_service("verifier", folder, args)


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("ops-issuer")
    passphrase = folder / "passphrase"
    passphrase.write_text("ops test passphrase\n", encoding="utf-8")
    storage = ["--data-dir", str(folder / "data"), "--key-passphrase-file", str(passphrase)]
    registry = write_test_registry(folder / "registry.jsonl")
    civid("issuer", "registry", "import", *storage, str(registry))
    service = start_service("issuer", folder, [*storage, "--no-demo-registry"])
    yield service
    service.terminate()


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory, issuer: ServiceProcess) -> Iterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("ops-verifier")
    service = start_verifier(folder, write_trust_file(folder / "trust.toml", ISSUER_DID, issuer.address))
    yield service
    service.terminate()


def rp_metadata(verifier: ServiceProcess) -> tuple[tuple[str, str], ...]:
    key = read_api_key(verifier.stdout.parent / "verifier-data", AIRLINE)
    return (("authorization", f"Bearer {key}"), ("x-request-id", REQUEST_ID))


def present(
    verifier: ServiceProcess, holder: Holder, credential: dict[str, Any]
) -> vpb.SubmitPresentationResponse:
    """The airline creates a boarding request; the holder answers it."""
    with grpc.insecure_channel(verifier.address) as channel:
        stub = vpb_grpc.VerifierServiceStub(channel)
        created = stub.CreatePresentationRequest(
            vpb.CreatePresentationRequestRequest(policy_id=BOARDING),
            metadata=rp_metadata(verifier),
            timeout=30,
        )
        request = created.presentation_request
        presentation = holder.present([credential], request.challenge, request.domain)
        answer: vpb.SubmitPresentationResponse = stub.SubmitPresentation(
            vpb.SubmitPresentationRequest(
                presentation_request_id=request.presentation_request_id,
                presentation_json=json.dumps(presentation),
            ),
            timeout=60,
        )
    return answer


@pytest.fixture(scope="module")
def journey(issuer: ServiceProcess, verifier: ServiceProcess) -> vpb.SubmitPresentationResponse:
    """A citizen enrols at the issuer and presents the credential to the airline at the verifier."""
    holder = EnrollingHolder()

    async def enrol() -> dict[str, Any]:
        async with grpc.aio.insecure_channel(issuer.address) as channel:
            from civid.issuer.v1 import issuer_service_pb2_grpc

            stub = issuer_service_pb2_grpc.IssuerServiceStub(channel)
            answer = await enroll(stub, holder, OBAMA, OBAMA_LASER, photo_bytes("obama2.jpg"))
        return dict(json.loads(answer.credential.credential_json))

    credential = asyncio.run(enrol())
    presenting = Holder(holder.key, holder.did, verification_method_id_for(holder.key.public_key))
    return present(verifier, presenting, credential)


def service_names(address: str) -> set[str]:
    with grpc.insecure_channel(address) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        answers = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        listed = next(iter(answers)).list_services_response.service
    return {s.name for s in listed}


def health(address: str, service: str = "") -> int:
    with grpc.insecure_channel(address) as channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=10
        )
    return int(answer.status)


# --- health and reflection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "service"),
    [
        ("issuer", ""),
        ("issuer", "civid.issuer.v1.IssuerService"),
        ("issuer", "civid.issuer.v1.OfficerService"),
        ("verifier", ""),
        ("verifier", "civid.verifier.v1.VerifierService"),
        ("verifier", "civid.verifier.v1.RelyingPartyAdminService"),
    ],
)
def test_health_check_answers_serving_for_the_server_and_each_service(
    which: str, service: str, issuer: ServiceProcess, verifier: ServiceProcess
) -> None:
    address = issuer.address if which == "issuer" else verifier.address
    assert health(address, service) == health_pb2.HealthCheckResponse.SERVING


def test_health_check_of_an_unknown_service_is_not_found(issuer: ServiceProcess) -> None:
    with pytest.raises(grpc.RpcError) as failure:
        health(issuer.address, "civid.nothing.v1.Nothing")
    assert failure.value.code() == grpc.StatusCode.NOT_FOUND


def test_reflection_lists_the_issuer_services_health_and_reflection(issuer: ServiceProcess) -> None:
    assert {
        "civid.issuer.v1.IssuerService",
        "civid.issuer.v1.OfficerService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    } <= service_names(issuer.address)


def test_reflection_lists_the_verifier_services_health_and_reflection(verifier: ServiceProcess) -> None:
    assert {
        "civid.verifier.v1.VerifierService",
        "civid.verifier.v1.RelyingPartyAdminService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    } <= service_names(verifier.address)


# --- the journey, then logs and metrics ----------------------------------------------------------


def test_the_enrolled_credential_verifies_at_the_airline(journey: vpb.SubmitPresentationResponse) -> None:
    assert journey.verification.verified, json_format.MessageToJson(journey.verification)
    assert "givenNameEn" in journey.released_claim_names


@pytest.mark.parametrize("which", ["issuer", "verifier"])
def test_every_log_line_is_a_json_object_naming_the_service(
    which: str, journey: vpb.SubmitPresentationResponse, issuer: ServiceProcess, verifier: ServiceProcess
) -> None:
    service = issuer if which == "issuer" else verifier
    entries = service.log_entries()
    assert entries
    assert all(e["service"] == which and e["level"] and e["time"] for e in entries)


@pytest.mark.parametrize("which", ["issuer", "verifier"])
def test_logs_hold_no_personal_data_of_the_citizen(
    which: str, journey: vpb.SubmitPresentationResponse, issuer: ServiceProcess, verifier: ServiceProcess
) -> None:
    service = issuer if which == "issuer" else verifier
    text = service.stderr.read_text(encoding="utf-8") + service.stdout.read_text(encoding="utf-8")
    found = [value for value in PERSONAL_DATA if value in text]
    assert found == []


def test_issuer_logs_each_call_with_a_request_id_method_status_and_duration(
    journey: vpb.SubmitPresentationResponse, issuer: ServiceProcess
) -> None:
    calls = [e for e in issuer.log_entries() if e.get("event") == "rpc"]
    completed = [c for c in calls if c["method"] == "/civid.issuer.v1.IssuerService/CompleteEnrollment"]
    assert [c["status"] for c in completed] == ["OK"]
    assert all(c["request_id"] and c["duration_ms"] >= 0 for c in calls)
    assert len({c["request_id"] for c in calls}) == len(calls)


def test_verifier_logs_the_callers_x_request_id(
    journey: vpb.SubmitPresentationResponse, verifier: ServiceProcess
) -> None:
    calls = [e for e in verifier.log_entries() if e.get("request_id") == REQUEST_ID]
    assert [c["method"] for c in calls] == ["/civid.verifier.v1.VerifierService/CreatePresentationRequest"]


def test_issuer_metrics_count_enrollment_outcomes_and_calls(
    journey: vpb.SubmitPresentationResponse, issuer: ServiceProcess
) -> None:
    samples = issuer.scrape()
    assert samples['civid_enrollments_total{outcome="issued"}'] == 1
    method = "/civid.issuer.v1.IssuerService/CompleteEnrollment"
    assert samples[f'civid_rpc_total{{code="OK",method="{method}"}}'] == 1
    assert samples[f'civid_rpc_duration_seconds_count{{method="{method}"}}'] == 1


def test_verifier_metrics_count_verification_outcomes_and_calls(
    journey: vpb.SubmitPresentationResponse, verifier: ServiceProcess
) -> None:
    samples = verifier.scrape()
    assert samples[f'civid_verifications_total{{outcome="verified",policy="{BOARDING}"}}'] == 1
    method = "/civid.verifier.v1.VerifierService/SubmitPresentation"
    assert samples[f'civid_rpc_total{{code="OK",method="{method}"}}'] == 1
    assert samples[f'civid_rpc_duration_seconds_sum{{method="{method}"}}'] > 0


# --- graceful shutdown ---------------------------------------------------------------------------


class GatedIssuerServicer(FakeIssuerServicer):
    """Holds every status-list answer until ``gate`` opens, so a verification stays in flight."""

    def __init__(self, issuer: TestIssuer) -> None:
        super().__init__(issuer)
        self.gate = threading.Event()
        self.waiting = threading.Event()

    async def GetStatusList(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        self.waiting.set()
        await asyncio.to_thread(self.gate.wait, 60)
        return await super().GetStatusList(request, context)


@pytest.fixture
def gated_verifier(tmp_path: Path) -> Iterator[tuple[ServiceProcess, TestIssuer, GatedIssuerServicer]]:
    test_issuer = TestIssuer()
    fake = FakeIssuerServer(test_issuer)
    fake.servicer = gated = GatedIssuerServicer(test_issuer)  # type: ignore[abstract]
    fake.start()
    service = start_verifier(
        tmp_path, write_trust_file(tmp_path / "trust.toml", test_issuer.did, fake.address)
    )
    try:
        yield service, test_issuer, gated
    finally:
        gated.gate.set()
        service.terminate()
        fake.close()


def test_sigterm_lets_an_in_flight_verification_finish_then_exits_zero(
    gated_verifier: tuple[ServiceProcess, TestIssuer, GatedIssuerServicer],
) -> None:
    service, test_issuer, gated = gated_verifier
    holder = Holder.new()
    outcome: list[vpb.SubmitPresentationResponse | BaseException] = []

    def call() -> None:
        try:
            outcome.append(present(service, holder, test_issuer.issue(holder.did, 3)))
        except BaseException as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    assert gated.waiting.wait(60), "the verification never asked for the status list"
    service.process.send_signal(signal.SIGTERM)
    time.sleep(1.0)
    assert service.process.poll() is None, "the verifier exited with a call in flight"
    gated.gate.set()
    caller.join(60)
    assert service.process.wait(timeout=30) == 0
    answer = outcome[0]
    assert isinstance(answer, vpb.SubmitPresentationResponse), answer
    assert answer.verification.verified
    assert any(e.get("event") == "shutdown" for e in service.log_entries())
