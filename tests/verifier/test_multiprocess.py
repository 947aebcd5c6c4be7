"""Two verifier processes sharing nonces and rate limits through Redis: a challenge used at one is
refused at the other, and so is a relying party that used its burst at the other."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from conftest import AIRLINE, REDIS_URL, verifier_settings
from server_fixtures import FakeIssuerServer, Holder, TestIssuer, free_port, write_trust_file

from civid.rpc.errors import error_details
from civid.verifier import app
from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.policies import load_policies
from civid.verifier.config.relying_parties import RelyingPartySpec
from civid.verifier.domain.relying_parties import RelyingPartyRegistry
from civid.verifier.domain.storage.engine import make_engine
from civid.verifier.v1 import verifier_service_pb2 as pb
from civid.verifier.v1 import verifier_service_pb2_grpc as pb_grpc

pytestmark = [pytest.mark.redis, pytest.mark.slow]
START_TIMEOUT_S = 90.0
# a relying party that calls a few times an hour: two calls at once, then one every 1000 s
SLOW_AIR = RelyingPartySpec(
    "slow-air",
    LocalizedText("Slow Air", "สโลว์แอร์"),
    ("airline-domestic-boarding",),
    rate_per_s=0.001,
    burst=2,
)

# the two processes' stubs, the airline's API key, the issuer of the holders' cards
Verifiers = tuple[list[pb_grpc.VerifierServiceStub], str, TestIssuer]


def start_process(port: int, data_dir: Path, trust: Path, prefix: str, log: Path) -> subprocess.Popen[bytes]:
    """A verifier process on ``port``; what it prints goes to ``log``."""
    command = [
        sys.executable, "-m", "civid.cli.main", "verifier", "serve",
        "--listen", f"127.0.0.1:{port}", "--data-dir", str(data_dir), "--trust", str(trust),
        "--redis-url", REDIS_URL, "--redis-prefix", prefix, "--engine", "thread", "--engine-workers", "1",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def wait_serving(process: subprocess.Popen[bytes], channel: grpc.Channel, log: Path) -> None:
    """Until the process serves on ``channel``; fails at once, with what it printed, if it exits."""
    ready = grpc.channel_ready_future(channel)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            ready.result(timeout=0.5)
            return
        except grpc.FutureTimeoutError:
            if process.poll() is not None:
                break
    ready.cancel()
    printed = log.read_text(encoding="utf-8", errors="replace")[-4000:]
    pytest.fail(f"verifier process (exit status {process.poll()}) is not serving; it printed:\n{printed}")


@pytest.fixture
def two_verifiers(tmp_path: Path) -> Iterator[Verifiers]:
    issuer = TestIssuer()
    issuer_server = FakeIssuerServer(issuer).start()
    trust = write_trust_file(tmp_path / "trust.toml", issuer.did, issuer_server.address)
    settings = verifier_settings(tmp_path / "data", trust)
    key = {k.rp_id: k.api_key for k in app.prepare(settings, out=io.StringIO())}[AIRLINE]
    prefix = f"civid-test:{uuid.uuid4().hex}:"
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"verifier-{port}.log" for port in ports]
    processes = [
        start_process(p, tmp_path / "data", trust, prefix, log) for p, log in zip(ports, logs, strict=True)
    ]
    channels = [grpc.insecure_channel(f"127.0.0.1:{p}") for p in ports]
    try:
        for process, channel, log in zip(processes, channels, logs, strict=True):
            wait_serving(process, channel, log)
        yield [pb_grpc.VerifierServiceStub(c) for c in channels], key, issuer
    finally:
        for channel in channels:
            channel.close()
        for process in processes:
            process.terminate()
            process.wait(30)
        issuer_server.close()


def test_a_challenge_used_at_one_process_is_refused_at_the_other(two_verifiers: Verifiers) -> None:
    (first, second), key, issuer = two_verifiers
    holder = Holder.new()
    challenge, domain = "multi-process-" + uuid.uuid4().hex, "https://kiosk.thai-domestic-air.example"
    vp = holder.present([issuer.issue(holder.did, 7)], challenge, domain)
    message = pb.VerifyPresentationRequest(
        presentation_json=json.dumps(vp),
        challenge=challenge,
        domain=domain,
        policy_id="airline-domestic-boarding",
    )
    metadata = (("authorization", f"Bearer {key}"),)
    assert first.VerifyPresentation(message, metadata=metadata, timeout=60).result.verification.verified
    replay = second.VerifyPresentation(message, metadata=metadata, timeout=60).result.verification
    assert not replay.verified
    assert "NONCE_ALREADY_USED" in {c.code for c in replay.checks}


def test_a_request_answered_at_one_process_is_refused_at_the_other(two_verifiers: Verifiers) -> None:
    (first, second), key, issuer = two_verifiers
    holder = Holder.new()
    metadata = (("authorization", f"Bearer {key}"),)
    made = first.CreatePresentationRequest(
        pb.CreatePresentationRequestRequest(policy_id="airline-domestic-boarding"), metadata=metadata
    ).presentation_request
    vp = holder.present([issuer.issue(holder.did, 8)], made.challenge, made.domain)
    submission = pb.SubmitPresentationRequest(
        presentation_request_id=made.presentation_request_id, presentation_json=json.dumps(vp)
    )
    assert first.SubmitPresentation(submission, timeout=60).verification.verified
    with pytest.raises(grpc.RpcError) as caught:
        second.SubmitPresentation(submission, timeout=60)
    assert error_details(caught.value).reason == "NONCE_ALREADY_USED"


def test_a_relying_party_that_used_its_burst_at_one_process_is_refused_at_the_other(
    two_verifiers: Verifiers, tmp_path: Path
) -> None:
    (first, second), _, _ = two_verifiers
    database = make_engine(tmp_path / "data")  # the servers' own (two_verifiers' data directory)
    _, key = RelyingPartyRegistry(database, load_policies()).add_rp(SLOW_AIR)
    database.dispose()
    metadata = (("authorization", f"Bearer {key}"),)
    for _ in range(2):
        first.ListPolicies(pb.ListPoliciesRequest(), metadata=metadata, timeout=60)
    with pytest.raises(grpc.RpcError) as caught:
        second.ListPolicies(pb.ListPoliciesRequest(), metadata=metadata, timeout=60)
    details = error_details(caught.value)
    assert (details.code, details.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
