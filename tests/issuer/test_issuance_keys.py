"""Issuance signs with the key this process last saw active and confirms it in its insert: a rotation
by another process (another KeyRing on the same store) takes effect at the very next issuance."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.core.did.web import did_web_for
from civid.issuer.app import open_issuer_store, utcnow
from civid.issuer.config import IssuerConfig
from civid.issuer.domain.issuance import NationalIdIssuer
from civid.issuer.domain.keys import PASSPHRASE_ENV, KeyRing
from civid.issuer.domain.status_lists import StatusLists
from civid.issuer.registry import Citizen
from civid.issuer.storage import CredentialRecord, Store


@dataclass(frozen=True)
class Process:
    """What one issuer process holds: its own key ring (and cache) over the shared store."""

    keys: KeyRing
    issuer: NationalIdIssuer


@pytest.fixture
def shared(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Store, bytes, str]]:
    monkeypatch.setenv(PASSPHRASE_ENV, "key cache test")
    config = IssuerConfig(data_dir=tmp_path, database_url=database_url, demo_registry=False)
    store, master = open_issuer_store(config, fast_kdf=True)
    yield store, master, did_web_for(config.issuer_domain)
    store.close()


def _process(shared: tuple[Store, bytes, str]) -> Process:
    store, master, did = shared
    keys = KeyRing(store, did, master)
    keys.ensure_key()
    return Process(keys, NationalIdIssuer(store, keys, StatusLists(store, keys, "id.example"), utcnow))


def _issue(store: Store, process: Process, citizen: Citizen) -> CredentialRecord:
    with store.write() as conn:
        return process.issuer.issue(citizen, did_key_for(Ed25519KeyPair.generate().public_key), conn)


def _signed_by(record: CredentialRecord) -> str:
    method: str = json.loads(record.document)["proof"]["verificationMethod"]
    return method.rsplit("#", 1)[1]


@pytest.fixture
def citizen(shared: tuple[Store, bytes, str], citizen_factory: Callable[..., Citizen]) -> Citizen:
    person = citizen_factory(1)
    shared[0].citizens.add_many([person])
    return person


def test_a_key_rotated_by_another_process_signs_the_next_credential(
    shared: tuple[Store, bytes, str], citizen: Citizen
) -> None:
    store = shared[0]
    issuing, other = _process(shared), _process(shared)
    assert _signed_by(_issue(store, issuing, citizen)) == "key-1"
    other.keys.rotate()  # another process: this one's key ring still remembers key-1 as active
    record = _issue(store, issuing, citizen)
    assert _signed_by(record) == "key-2"
    assert store.credentials.get(record.id) == record  # recorded as handed out, byte for byte
    assert _signed_by(_issue(store, issuing, citizen)) == "key-2"


def test_a_credential_is_not_recorded_under_a_retired_key(
    shared: tuple[Store, bytes, str], citizen: Citizen
) -> None:
    store = shared[0]
    process = _process(shared)
    record = _issue(store, process, citizen)
    process.keys.rotate()
    retry = replace(record, id=record.id + "-again", revocation=None, suspension=None)
    with store.write() as conn:
        assert not store.credentials.insert_signed(retry, "key-1", conn)
        assert store.credentials.insert_signed(replace(retry, id=record.id + "-new"), "key-2", conn)
    assert store.credentials.get(retry.id) is None
    assert store.credentials.get(record.id + "-new") is not None


def test_prepared_inserts_read_back_as_written(shared: tuple[Store, bytes, str], citizen: Citizen) -> None:
    store = shared[0]
    record = CredentialRecord(
        id="urn:uuid:prepared",
        national_id=citizen.national_id,
        holder_did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        type="NationalIdCredential",
        document='{"name": "บัตร"}',
        issued_at=datetime(2025, 1, 15, 9, 0, 0, 123456, tzinfo=UTC),
        valid_until=None,
        revoked=True,
        status_reason="a reason",
    )
    store.credentials.insert(record)
    assert store.credentials.get(record.id) == record


def test_prepared_statement_errors_are_sqlalchemys(
    shared: tuple[Store, bytes, str], citizen: Citizen
) -> None:
    from sqlalchemy.exc import IntegrityError

    store = shared[0]
    record = _issue(store, _process(shared), citizen)
    with pytest.raises(IntegrityError), store.write() as conn:
        store.credentials.insert(replace(record, revocation=None, suspension=None), conn)
