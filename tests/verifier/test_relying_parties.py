"""The relying-party registry: keys stored hashed, authentication, authorization, bootstrap."""

from __future__ import annotations

import hashlib
import math
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, select, text

from civid.service.db.tx import write
from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.policies import load_policies
from civid.verifier.config.relying_parties import RelyingPartySpec, load_relying_party_specs
from civid.verifier.domain.bootstrap import KEYS_FILE_NAME, bootstrap_relying_parties
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.relying_parties import (
    NameChange,
    Registered,
    RelyingPartyRegistry,
    api_key_prefix,
    authorize,
)
from civid.verifier.domain.storage.engine import make_engine
from civid.verifier.domain.storage.migrate import alembic_config, current_revision, migrate
from civid.verifier.domain.storage.schema import (
    api_keys,
    registry_revision,
    relying_parties,
    rp_certificates,
)

POLICIES = load_policies()
AIRLINE = RelyingPartySpec(
    "thai-domestic-air", LocalizedText("Thai Domestic Air", "ไทยโดเมสติกแอร์"), ("airline-domestic-boarding",)
)
CONSULAR = RelyingPartySpec(
    "consular-affairs",
    LocalizedText("Consular Affairs", "กรมการกงสุล"),
    ("passport-application",),
    certificate_fingerprints=(hashlib.sha256(b"cert").hexdigest(),),
)
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(tmp_path)
    migrate(engine)
    return engine


@contextmanager
def empty_postgres_database() -> Iterator[Engine]:
    """A new, empty PostgreSQL database (no schema), dropped afterwards."""
    name = f"civid_verifier_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    engine = make_engine(f"postgresql://postgres@127.0.0.1:5432/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    with empty_postgres_database() as engine:
        migrate(engine)
        yield engine


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry(request: pytest.FixtureRequest, clock: Clock) -> RelyingPartyRegistry:
    engine = request.getfixturevalue(f"{request.param}_engine")
    return RelyingPartyRegistry(engine, POLICIES, clock)


def test_added_relying_party_authenticates_with_its_key(registry: RelyingPartyRegistry) -> None:
    rp, key = registry.add_rp(AIRLINE)
    assert registry.authenticate(key) == rp
    assert rp.display_name.th == "ไทยโดเมสติกแอร์" and rp.active


def test_only_the_sha256_of_the_secret_is_stored(registry: RelyingPartyRegistry) -> None:
    _, key = registry.add_rp(AIRLINE)
    _, key_id, secret = key.split(".")
    with registry._engine.connect() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).mappings().one()
    assert row["secret_sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(dict(row))


def test_wrong_secret_is_unauthenticated(registry: RelyingPartyRegistry) -> None:
    _, key = registry.add_rp(AIRLINE)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    with pytest.raises(DomainError) as caught:
        registry.authenticate(forged)
    assert caught.value.code is DomainErrorCode.RP_UNAUTHENTICATED


@pytest.mark.parametrize("key", ["", "not-a-key", "crp1." + "0" * 32 + "." + "A" * 43])
def test_unknown_or_malformed_key_is_unauthenticated(registry: RelyingPartyRegistry, key: str) -> None:
    with pytest.raises(DomainError) as caught:
        registry.authenticate(key)
    assert caught.value.code is DomainErrorCode.RP_UNAUTHENTICATED


def test_revoked_relying_party_is_unauthenticated(registry: RelyingPartyRegistry) -> None:
    _, key = registry.add_rp(AIRLINE)
    revoked = registry.revoke_rp(AIRLINE.id).relying_party
    assert not revoked.active and revoked.revoked_at is not None
    with pytest.raises(DomainError) as caught:
        registry.authenticate(key)
    assert caught.value.code is DomainErrorCode.RP_UNAUTHENTICATED


def test_rotated_key_works_and_the_old_one_stops(registry: RelyingPartyRegistry) -> None:
    _, old = registry.add_rp(AIRLINE)
    new = registry.rotate_key(AIRLINE.id).api_key
    assert registry.authenticate(new).id == AIRLINE.id
    with pytest.raises(DomainError):
        registry.authenticate(old)


def test_client_certificate_authenticates_by_its_der_fingerprint(registry: RelyingPartyRegistry) -> None:
    registry.add_rp(CONSULAR)
    assert registry.authenticate_certificate(b"cert").id == "consular-affairs"
    with pytest.raises(DomainError) as caught:
        registry.authenticate_certificate(b"another cert")
    assert caught.value.code is DomainErrorCode.RP_UNAUTHENTICATED


def test_list_shows_every_relying_party(registry: RelyingPartyRegistry) -> None:
    registry.add_rp(AIRLINE)
    registry.add_rp(CONSULAR)
    assert [rp.id for rp in registry.list_rps()] == ["consular-affairs", "thai-domestic-air"]


def test_adding_the_same_id_twice_is_already_exists(registry: RelyingPartyRegistry) -> None:
    registry.add_rp(AIRLINE)
    with pytest.raises(DomainError) as caught:
        registry.add_rp(AIRLINE)
    assert caught.value.code is DomainErrorCode.ALREADY_EXISTS


def test_adding_with_an_unknown_policy_is_refused(registry: RelyingPartyRegistry) -> None:
    with pytest.raises(DomainError) as caught:
        registry.add_rp(RelyingPartySpec("x-air", AIRLINE.display_name, ("no-such-policy",)))
    assert caught.value.code is DomainErrorCode.FIELD_INVALID


@pytest.mark.parametrize("english", ["", "   "])
def test_adding_without_an_english_display_name_is_refused(
    registry: RelyingPartyRegistry, english: str
) -> None:
    with pytest.raises(DomainError) as caught:
        registry.add_rp(RelyingPartySpec("x-air", LocalizedText(english, "สายการบิน"), AIRLINE.policy_ids))
    assert (caught.value.code, caught.value.metadata) == (
        DomainErrorCode.FIELD_INVALID,
        {"field": "display_name.en"},
    )
    assert registry.list_rps() == []


def test_renaming_to_a_blank_english_display_name_is_refused(registry: RelyingPartyRegistry) -> None:
    rp, _ = registry.add_rp(AIRLINE)
    with pytest.raises(DomainError) as caught:
        registry.update_rp(rp.id, display_name=LocalizedText(" ", "ไทย"))
    assert caught.value.code is DomainErrorCode.FIELD_INVALID
    assert registry.get(rp.id).display_name == AIRLINE.display_name


def test_renaming_only_in_english_to_a_blank_name_is_refused(registry: RelyingPartyRegistry) -> None:
    rp, _ = registry.add_rp(AIRLINE)
    with pytest.raises(DomainError) as caught:
        registry.update_rp(rp.id, display_name=NameChange(en=" "))
    assert (caught.value.code, caught.value.metadata) == (
        DomainErrorCode.FIELD_INVALID,
        {"field": "display_name.en"},
    )
    assert registry.get(rp.id).display_name == AIRLINE.display_name


@pytest.mark.parametrize(
    ("meanwhile", "change", "expected"),
    [
        (
            NameChange(en="Thai Skyways"),
            NameChange(th="ไทยสกายเวย์"),
            LocalizedText("Thai Skyways", "ไทยสกายเวย์"),
        ),
        (
            NameChange(th="ไทยสกายเวย์"),
            NameChange(en="Thai Skyways"),
            LocalizedText("Thai Skyways", "ไทยสกายเวย์"),
        ),
    ],
    ids=["thai-keeps-a-new-english", "english-keeps-a-new-thai"],
)
def test_a_name_change_in_one_language_keeps_the_other_as_stored_when_it_is_written(
    registry: RelyingPartyRegistry, meanwhile: NameChange, change: NameChange, expected: LocalizedText
) -> None:
    registry.add_rp(AIRLINE)
    assert registry.get(AIRLINE.id).display_name == AIRLINE.display_name  # what this caller saw
    RelyingPartyRegistry(registry._engine, POLICIES).update_rp(AIRLINE.id, display_name=meanwhile)

    updated = registry.update_rp(AIRLINE.id, display_name=change).relying_party

    assert updated.display_name == registry.get(AIRLINE.id).display_name == expected


def test_airline_may_not_use_the_passport_policy(registry: RelyingPartyRegistry) -> None:
    rp, _ = registry.add_rp(AIRLINE)
    assert authorize(rp, "airline-domestic-boarding", POLICIES).id == "airline-domestic-boarding"
    with pytest.raises(DomainError) as caught:
        authorize(rp, "passport-application", POLICIES)
    assert caught.value.code is DomainErrorCode.POLICY_NOT_ALLOWED
    assert caught.value.metadata == {"policy_id": "passport-application"}


def test_bootstrap_registers_shipped_parties_once_and_writes_keys_0600(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    registry = RelyingPartyRegistry(sqlite_engine, POLICIES)
    specs = load_relying_party_specs(POLICIES)
    created = bootstrap_relying_parties(registry, specs, tmp_path)
    assert {c.rp_id for c in created} == {"thai-domestic-air", "consular-affairs"}
    keys_file = tmp_path / KEYS_FILE_NAME
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    for c in created:
        assert c.api_key in keys_file.read_text(encoding="utf-8")
        assert registry.authenticate(c.api_key).id == c.rp_id
    assert bootstrap_relying_parties(registry, specs, tmp_path) == []


def test_migration_is_idempotent_and_uses_the_verifiers_own_version_table(sqlite_engine: Engine) -> None:
    migrate(sqlite_engine)
    assert current_revision(sqlite_engine) == "0005"


def test_key_rotated_with_a_grace_period_works_until_the_grace_ends(
    registry: RelyingPartyRegistry, clock: Clock
) -> None:
    _, old = registry.add_rp(AIRLINE)
    new = registry.rotate_key(AIRLINE.id, timedelta(hours=1)).api_key
    clock.now += timedelta(minutes=59)
    assert registry.authenticate(old).id == registry.authenticate(new).id == AIRLINE.id
    clock.now += timedelta(minutes=2)
    assert registry.authenticate(new).id == AIRLINE.id
    with pytest.raises(DomainError) as caught:
        registry.authenticate(old)
    assert caught.value.code is DomainErrorCode.RP_UNAUTHENTICATED


def test_rotating_again_without_grace_stops_every_earlier_key_at_once(registry: RelyingPartyRegistry) -> None:
    _, first = registry.add_rp(AIRLINE)
    second = registry.rotate_key(AIRLINE.id, timedelta(days=1)).api_key
    third = registry.rotate_key(AIRLINE.id).api_key
    assert registry.authenticate(third).id == AIRLINE.id
    for stopped in (first, second):
        with pytest.raises(DomainError):
            registry.authenticate(stopped)


def test_a_later_grace_never_extends_an_earlier_one(registry: RelyingPartyRegistry, clock: Clock) -> None:
    _, first = registry.add_rp(AIRLINE)
    registry.rotate_key(AIRLINE.id, timedelta(hours=1))
    registry.rotate_key(AIRLINE.id, timedelta(days=2))
    clock.now += timedelta(hours=2)
    with pytest.raises(DomainError):
        registry.authenticate(first)


@pytest.mark.parametrize("grace", [timedelta(days=31), timedelta(seconds=-1)])
def test_a_grace_period_outside_0_to_30_days_is_refused(
    registry: RelyingPartyRegistry, grace: timedelta
) -> None:
    _, key = registry.add_rp(AIRLINE)
    with pytest.raises(DomainError) as caught:
        registry.rotate_key(AIRLINE.id, grace)
    assert (caught.value.code, caught.value.metadata["field"]) == (
        DomainErrorCode.FIELD_INVALID,
        "grace_period",
    )
    assert registry.authenticate(key).id == AIRLINE.id


def test_a_relying_party_may_have_several_client_certificates(registry: RelyingPartyRegistry) -> None:
    fingerprints = tuple(sorted(hashlib.sha256(c).hexdigest() for c in (b"old cert", b"new cert")))
    rp, _ = registry.add_rp(replace(CONSULAR, certificate_fingerprints=fingerprints))
    assert rp.certificate_fingerprints == fingerprints
    assert (
        registry.authenticate_certificate(b"old cert").id == registry.authenticate_certificate(b"new cert").id
    )
    assert registry.get(CONSULAR.id).certificate_fingerprints == fingerprints


def test_updating_the_certificates_replaces_the_earlier_ones(registry: RelyingPartyRegistry) -> None:
    registry.add_rp(CONSULAR)
    next_fingerprint = hashlib.sha256(b"next").hexdigest()
    updated = registry.update_rp(CONSULAR.id, certificate_fingerprints=(next_fingerprint,)).relying_party
    assert updated.certificate_fingerprints == (hashlib.sha256(b"next").hexdigest(),)
    assert registry.authenticate_certificate(b"next").id == CONSULAR.id
    with pytest.raises(DomainError):
        registry.authenticate_certificate(b"cert")


def test_a_certificate_belongs_to_one_relying_party_only(registry: RelyingPartyRegistry) -> None:
    registry.add_rp(CONSULAR)
    with pytest.raises(DomainError) as caught:
        registry.add_rp(replace(AIRLINE, certificate_fingerprints=CONSULAR.certificate_fingerprints))
    assert caught.value.code is DomainErrorCode.ALREADY_EXISTS
    registry.add_rp(AIRLINE)
    with pytest.raises(DomainError) as caught:
        registry.update_rp(AIRLINE.id, certificate_fingerprints=CONSULAR.certificate_fingerprints)
    assert caught.value.code is DomainErrorCode.ALREADY_EXISTS


NEXT_CERTIFICATE = hashlib.sha256(b"next").hexdigest()
REFUSABLE_CHANGES: dict[str, Callable[[RelyingPartyRegistry, str], object]] = {
    "update": lambda registry, rp_id: registry.update_rp(rp_id, display_name=LocalizedText("Renamed", "")),
    "update-thai-name": lambda registry, rp_id: registry.update_rp(rp_id, display_name=NameChange(th="ใหม่")),
    "update-certificates": lambda registry, rp_id: registry.update_rp(
        rp_id, certificate_fingerprints=(NEXT_CERTIFICATE,)
    ),
    "revoke": lambda registry, rp_id: registry.revoke_rp(rp_id),
    "rotate-key": lambda registry, rp_id: registry.rotate_key(rp_id, timedelta(hours=1)),
}


def stored_registry(registry: RelyingPartyRegistry) -> tuple[object, ...]:
    """Everything the registry stores: its revision, relying parties (with updated_at), keys, certificates."""
    with registry._engine.connect() as conn:
        return (
            conn.execute(select(registry_revision.c.revision)).scalar_one(),
            [
                dict(r)
                for r in conn.execute(select(relying_parties).order_by(relying_parties.c.id)).mappings()
            ],
            [dict(r) for r in conn.execute(select(api_keys).order_by(api_keys.c.key_id)).mappings()],
            sorted(conn.execute(select(rp_certificates.c.rp_id, rp_certificates.c.fingerprint)).all()),
        )


@pytest.mark.parametrize("change", REFUSABLE_CHANGES.values(), ids=REFUSABLE_CHANGES.keys())
def test_changing_a_revoked_relying_party_is_refused_as_invalid_state_and_changes_nothing(
    registry: RelyingPartyRegistry, clock: Clock, change: Callable[[RelyingPartyRegistry, str], object]
) -> None:
    registry.add_rp(CONSULAR)
    registry.revoke_rp(CONSULAR.id)
    clock.now += timedelta(hours=1)
    before = stored_registry(registry)

    with pytest.raises(DomainError) as caught:
        change(registry, CONSULAR.id)

    assert (caught.value.code, caught.value.message) == (
        DomainErrorCode.INVALID_STATE,
        "relying party 'consular-affairs' is revoked",
    )
    assert caught.value.metadata == {
        "resource_type": "RelyingParty",
        "resource_id": CONSULAR.id,
        "state": "RELYING_PARTY_STATE_REVOKED",
    }
    assert stored_registry(registry) == before


@pytest.mark.parametrize("change", REFUSABLE_CHANGES.values(), ids=REFUSABLE_CHANGES.keys())
def test_changing_an_unknown_relying_party_is_refused_as_not_found_and_changes_nothing(
    registry: RelyingPartyRegistry, clock: Clock, change: Callable[[RelyingPartyRegistry, str], object]
) -> None:
    registry.add_rp(CONSULAR)
    clock.now += timedelta(hours=1)
    before = stored_registry(registry)

    with pytest.raises(DomainError) as caught:
        change(registry, "ghost-air")

    assert (caught.value.code, caught.value.message) == (
        DomainErrorCode.NOT_FOUND,
        "no relying party 'ghost-air'",
    )
    assert stored_registry(registry) == before


def test_upgrading_from_the_first_schema_keeps_each_relying_partys_certificate(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    config = alembic_config()
    with write(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            text(
                "INSERT INTO relying_parties (id, display_name_en, display_name_th, policy_ids, active, "
                "certificate_sha256, created_at) VALUES ('consular-affairs', 'Consular Affairs', '', "
                "'[\"passport-application\"]', 1, :fingerprint, '2026-01-01 00:00:00')"
            ),
            {"fingerprint": hashlib.sha256(b"cert").hexdigest()},
        )
    migrate(engine)
    registry = RelyingPartyRegistry(engine, POLICIES)
    assert registry.authenticate_certificate(b"cert").id == "consular-affairs"


AIRLINE_KIOSKS = replace(AIRLINE, rate_per_s=50.0, burst=100.0)


def test_a_relying_party_without_a_rate_limit_of_its_own_gets_the_servers_defaults(
    registry: RelyingPartyRegistry,
) -> None:
    rp, key = registry.add_rp(AIRLINE)
    assert (rp.rate_per_s, rp.burst) == (None, None)
    assert (registry.authenticate(key).rate_per_s, registry.authenticate(key).burst) == (None, None)


def test_a_relying_partys_own_rate_limit_is_stored_and_read_after_a_restart(
    registry: RelyingPartyRegistry,
) -> None:
    added, key = registry.add_rp(AIRLINE_KIOSKS)
    assert (added.rate_per_s, added.burst) == (50.0, 100.0)
    restarted = RelyingPartyRegistry(registry._engine, POLICIES)
    assert (restarted.get(AIRLINE.id).rate_per_s, restarted.get(AIRLINE.id).burst) == (50.0, 100.0)
    assert restarted.authenticate(key) == restarted.get(AIRLINE.id) == added


def test_updating_the_rate_limit_changes_it_and_none_returns_to_the_defaults(
    registry: RelyingPartyRegistry,
) -> None:
    _, key = registry.add_rp(AIRLINE)
    registry.authenticate(key)  # now cached
    updated = registry.update_rp(AIRLINE.id, rate_limit=(5.0, 10.0)).relying_party
    assert (updated.rate_per_s, updated.burst) == (5.0, 10.0)
    assert registry.authenticate(key) == updated
    assert (
        registry.update_rp(AIRLINE.id, display_name=LocalizedText("A", "A")).relying_party.rate_per_s == 5.0
    )
    reset = registry.update_rp(AIRLINE.id, rate_limit=(None, None)).relying_party
    assert (reset.rate_per_s, reset.burst) == (None, None)


@pytest.mark.parametrize(
    ("rate", "burst", "field"),
    [(0.0, 10.0, "rate_per_s"), (math.nan, 10.0, "rate_per_s"), (5.0, 0.5, "burst"), (5.0, None, "burst")],
)
def test_a_relying_party_with_an_invalid_rate_limit_is_refused_naming_the_field(
    registry: RelyingPartyRegistry, rate: float, burst: float | None, field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        registry.add_rp(replace(AIRLINE, rate_per_s=rate, burst=burst))
    assert (caught.value.code, caught.value.metadata["field"]) == (DomainErrorCode.FIELD_INVALID, field)
    assert registry.list_rps() == []


def test_an_invalid_rate_limit_update_is_refused_and_changes_nothing(registry: RelyingPartyRegistry) -> None:
    registry.add_rp(AIRLINE_KIOSKS)
    with pytest.raises(DomainError) as caught:
        registry.update_rp(AIRLINE.id, rate_limit=(-1.0, 10.0))
    assert (caught.value.code, caught.value.metadata["field"]) == (
        DomainErrorCode.FIELD_INVALID,
        "rate_per_s",
    )
    assert registry.get(AIRLINE.id).rate_per_s == 50.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield make_engine(tmp_path)
        return
    with empty_postgres_database() as engine:
        yield engine


def test_upgrading_from_0003_gives_existing_relying_parties_the_default_rate_limit(
    empty_engine: Engine,
) -> None:
    config = alembic_config()
    with write(empty_engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
        conn.execute(
            text(
                "INSERT INTO relying_parties (id, display_name_en, display_name_th, policy_ids, active, "
                "created_at) VALUES ('thai-domestic-air', 'Thai Domestic Air', '', "
                "'[\"airline-domestic-boarding\"]', :active, :created)"
            ),
            {"active": True, "created": datetime(2026, 1, 1, tzinfo=UTC)},
        )
    migrate(empty_engine)
    assert current_revision(empty_engine) == "0005"
    registry = RelyingPartyRegistry(empty_engine, POLICIES)
    assert (registry.get(AIRLINE.id).rate_per_s, registry.get(AIRLINE.id).burst) == (None, None)
    assert registry.update_rp(AIRLINE.id, rate_limit=(2.5, 5.0)).relying_party.rate_per_s == 2.5


def test_a_new_relying_party_was_last_updated_when_it_was_registered(
    registry: RelyingPartyRegistry, clock: Clock
) -> None:
    added, _ = registry.add_rp(AIRLINE)
    assert added.created_at == added.updated_at == clock.now
    assert registry.get(AIRLINE.id).updated_at == clock.now


@pytest.mark.parametrize(
    "change",
    [
        {"display_name": LocalizedText("Thai Skyways", "")},
        {"display_name": NameChange(th="ไทยสกายเวย์")},
        {"policy_ids": ("airline-domestic-boarding", "passport-application")},
        {"certificate_fingerprints": (hashlib.sha256(b"next").hexdigest(),)},
        {"rate_limit": (5.0, 10.0)},
    ],
    ids=["display_name", "thai_display_name", "policy_ids", "certificate_fingerprints", "rate_limit"],
)
def test_an_update_moves_the_update_time_and_a_fresh_registry_reads_it(
    registry: RelyingPartyRegistry, clock: Clock, change: dict[str, object]
) -> None:
    added, _ = registry.add_rp(AIRLINE)
    clock.now += timedelta(hours=1)
    updated = registry.update_rp(AIRLINE.id, **change).relying_party  # type: ignore[arg-type]
    assert (updated.created_at, updated.updated_at) == (added.created_at, clock.now)
    restarted = RelyingPartyRegistry(registry._engine, POLICIES)
    assert restarted.get(AIRLINE.id).updated_at == clock.now
    assert [rp.updated_at for rp in restarted.list_rps()] == [clock.now]


def test_a_refused_update_leaves_the_update_time(registry: RelyingPartyRegistry, clock: Clock) -> None:
    added, _ = registry.add_rp(AIRLINE)
    clock.now += timedelta(hours=1)
    with pytest.raises(DomainError):
        registry.update_rp(AIRLINE.id, policy_ids=("no-such-policy",))
    assert registry.get(AIRLINE.id).updated_at == added.created_at


def test_a_key_rotation_moves_the_update_time_and_a_fresh_registry_reads_it(
    registry: RelyingPartyRegistry, clock: Clock
) -> None:
    added, _ = registry.add_rp(AIRLINE)
    clock.now += timedelta(hours=1)
    new_key = registry.rotate_key(AIRLINE.id, timedelta(minutes=5)).api_key
    restarted = RelyingPartyRegistry(registry._engine, POLICIES)
    assert restarted.get(AIRLINE.id).updated_at == clock.now
    assert restarted.authenticate(new_key).updated_at == clock.now
    assert restarted.get(AIRLINE.id).created_at == added.created_at


def test_a_key_rotation_answers_with_the_relying_party_and_key_prefix_as_stored_by_it(
    registry: RelyingPartyRegistry, clock: Clock
) -> None:
    registry.add_rp(AIRLINE)
    clock.now += timedelta(hours=1)

    rotated = registry.rotate_key(AIRLINE.id)

    assert rotated.relying_party == registry.get(AIRLINE.id)
    assert rotated.relying_party.updated_at == clock.now
    assert rotated.key_prefix == registry.describe(AIRLINE.id).key_prefix
    assert rotated.api_key.startswith(rotated.key_prefix)


def test_a_revocation_moves_the_update_time_and_a_fresh_registry_reads_it(
    registry: RelyingPartyRegistry, clock: Clock
) -> None:
    added, _ = registry.add_rp(AIRLINE)
    clock.now += timedelta(hours=1)
    revoked = registry.revoke_rp(AIRLINE.id).relying_party
    assert revoked.updated_at == revoked.revoked_at == clock.now
    restarted = RelyingPartyRegistry(registry._engine, POLICIES)
    assert restarted.get(AIRLINE.id).updated_at == clock.now
    assert restarted.get(AIRLINE.id).created_at == added.created_at


def test_upgrading_from_0004_sets_each_update_time_to_the_revocation_or_else_the_registration(
    empty_engine: Engine,
) -> None:
    registered, revoked = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    config = alembic_config()
    with write(empty_engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        for rp_id, active, revoked_at in (("live-air", True, None), ("gone-air", False, revoked)):
            conn.execute(
                text(
                    "INSERT INTO relying_parties (id, display_name_en, display_name_th, policy_ids, "
                    "active, created_at, revoked_at) VALUES (:id, 'An Airline', '', "
                    "'[\"airline-domestic-boarding\"]', :active, :created, :revoked)"
                ),
                {"id": rp_id, "active": active, "created": registered, "revoked": revoked_at},
            )
    migrate(empty_engine)
    assert current_revision(empty_engine) == "0005"
    with empty_engine.connect() as conn:  # the column itself, not the registry's fallback for NULL
        query = select(relying_parties.c.id, relying_parties.c.updated_at)
        stored = {row.id: row.updated_at for row in conn.execute(query)}
    assert stored == {"live-air": registered, "gone-air": revoked}
    registry = RelyingPartyRegistry(empty_engine, POLICIES)
    assert (registry.get("live-air").updated_at, registry.get("gone-air").updated_at) == (registered, revoked)


def test_an_update_that_changes_nothing_is_refused_before_the_registry_is_read(
    registry: RelyingPartyRegistry, clock: Clock
) -> None:
    added, _ = registry.add_rp(AIRLINE)
    clock.now += timedelta(hours=1)
    for rp_id in (AIRLINE.id, "no-such-relying-party"):
        with pytest.raises(DomainError) as caught:
            registry.update_rp(rp_id)
        assert caught.value.code is DomainErrorCode.FIELD_INVALID
    assert registry.get(AIRLINE.id).updated_at == added.created_at


def test_describe_shows_the_newest_usable_key_prefix_and_none_once_revoked(
    registry: RelyingPartyRegistry, clock: Clock
) -> None:
    _, first = registry.add_rp(AIRLINE)
    registry.add_rp(CONSULAR)
    assert registry.describe(AIRLINE.id).key_prefix == api_key_prefix(first)
    clock.now += timedelta(minutes=1)
    second = registry.rotate_key(AIRLINE.id, timedelta(hours=1)).api_key  # the first still works

    assert registry.describe(AIRLINE.id) == Registered(registry.get(AIRLINE.id), api_key_prefix(second))
    revoked = registry.revoke_rp(CONSULAR.id)
    assert revoked.key_prefix == ""
    assert [(r.relying_party.id, r.key_prefix) for r in registry.describe_all()] == [
        (CONSULAR.id, ""),
        (AIRLINE.id, api_key_prefix(second)),
    ]  # by id


def test_the_key_prefix_of_a_malformed_key_is_refused_as_unauthenticated() -> None:
    with pytest.raises(DomainError) as caught:
        api_key_prefix("not-a-key")
    assert caught.value.code is DomainErrorCode.RP_UNAUTHENTICATED
