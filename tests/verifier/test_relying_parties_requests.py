"""Presentation requests of relying parties: creation, isolation between parties, results, compact strings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from civid.core.result import ResultBuilder
from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.policies import load_policies
from civid.verifier.config.relying_parties import RelyingPartySpec
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.evaluation import Judgement
from civid.verifier.domain.nonces import InMemoryNonceStore
from civid.verifier.domain.relying_parties import RelyingParty, RelyingPartyRegistry
from civid.verifier.domain.request_codec import RequestReference, decode_request, encode_request
from civid.verifier.domain.requests import PresentationRequestStore, PresentationResult, RequestState
from civid.verifier.domain.storage.engine import make_engine
from civid.verifier.domain.storage.migrate import migrate

POLICIES = load_policies()
DOMAIN = "verifier.civid.example"
Setup = tuple[PresentationRequestStore, RelyingParty, RelyingParty]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def setup(tmp_path: Path, clock: Clock) -> Setup:
    engine = make_engine(tmp_path)
    migrate(engine)
    registry = RelyingPartyRegistry(engine, POLICIES)
    airline, _ = registry.add_rp(
        RelyingPartySpec("thai-domestic-air", LocalizedText("Air", "แอร์"), ("airline-domestic-boarding",))
    )
    consulate, _ = registry.add_rp(
        RelyingPartySpec("consular-affairs", LocalizedText("Consular", "กงสุล"), ("passport-application",))
    )
    return PresentationRequestStore(engine, POLICIES, clock), airline, consulate


def result_for(request_id: str, verified: bool = True) -> PresentationResult:
    out = ResultBuilder()
    out.passed("presentation.proof.signature")
    judgement = Judgement(out.build(), {"givenNameEn": "Somchai"} if verified else {})
    return PresentationResult.from_judgement(request_id, judgement, datetime(2026, 6, 1, tzinfo=UTC))


def test_created_request_carries_a_fresh_nonce_the_domain_and_five_minutes(
    setup: Setup, clock: Clock
) -> None:
    store, airline, _ = setup
    nonces = InMemoryNonceStore()
    request = store.create(airline, "airline-domestic-boarding", [], DOMAIN, nonces)
    assert request.state is RequestState.PENDING and request.domain == DOMAIN
    assert request.expires_at - request.created_at == timedelta(seconds=300)
    assert len(request.nonce) >= 43 and nonces.consume(request.nonce)
    assert request.requested_claims == POLICIES.by_id["airline-domestic-boarding"].claims
    assert store.create(airline, "airline-domestic-boarding", [], DOMAIN, nonces).nonce != request.nonce


def test_airline_asking_for_a_claim_outside_its_policy_is_refused_at_creation(setup: Setup) -> None:
    store, airline, _ = setup
    with pytest.raises(DomainError) as caught:
        store.create(airline, "airline-domestic-boarding", ["birthDate"], DOMAIN, InMemoryNonceStore())
    assert caught.value.code is DomainErrorCode.CLAIM_NOT_ALLOWED


def test_airline_may_not_create_a_passport_request(setup: Setup) -> None:
    store, airline, _ = setup
    with pytest.raises(DomainError) as caught:
        store.create(airline, "passport-application", [], DOMAIN, InMemoryNonceStore())
    assert caught.value.code is DomainErrorCode.POLICY_NOT_ALLOWED


def test_reading_another_partys_request_or_result_is_not_found(setup: Setup) -> None:
    store, airline, consulate = setup
    request = store.create(consulate, "passport-application", [], DOMAIN, InMemoryNonceStore())
    store.record_result(result_for(request.id))
    for read in (store.get_for_rp, store.result_for_rp):
        with pytest.raises(DomainError) as caught:
            read(airline.id, request.id)
        assert caught.value.code is DomainErrorCode.REQUEST_NOT_FOUND
    with pytest.raises(DomainError) as missing:
        store.get_for_rp(airline.id, "no-such-request-id")
    assert missing.value.message == caught.value.message  # alike: nothing reveals it exists


def test_result_is_kept_for_the_requesting_party(setup: Setup) -> None:
    store, airline, _ = setup
    request = store.create(airline, "airline-domestic-boarding", [], DOMAIN, InMemoryNonceStore())
    assert store.result_for_rp(airline.id, request.id) is None
    store.record_result(result_for(request.id))
    result = store.result_for_rp(airline.id, request.id)
    assert result is not None and result.verified
    assert result.released_claims == {"givenNameEn": "Somchai"}
    assert result.checks[0]["name"] == "presentation.proof.signature"
    assert store.get_for_rp(airline.id, request.id).state is RequestState.COMPLETED


def test_a_request_is_answered_only_once(setup: Setup) -> None:
    store, airline, _ = setup
    request = store.create(airline, "airline-domestic-boarding", [], DOMAIN, InMemoryNonceStore())
    store.record_result(result_for(request.id))
    with pytest.raises(DomainError) as caught:
        store.record_result(result_for(request.id, verified=False))
    assert caught.value.code is DomainErrorCode.REQUEST_COMPLETED
    with pytest.raises(DomainError):
        store.open_for_submission(request.id)


def test_expired_request_refuses_submission_and_is_marked_expired(setup: Setup, clock: Clock) -> None:
    store, airline, _ = setup
    request = store.create(airline, "airline-domestic-boarding", [], DOMAIN, InMemoryNonceStore())
    assert store.open_for_submission(request.id).id == request.id
    clock.now += timedelta(seconds=301)
    with pytest.raises(DomainError) as caught:
        store.open_for_submission(request.id)
    assert caught.value.code is DomainErrorCode.REQUEST_EXPIRED
    assert store.expire_due() == 1
    assert store.get(request.id).state is RequestState.EXPIRED


def test_compact_request_string_is_the_protos_id_at_host_and_port() -> None:
    ref = RequestReference("127.0.0.1:50052", "AbCdEf0123456789xyz_-w")
    text = encode_request(ref)
    assert text == "civid-pr:v1:AbCdEf0123456789xyz_-w@127.0.0.1:50052"
    assert decode_request(text) == ref
    assert decode_request(f"  {text}\n") == ref


def test_compact_request_string_carries_an_ipv6_verifier_address() -> None:
    ref = RequestReference("[::1]:50052", "abcdefgh")
    assert decode_request(encode_request(ref)) == ref


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("civid-pr:v2:abcdefgh@h:1", "does not start with"),
        ("abcdefgh@h:1", "does not start with"),
        ("civid-pr:v1:abcdefgh", "no '@<host:port>'"),
        # the base64url JSON form an earlier build wrote is not a second format
        ("civid-pr:v1:eyJyZXF1ZXN0IjoiYWJjZGVmZ2giLCJ2ZXJpZmllciI6Img6MSJ9", "no '@<host:port>'"),
        ("civid-pr:v1:short@h:1", "8 to 64 characters"),
        ("civid-pr:v1:abc/defgh@h:1", "8 to 64 characters"),
        ("civid-pr:v1:abcdefgh@", "is not host:port"),
        ("civid-pr:v1:abcdefgh@h:1@h:2", "is not host:port"),
        ("civid-pr:v1:abcdefgh@h:1 extra", "is not host:port"),
        ("civid-pr:v1:" + "A" * 2000 + "@h:1", "longer than"),
    ],
)
def test_malformed_compact_request_string_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(DomainError, match=reason) as caught:
        decode_request(text)
    assert caught.value.code is DomainErrorCode.INVALID_REQUEST_STRING


@pytest.mark.parametrize("verifier", ["no-port", "host:0", "host:70000", "a b:1", ""])
def test_compact_request_string_needs_a_host_and_port(verifier: str) -> None:
    with pytest.raises(DomainError) as caught:
        encode_request(RequestReference(verifier, "abcdefgh"))
    assert caught.value.code is DomainErrorCode.INVALID_REQUEST_STRING
