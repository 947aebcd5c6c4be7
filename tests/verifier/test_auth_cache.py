"""Cached API-key authentication: same answers as the database, revocations honoured in time."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.policies import load_policies
from civid.verifier.config.relying_parties import RelyingPartySpec
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.relying_parties import RelyingPartyRegistry
from civid.verifier.domain.storage.engine import make_engine
from civid.verifier.domain.storage.migrate import migrate

POLICIES = load_policies()
AIRLINE = RelyingPartySpec(
    "thai-domestic-air", LocalizedText("Thai Domestic Air", "ไทยโดเมสติกแอร์"), ("airline-domestic-boarding",)
)


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(tmp_path)
    migrate(engine)
    return engine


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


def registry_on(engine: Engine, ticks: Ticks) -> RelyingPartyRegistry:
    return RelyingPartyRegistry(engine, POLICIES, auth_recheck_seconds=1.0, monotonic=ticks)


def assert_refused(registry: RelyingPartyRegistry, key: str) -> None:
    with pytest.raises(DomainError) as caught:
        registry.authenticate(key)
    assert caught.value.code is DomainErrorCode.RP_UNAUTHENTICATED


def test_a_repeated_authentication_within_the_interval_reads_no_database(
    engine: Engine, ticks: Ticks
) -> None:
    registry = registry_on(engine, ticks)
    rp, key = registry.add_rp(AIRLINE)
    assert registry.authenticate(key) == rp
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert registry.authenticate_cached(key) == rp
    assert registry.authenticate(key) == rp
    assert statements == []


def test_a_cached_key_with_a_wrong_secret_is_still_refused(engine: Engine, ticks: Ticks) -> None:
    registry = registry_on(engine, ticks)
    _, key = registry.add_rp(AIRLINE)
    registry.authenticate(key)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert registry.authenticate_cached(forged) is None
    assert_refused(registry, forged)


def test_a_key_revoked_in_the_same_process_is_refused_at_once(engine: Engine, ticks: Ticks) -> None:
    registry = registry_on(engine, ticks)
    _, key = registry.add_rp(AIRLINE)
    registry.authenticate(key)
    registry.revoke_rp(AIRLINE.id)
    assert registry.authenticate_cached(key) is None
    assert_refused(registry, key)


def test_a_key_rotated_in_the_same_process_is_refused_at_once(engine: Engine, ticks: Ticks) -> None:
    registry = registry_on(engine, ticks)
    _, old = registry.add_rp(AIRLINE)
    registry.authenticate(old)
    new = registry.rotate_key(AIRLINE.id).api_key
    assert_refused(registry, old)
    assert registry.authenticate(new).id == AIRLINE.id


def test_an_update_in_the_same_process_is_seen_at_once(engine: Engine, ticks: Ticks) -> None:
    registry = registry_on(engine, ticks)
    _, key = registry.add_rp(AIRLINE)
    registry.authenticate(key)
    registry.update_rp(AIRLINE.id, display_name=LocalizedText("Renamed Air", "เปลี่ยนชื่อแอร์"))
    assert registry.authenticate(key).display_name.en == "Renamed Air"


def test_a_key_revoked_by_another_process_is_refused_after_the_recheck_interval(
    engine: Engine, ticks: Ticks
) -> None:
    serving = registry_on(engine, ticks)
    _, key = serving.add_rp(AIRLINE)
    serving.authenticate(key)
    RelyingPartyRegistry(engine, POLICIES).revoke_rp(AIRLINE.id)  # another process, same database
    ticks.now += 0.5
    assert serving.authenticate(key).id == AIRLINE.id  # still within the bound
    ticks.now += 0.5
    assert_refused(serving, key)


def test_an_unrelated_change_elsewhere_does_not_refuse_a_valid_key(engine: Engine, ticks: Ticks) -> None:
    serving = registry_on(engine, ticks)
    _, key = serving.add_rp(AIRLINE)
    serving.authenticate(key)
    other = RelyingPartyRegistry(engine, POLICIES)
    other.update_rp(AIRLINE.id, display_name=LocalizedText("Renamed Air", "เปลี่ยนชื่อแอร์"))
    ticks.now += 1.0
    assert serving.authenticate(key).display_name.en == "Renamed Air"


def test_a_zero_interval_reads_the_registry_on_every_call(engine: Engine, ticks: Ticks) -> None:
    serving = RelyingPartyRegistry(engine, POLICIES, auth_recheck_seconds=0.0, monotonic=ticks)
    _, key = serving.add_rp(AIRLINE)
    serving.authenticate(key)
    RelyingPartyRegistry(engine, POLICIES).revoke_rp(AIRLINE.id)
    assert_refused(serving, key)
