"""Two verifier processes sharing nonces through Redis: a challenge used at one is refused at the other."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from conftest import AIRLINE, verifier_settings
from server_fixtures import FakeIssuerServer, Holder, TestIssuer, free_port, write_trust_file

from civid.rpc.errors import error_details
from civid.verifier import app
from civid.verifier.v1 import verifier_service_pb2 as pb
from civid.verifier.v1 import verifier_service_pb2_grpc as pb_grpc

pytestmark = [pytest.mark.redis, pytest.mark.slow]
REDIS_URL = "redis://127.0.0.1:6379/0"


def start_process(port: int, data_dir: Path, trust: Path, prefix: str) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "civid.cli.main", "verifier", "serve",
        "--listen", f"127.0.0.1:{port}", "--data-dir", str(data_dir), "--trust", str(trust),
        "--redis-url", REDIS_URL, "--redis-prefix", prefix, "--engine", "thread", "--engine-workers", "1",
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def two_verifiers(tmp_path: Path) -> Iterator[tuple[list[pb_grpc.VerifierServiceStub], str, TestIssuer]]:
    issuer = TestIssuer()
    issuer_server = FakeIssuerServer(issuer).start()
    trust = write_trust_file(tmp_path / "trust.toml", issuer.did, issuer_server.address)
    settings = verifier_settings(tmp_path / "data", trust)
    key = {k.rp_id: k.api_key for k in app.prepare(settings, out=io.StringIO())}[AIRLINE]
    prefix = f"civid-test:{uuid.uuid4().hex}:"
    ports = [free_port(), free_port()]
    processes = [start_process(p, tmp_path / "data", trust, prefix) for p in ports]
    channels = [grpc.insecure_channel(f"127.0.0.1:{p}") for p in ports]
    try:
        for channel in channels:
            grpc.channel_ready_future(channel).result(timeout=90)
        yield [pb_grpc.VerifierServiceStub(c) for c in channels], key, issuer
    finally:
        for channel in channels:
            channel.close()
        for process in processes:
            process.terminate()
            process.wait(30)
        issuer_server.close()


def test_a_challenge_used_at_one_process_is_refused_at_the_other(two_verifiers: tuple) -> None:
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


def test_a_request_answered_at_one_process_is_refused_at_the_other(two_verifiers: tuple) -> None:
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
