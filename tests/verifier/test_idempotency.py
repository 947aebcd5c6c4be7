"""Idempotency keys (request_id) are kept in the verifier's database: every process and a restart honour them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from conftest import AIRLINE, VerifierEnv
from server_fixtures import ThreadedLoop, free_port

from civid.rpc.errors import error_details
from civid.verifier import app
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.idempotency import IdempotencyStore
from civid.verifier.v1 import relying_party_admin_service_pb2 as apb
from civid.verifier.v1 import relying_party_admin_service_pb2_grpc as admin_grpc
from civid.verifier.v1 import verifier_service_pb2 as pb
from civid.verifier.v1 import verifier_service_pb2_grpc as verifier_grpc

BOARDING = "airline-domestic-boarding"


@contextmanager
def another_instance(env: VerifierEnv) -> Iterator[grpc.Channel]:
    """A second verifier app on the same database (another port, its own process state)."""
    settings = dataclasses.replace(env.settings, listen=f"127.0.0.1:{free_port()}")
    loop = ThreadedLoop()
    running = loop.call(lambda: app.start_verifier(settings))
    channel = grpc.insecure_channel(settings.listen)
    try:
        yield channel
    finally:
        channel.close()
        loop.call(lambda: running.stop(0))
        loop.close()


def create(channel: grpc.Channel, env: VerifierEnv, request_id: str, claims: Sequence[str] = ()) -> str:
    stub = verifier_grpc.VerifierServiceStub(channel)
    request = pb.CreatePresentationRequestRequest(policy_id=BOARDING, request_id=request_id, claims=claims)
    answer = stub.CreatePresentationRequest(request, metadata=env.rp_metadata(AIRLINE))
    return str(answer.presentation_request.presentation_request_id)


def test_a_retry_at_another_process_returns_the_same_presentation_request(verifier_env: VerifierEnv) -> None:
    first = create(verifier_env.channel, verifier_env, "boarding-gate-7-0001")
    with another_instance(verifier_env) as other:
        assert create(other, verifier_env, "boarding-gate-7-0001") == first
        assert create(other, verifier_env, "boarding-gate-7-0002") != first


def test_a_retry_after_a_restart_returns_the_same_presentation_request(verifier_env: VerifierEnv) -> None:
    with another_instance(verifier_env) as before:
        first = create(before, verifier_env, "restart-0001")
    with another_instance(verifier_env) as after:
        assert create(after, verifier_env, "restart-0001") == first


def test_a_request_id_reused_with_other_content_at_another_process_is_a_conflict(
    verifier_env: VerifierEnv,
) -> None:
    create(verifier_env.channel, verifier_env, "conflict-0001", claims=["givenNameEn"])
    with another_instance(verifier_env) as other, pytest.raises(grpc.RpcError) as caught:
        create(other, verifier_env, "conflict-0001", claims=["photo"])
    details = error_details(caught.value)
    assert (details.code, details.reason) == (grpc.StatusCode.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT")


def test_a_retried_relying_party_creation_at_another_process_returns_the_same_key(
    verifier_env: VerifierEnv,
) -> None:
    request = apb.CreateRelyingPartyRequest(
        relying_party_id="retry-air",
        display_name={"en": "Retry Air"},
        policy_ids=[BOARDING],
        request_id="create-retry-air",
    )
    first = verifier_env.admin.CreateRelyingParty(request, metadata=verifier_env.admin_metadata())
    with another_instance(verifier_env) as other:
        again = admin_grpc.RelyingPartyAdminServiceStub(other).CreateRelyingParty(
            request, metadata=verifier_env.admin_metadata()
        )
    assert again.api_key == first.api_key and again.relying_party.relying_party_id == "retry-air"


def test_the_stored_answer_of_a_relying_party_creation_does_not_hold_its_key_in_plaintext(
    verifier_env: VerifierEnv,
) -> None:
    request = apb.CreateRelyingPartyRequest(
        relying_party_id="sealed-air",
        display_name={"en": "Sealed Air"},
        policy_ids=[BOARDING],
        request_id="create-sealed-air",
    )
    answer = verifier_env.admin.CreateRelyingParty(request, metadata=verifier_env.admin_metadata())
    engine = app.open_database(verifier_env.settings)
    try:
        with engine.connect() as conn:
            stored = conn.exec_driver_sql(
                "SELECT answer FROM idempotency_keys WHERE request_id = 'create-sealed-air'"
            ).scalar_one()
    finally:
        engine.dispose()
    secret = answer.api_key.rsplit(".", 1)[1]
    assert secret.encode() not in stored and b"Sealed Air" not in stored


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_an_idempotency_key_is_forgotten_after_its_lifetime(verifier_env: VerifierEnv) -> None:
    engine = app.open_database(verifier_env.settings)
    clock = Clock()
    store = IdempotencyStore(engine, clock, timedelta(hours=24))
    try:
        store.remember("test-scope", "lifetime-1", "a" * 64, b"first")
        clock.now += timedelta(hours=23)
        assert store.recall("test-scope", "lifetime-1", "a" * 64) == b"first"
        with pytest.raises(DomainError) as caught:
            store.recall("test-scope", "lifetime-1", "b" * 64)
        assert caught.value.code is DomainErrorCode.IDEMPOTENCY_CONFLICT
        clock.now += timedelta(hours=2)
        assert store.recall("test-scope", "lifetime-1", "b" * 64) is None
        assert store.remember("test-scope", "lifetime-1", "b" * 64, b"second") == b"second"
    finally:
        engine.dispose()


def test_the_first_answer_stored_wins_a_race_between_processes(verifier_env: VerifierEnv) -> None:
    engine = app.open_database(verifier_env.settings)
    try:
        one, two = IdempotencyStore(engine), IdempotencyStore(engine)
        assert one.remember("test-scope", "race-1", "c" * 64, b"winner") == b"winner"
        assert two.remember("test-scope", "race-1", "c" * 64, b"loser") == b"winner"
    finally:
        engine.dispose()
