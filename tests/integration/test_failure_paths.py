"""Failure paths across real processes: the issuer down, the verifier restarted.

The issuer, the verifier (default single-process set-up: SQLite, nonces in memory) and the headless
wallet run as separate OS processes on free ports. The wallet enrols once with a face photo; the
airline policy reads the issuer's current status list every time (freshness 0, as in the demo).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from civid.cli.demo_steps.processes import Server, civid_command
from civid.cli.demo_steps.relying_party import RelyingParty
from civid.cli.demo_steps.wallet import EXIT_REJECTED, PIN_ENV, HeadlessWallet
from civid.rpc.errors import error_details
from civid.verifier.v1 import presentation_pb2, verifier_service_pb2, verifier_service_pb2_grpc
from tests.integration.processes import (
    AIRLINE,
    AIRLINE_POLICY,
    ProcessStack,
    error_codes,
    issuer_args,
    relying_party,
    trust_and_policies,
    verifier_args,
    write_passphrase,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.face]

PIN = "135790"
CITIZEN = ("1103083804285", "DP5-4133755-69")  # the demo citizen whose registry photo matches the selfie
AIRLINE_CLAIMS = {"titleEn", "givenNameEn", "familyNameEn", "photo", "nationalIdNumber"}


@dataclass
class Services:
    """The running programs; the issuer and the verifier can be stopped and started again."""

    running: ProcessStack
    issuer: Server
    issuer_command: list[str]
    verifier: Server
    verifier_command: list[str]
    wallet: HeadlessWallet

    @property
    def airline(self) -> RelyingParty:
        return relying_party(self.running.work / "verifier", AIRLINE, self.verifier)

    def restart_verifier(self) -> None:
        """SIGTERM the verifier and start it again on the same port with the same data."""
        assert self.running.stop(self.verifier) == 0
        self.verifier = self.running.start("verifier", self.verifier_command, self.verifier.address)

    def ensure_issuer(self) -> None:
        if self.issuer.process.poll() is not None:
            self.issuer = self.running.start("issuer", self.issuer_command, self.issuer.address)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory, selfie: Path) -> Iterator[Services]:
    work = tmp_path_factory.mktemp("failure-paths")
    running = ProcessStack(work)
    try:
        passphrase = write_passphrase(work / "issuer-key.passphrase")
        issuer_command = issuer_args(data_dir=work / "issuer", passphrase_file=passphrase)
        issuer = running.start("issuer", issuer_command)
        trust, policies = trust_and_policies(work, issuer, "issuer")
        verifier_command = verifier_args(data_dir=work / "verifier", trust=trust, policies=policies)
        verifier = running.start("verifier", verifier_command)
        wallet = HeadlessWallet(work / "wallet", PIN)
        wallet.run("init", "--issuer", issuer.address, "--verifier", verifier.address, "--language", "en")
        wallet.run("enrol", "--national-id", CITIZEN[0], "--laser-code", CITIZEN[1], "--selfie", str(selfie))
        yield Services(running, issuer, issuer_command, verifier, verifier_command, wallet)
    finally:
        running.stop_all()


@pytest.fixture
def issuer_up(services: Services) -> Services:
    services.ensure_issuer()
    return services


@dataclass(frozen=True)
class OpenRequests:
    """Requests created before a verifier restart: one still open after it, one past its lifetime."""

    open: presentation_pb2.PresentationRequest
    lapsed: presentation_pb2.PresentationRequest


@pytest.fixture(scope="module")
def restarted(services: Services) -> OpenRequests:
    services.ensure_issuer()
    airline = services.airline
    still_open = airline.create_request(AIRLINE_POLICY)
    lapsed = create_request(airline, ttl_s=1)
    services.restart_verifier()
    time.sleep(max(0.0, lapsed.expire_time.ToDatetime(tzinfo=UTC).timestamp() - time.time()))
    return OpenRequests(still_open, lapsed)


def create_request(airline: RelyingParty, ttl_s: int) -> presentation_pb2.PresentationRequest:
    with grpc.insecure_channel(airline.address) as channel:
        stub = verifier_service_pb2_grpc.VerifierServiceStub(channel)
        message = verifier_service_pb2.CreatePresentationRequestRequest(
            policy_id=AIRLINE_POLICY, ttl=Duration(seconds=ttl_s)
        )
        metadata = (("authorization", f"Bearer {airline.api_key}"),)
        made: presentation_pb2.PresentationRequest = stub.CreatePresentationRequest(
            message, metadata=metadata, timeout=30
        ).presentation_request
        return made


def wallet_present(wallet: HeadlessWallet, compact: str) -> subprocess.CompletedProcess[str]:
    """``civid wallet present --request COMPACT --yes``, whatever its exit code."""
    command = civid_command("wallet", "--store", str(wallet.store), "present", "--request", compact, "--yes")
    env = {**os.environ, PIN_ENV: wallet.pin}
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, check=False
    )


def test_enrolled_wallet_presents_and_the_airline_receives_exactly_its_claims(issuer_up: Services) -> None:
    airline = issuer_up.airline
    request = airline.create_request(AIRLINE_POLICY)
    done = wallet_present(issuer_up.wallet, request.compact)
    result = airline.result(request.presentation_request_id)
    assert done.returncode == 0, done.stderr
    assert result.verification.verified
    assert set(result.released_claims) == AIRLINE_CLAIMS
    assert result.released_claims["nationalIdNumber"] == CITIZEN[0]


def test_pending_request_survives_a_verifier_restart(issuer_up: Services, restarted: OpenRequests) -> None:
    done = wallet_present(issuer_up.wallet, restarted.open.compact)
    result = issuer_up.airline.result(restarted.open.presentation_request_id)
    assert done.returncode == 0, done.stderr
    assert result.verification.verified, error_codes(result.verification)
    assert set(result.released_claims) == AIRLINE_CLAIMS


def test_request_past_its_lifetime_is_clearly_expired_after_a_verifier_restart(
    issuer_up: Services, restarted: OpenRequests
) -> None:
    done = wallet_present(issuer_up.wallet, restarted.lapsed.compact)
    assert done.returncode == 1
    assert json.loads(done.stderr.strip().splitlines()[-1])["error"]["code"] == "REQUEST_EXPIRED"
    result = issuer_up.airline.result(restarted.lapsed.presentation_request_id)
    assert result.state == presentation_pb2.PRESENTATION_REQUEST_STATE_EXPIRED


def test_submission_for_an_expired_request_fails_with_request_expired(
    issuer_up: Services, restarted: OpenRequests
) -> None:
    with grpc.insecure_channel(issuer_up.verifier.address) as channel:
        stub = verifier_service_pb2_grpc.VerifierServiceStub(channel)
        message = verifier_service_pb2.SubmitPresentationRequest(
            presentation_request_id=restarted.lapsed.presentation_request_id, presentation_json="{}"
        )
        with pytest.raises(grpc.RpcError) as refused:
            stub.SubmitPresentation(message, timeout=30)
    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert error_details(refused.value).reason == "REQUEST_EXPIRED"


def test_status_check_fails_closed_when_the_issuer_is_down(services: Services) -> None:
    assert services.running.stop(services.issuer) == 0
    airline = services.airline
    request = airline.create_request(AIRLINE_POLICY)
    done = wallet_present(services.wallet, request.compact)
    result = airline.result(request.presentation_request_id)
    assert done.returncode == EXIT_REJECTED, done.stderr
    assert not result.verification.verified
    assert "STATUS_UNAVAILABLE" in error_codes(result.verification)
    assert not result.released_claims
