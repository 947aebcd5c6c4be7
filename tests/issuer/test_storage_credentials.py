import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection

from civid.core.errors import CividError, ErrorCode
from civid.issuer.registry import Citizen
from civid.issuer.storage import CredentialRecord, StatusPurpose, StatusRef, Store, request_hash

HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def issue(store: Store, nid: str, conn: Connection, credential_id: str) -> bytes:
    """What an issuance does inside its transaction: allocate status indexes, store the credential."""
    revocation = store.status_lists.list_with_room(StatusPurpose.REVOCATION, conn)
    suspension = store.status_lists.list_with_room(StatusPurpose.SUSPENSION, conn)
    assert revocation and suspension
    record = CredentialRecord(
        id=credential_id,
        national_id=nid,
        holder_did=HOLDER,
        type="ThaiNationalIdCredential",
        document=f'{{"id": "{credential_id}"}}',
        issued_at=datetime.now(UTC),
        revocation=StatusRef(revocation, store.status_lists.allocate(revocation, conn)),
        suspension=StatusRef(suspension, store.status_lists.allocate(suspension, conn)),
    )
    store.credentials.insert(record, conn)
    return record.document.encode()


@pytest.fixture
def citizen(store: Store, citizen_factory: Callable[..., Citizen]) -> Citizen:
    person = citizen_factory(1)
    store.citizens.add_many([person])
    store.status_lists.create(StatusPurpose.REVOCATION, size=1024)
    store.status_lists.create(StatusPurpose.SUSPENSION, size=1024)
    return person


def test_retried_request_gets_the_stored_response_and_issues_once(store: Store, citizen: Citizen) -> None:
    runs: list[str] = []

    def produce(conn: Connection) -> bytes:
        runs.append("x")
        return issue(store, citizen.national_id, conn, f"urn:uuid:cred-{len(runs)}")

    first = store.idempotency.run_once("key-1", "IssueCredential", request_hash(b"req"), produce)
    again = store.idempotency.run_once("key-1", "IssueCredential", request_hash(b"req"), produce)

    assert (first.replayed, again.replayed) == (False, True)
    assert again.response == first.response
    assert len(runs) == 1
    assert len(store.credentials.for_citizen(citizen.national_id)) == 1


def test_same_key_with_another_request_is_an_idempotency_conflict(store: Store, citizen: Citizen) -> None:
    store.idempotency.run_once("key-2", "IssueCredential", request_hash(b"one"), lambda conn: b"r1")
    with pytest.raises(CividError) as err:
        store.idempotency.run_once("key-2", "IssueCredential", request_hash(b"two"), lambda conn: b"r2")
    assert err.value.code is ErrorCode.IDEMPOTENCY_CONFLICT


def test_failed_operation_records_neither_credential_nor_key(store: Store, citizen: Citizen) -> None:
    def produce_then_fail(conn: Connection) -> bytes:
        issue(store, citizen.national_id, conn, "urn:uuid:lost")
        raise RuntimeError("signing failed")

    with pytest.raises(RuntimeError):
        store.idempotency.run_once("key-3", "IssueCredential", request_hash(b"r"), produce_then_fail)

    assert store.credentials.get("urn:uuid:lost") is None
    retry = store.idempotency.run_once(
        "key-3",
        "IssueCredential",
        request_hash(b"r"),
        lambda c: issue(store, citizen.national_id, c, "urn:uuid:ok"),
    )
    assert not retry.replayed and store.credentials.get("urn:uuid:ok") is not None


def test_concurrent_duplicates_issue_exactly_once(store: Store, citizen: Citizen) -> None:
    counter = iter(range(1000))
    lock = threading.Lock()

    def produce(conn: Connection) -> bytes:
        with lock:
            n = next(counter)
        return issue(store, citizen.national_id, conn, f"urn:uuid:dup-{n}")

    def call(_: int) -> bytes:
        return store.idempotency.run_once("key-4", "IssueCredential", request_hash(b"same"), produce).response

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(call, range(12)))

    assert len(set(responses)) == 1
    assert len(store.credentials.for_citizen(citizen.national_id)) == 1


def test_revocation_sets_the_list_bit_and_the_flag_together(store: Store, citizen: Citizen) -> None:
    with store.write() as conn:
        issue(store, citizen.national_id, conn, "urn:uuid:r")
    record = store.credentials.require("urn:uuid:r")
    assert record.revocation is not None

    store.set_status("urn:uuid:r", StatusPurpose.REVOCATION, True, "lost phone")

    revoked = store.credentials.require("urn:uuid:r")
    assert revoked.revoked and not revoked.suspended and revoked.status_reason == "lost phone"
    status_list = store.status_lists.get(record.revocation.list_id)
    assert status_list is not None and status_list.bit(record.revocation.index)


def test_superseded_credentials_are_not_listed_as_active(store: Store, citizen: Citizen) -> None:
    with store.write() as conn:
        issue(store, citizen.national_id, conn, "urn:uuid:old")
        store.credentials.supersede("urn:uuid:old", conn)
        issue(store, citizen.national_id, conn, "urn:uuid:new")
    assert [c.id for c in store.credentials.for_citizen(citizen.national_id)] == ["urn:uuid:new"]
    assert len(store.credentials.for_citizen(citizen.national_id, active_only=False)) == 2
