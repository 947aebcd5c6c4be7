"""Killed-process tests' support (no tests here): a registry, the store's integrity checks, side files.

``assert_store_consistent(store, sent)`` is the property of issue 3 item 7: every credential that left
an issuer process (``sent``: id → signed document, as the caller received it) is recorded with the
same bytes, and the store shows no half-written issuance: status-list allocations ⇔ credential
entries, list counters = allocations, list bits = credential flags, one live credential per citizen,
one audit entry per credential, an intact audit chain, every idempotency record answered.
"""

from __future__ import annotations

import base64
import json
import os
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from civid.core.credential import CredentialChecks, verify_credential
from civid.core.did.resolver import DidResolver
from civid.issuer.audit import verify_audit_log
from civid.issuer.storage import Store
from civid.issuer.storage.schema import (
    audit_log,
    credentials,
    idempotency_keys,
    status_list_allocations,
    status_lists,
)
from tests.issuer.db_fixtures import jpeg_bytes, national_id

HOUSE_CODE = "10050123456"
PASSPHRASE = "kill test passphrase"


def citizen_ids(count: int) -> list[str]:
    return [national_id(5000 + n) for n in range(count)]


def write_registry(path: Path, count: int) -> list[str]:
    """A registry export of ``count`` citizens living in one house; their national IDs."""
    photo = base64.b64encode(jpeg_bytes()).decode()
    expires = date(date.today().year + 5, 1, 1).isoformat()
    address = {
        "house_number": "99/1",
        "moo": "4",
        "sub_district": "คลองเตยเหนือ",
        "district": "วัฒนา",
        "province": "กรุงเทพมหานคร",
        "postal_code": "10110",
        "house_code": HOUSE_CODE,
    }
    rows: list[dict[str, Any]] = [{"kind": "house"} | address]
    ids = citizen_ids(count)
    for n, nid in enumerate(ids):
        rows.append(
            {
                "kind": "citizen",
                "national_id": nid,
                "laser_code": f"JT0-{n:07d}-01",
                "name_th": {"title": "นาง", "given": "มาลี", "family": "ใจดี"},
                "name_en": {"title": "Mrs.", "given": "Malee", "family": f"Jaidee {n}"},
                "birth_date": "1980-02-29",
                "sex": "female",
                "religion": "พุทธ",
                "address": address,
                "card_issued": "2024-01-15",
                "card_expires": expires,
                "issuing_office": "สำนักงานเขตวัฒนา",
                "photo": {"base64": photo},
            }
        )
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return ids


class SideFile:
    """Append-only record of credentials that left a process: one JSON line per credential."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def append(self, credential_id: str, document: str) -> None:
        line = json.dumps({"id": credential_id, "document": document}) + "\n"
        os.write(self._fd, line.encode())  # one write: the OS keeps it when the process is killed

    def close(self) -> None:
        os.close(self._fd)


def read_side_file(path: Path) -> dict[str, str]:
    """Credentials listed in a side file (a torn last line, if any, never left the process whole)."""
    if not path.exists():
        return {}
    sent: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.endswith("\n"):
            item = json.loads(line)
            sent[item["id"]] = item["document"]
    return sent


@dataclass(frozen=True)
class StoreSnapshot:
    documents: dict[str, str]
    refs: list[tuple[str, int]]
    allocations: set[tuple[str, int]]
    live_per_citizen: Counter[str]
    flags: list[tuple[str, int, bool, str, int, bool]]


def _snapshot(store: Store) -> StoreSnapshot:
    with store.engine.connect() as conn:
        rows = conn.execute(select(credentials)).mappings().all()
        allocations = {(r.list_id, int(r.idx)) for r in conn.execute(select(status_list_allocations))}
    refs = [(r["revocation_list_id"], int(r["revocation_index"])) for r in rows]
    refs += [(r["suspension_list_id"], int(r["suspension_index"])) for r in rows]
    live = Counter(r["national_id"] for r in rows if r["state"] == "active" and not r["revoked"])
    flags = [
        (
            r["revocation_list_id"],
            int(r["revocation_index"]),
            bool(r["revoked"]),
            r["suspension_list_id"],
            int(r["suspension_index"]),
            bool(r["suspended"]),
        )
        for r in rows
    ]
    return StoreSnapshot({r["id"]: r["document"] for r in rows}, refs, allocations, live, flags)


def assert_store_consistent(store: Store, sent: dict[str, str]) -> None:
    snap = _snapshot(store)
    unknown = sorted(set(sent) - set(snap.documents))
    assert not unknown, f"credentials left the process but the registry does not know them: {unknown}"
    assert all(snap.documents[i] == doc for i, doc in sent.items()), "a recorded document differs"
    assert len(snap.refs) == len(set(snap.refs)), "two credentials share a status-list index"
    assert set(snap.refs) == snap.allocations, "status-list allocations and credentials disagree"
    _assert_counters(store, snap)
    _assert_bits(store, snap)
    assert all(n == 1 for n in snap.live_per_citizen.values()), "a citizen has two live credentials"
    _assert_audit(store, set(snap.documents))
    _assert_idempotency(store, set(snap.documents))


def _assert_counters(store: Store, snap: StoreSnapshot) -> None:
    per_list = Counter(list_id for list_id, _ in snap.allocations)
    with store.engine.connect() as conn:
        counters = {r.id: int(r.allocated) for r in conn.execute(select(status_lists))}
    assert all(counters[k] == per_list.get(k, 0) for k in counters), "a list counter lost count"


def _assert_bits(store: Store, snap: StoreSnapshot) -> None:
    for rev_list, rev_index, revoked, sus_list, sus_index, suspended in snap.flags:
        rev, sus = store.status_lists.get(rev_list), store.status_lists.get(sus_list)
        assert rev is not None and sus is not None
        assert rev.bit(rev_index) == revoked, "a revocation bit disagrees with its credential"
        assert sus.bit(sus_index) == suspended, "a suspension bit disagrees with its credential"


def _assert_audit(store: Store, credential_ids: set[str]) -> None:
    report = verify_audit_log(store)
    assert report.ok, report.problem
    with store.engine.connect() as conn:
        details = [json.loads(d) for d in conn.execute(select(audit_log.c.details)).scalars()]
    audited = {d["credential_id"] for d in details if d.get("credential_id")}
    assert credential_ids <= audited, "a credential was recorded without its audit entry"


def _assert_idempotency(store: Store, credential_ids: set[str]) -> None:
    with store.engine.connect() as conn:
        answers = [bytes(r) for r in conn.execute(select(idempotency_keys.c.response)).scalars()]
    named = {a.decode().split(" ")[0] for a in answers}
    assert b"" not in answers, "an idempotency key was committed without its answer"
    assert named <= credential_ids, "an idempotency answer names an unrecorded credential"


def assert_signatures_verify(store: Store, did_document: dict[str, Any], ids: list[str]) -> None:
    """The recorded documents of ``ids`` verify against the issuer's DID document."""
    checks = CredentialChecks(resolver=DidResolver([did_document]))
    with store.engine.connect() as conn:
        query = select(credentials.c.document).where(credentials.c.id.in_(ids))
        documents = list(conn.execute(query).scalars())
    assert len(documents) == len(ids)
    for document in documents:
        assert verify_credential(json.loads(document), checks).verified
