"""The relying-party registry: keys stored hashed, authentication, authorization, bootstrap."""

from __future__ import annotations

import hashlib
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text

from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.policies import load_policies
from civid.verifier.config.relying_parties import RelyingPartySpec, load_relying_party_specs
from civid.verifier.domain.bootstrap import KEYS_FILE_NAME, bootstrap_relying_parties
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.relying_parties import RelyingPartyRegistry, authorize
from civid.verifier.domain.storage.engine import make_engine
from civid.verifier.domain.storage.migrate import current_revision, migrate
from civid.verifier.domain.storage.schema import api_keys

POLICIES = load_policies()
AIRLINE = RelyingPartySpec(
    "thai-domestic-air", LocalizedText("Thai Domestic Air", "ไทยโดเมสติกแอร์"), ("airline-domestic-boarding",)
)
CONSULAR = RelyingPartySpec(
    "consular-affairs",
    LocalizedText("Consular Affairs", "กรมการกงสุล"),
    ("passport-application",),
    certificate_sha256=hashlib.sha256(b"cert").hexdigest(),
)
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(tmp_path)
    migrate(engine)
    return engine


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    name = f"civid_verifier_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    engine = make_engine(f"postgresql://postgres@127.0.0.1:5432/{name}")
    migrate(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry(request: pytest.FixtureRequest) -> RelyingPartyRegistry:
    engine = request.getfixturevalue(f"{request.param}_engine")
    return RelyingPartyRegistry(engine, POLICIES)


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
    revoked = registry.revoke_rp(AIRLINE.id)
    assert not revoked.active and revoked.revoked_at is not None
    with pytest.raises(DomainError) as caught:
        registry.authenticate(key)
    assert caught.value.code is DomainErrorCode.RP_UNAUTHENTICATED


def test_rotated_key_works_and_the_old_one_stops(registry: RelyingPartyRegistry) -> None:
    _, old = registry.add_rp(AIRLINE)
    new = registry.rotate_key(AIRLINE.id)
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
    assert current_revision(sqlite_engine) == "0001"
