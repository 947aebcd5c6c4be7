"""Status lists as the world sees them: ``https://<domain>/status/<purpose>/<n>`` ↔ the stored list.

``n`` counts a purpose's lists from 1 in creation order. :meth:`StatusLists.allocate` reserves a random
free index (in the caller's transaction); :meth:`StatusLists.signed` returns the signed
BitstringStatusListCredential for the list's current version, signing it once per version (so a
revocation is visible at the next fetch, and an unchanged list costs no signature).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, select

from civid.core.errors import CividError, ErrorCode
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.core.statuslist.bitstring import Bitstring
from civid.core.statuslist.bitstring import StatusPurpose as CorePurpose
from civid.core.statuslist.credential import status_entry, status_list_credential
from civid.issuer.domain.errors import IssuerFailure
from civid.issuer.domain.keys import KeyRing
from civid.issuer.storage import StatusListRecord, StatusPurpose, StatusRef, Store
from civid.issuer.storage.schema import status_lists as table

_PATH: Final = re.compile(r"/status/(revocation|suspension)/([1-9][0-9]{0,8})")


@dataclass(frozen=True)
class SignedStatusList:
    """A signed list credential (JSON text) for one version of a list."""

    purpose: StatusPurpose
    etag: str
    updated_at: datetime
    credential_json: str


class StatusLists:
    def __init__(self, store: Store, keys: KeyRing, domain: str) -> None:
        self._store = store
        self._keys = keys
        self._base = f"https://{domain}/status"
        self._lock = threading.Lock()
        self._signed: dict[str, SignedStatusList] = {}  # list id -> the latest signed version
        # (purpose, list id) -> its n in the URL, fixed once the list is committed
        self._ordinals: dict[tuple[StatusPurpose, str], int] = {}

    def url(self, purpose: StatusPurpose, list_id: str) -> str:
        ids = self._store.status_lists.list_ids(purpose)
        return f"{self._base}/{purpose.value}/{ids.index(list_id) + 1}"

    def allocate(self, purpose: StatusPurpose, conn: Connection) -> tuple[StatusRef, dict[str, str]]:
        """A random free index of a list with room (a new list when all are full) and its entry."""
        list_id, index = self._allocate_in_known_list(purpose, conn)
        if index is None:
            self._store.status_lists.serialize_creation(purpose, conn)
            found = self._store.status_lists.list_with_room(purpose, conn)
            list_id = found if found is not None else self._store.status_lists.create(purpose, conn=conn).id
            index = self._store.status_lists.allocate(list_id, conn)
        ordinal = self._ordinal(purpose, list_id, conn)
        url = f"{self._base}/{purpose.value}/{ordinal}"
        return StatusRef(list_id, index), status_entry(url, CorePurpose(purpose.value), index)

    def _allocate_in_known_list(self, purpose: StatusPurpose, conn: Connection) -> tuple[str, int | None]:
        """Allocate in the committed list this process last saw with room (saves the search); no
        index when there is none or it is full (the refused reservation changes nothing)."""
        with self._lock:
            ordinals = [(n, list_id) for (p, list_id), n in self._ordinals.items() if p is purpose]
        if not ordinals:
            return "", None
        list_id = max(ordinals)[1]
        try:
            return list_id, self._store.status_lists.allocate(list_id, conn)
        except CividError as exc:
            if exc.code is not ErrorCode.STATUS_LIST_FULL:
                raise
            return "", None

    def signed(self, url: str) -> SignedStatusList:
        """The current signed list at ``url`` (STATUS_LIST_NOT_FOUND for an unknown URL)."""
        record = self._record(url)
        with self._lock:
            cached = self._signed.get(record.id)
        if cached is not None and cached.etag == record.etag:
            return cached
        fresh = self._sign(url, record)
        with self._lock:
            self._signed[record.id] = fresh
        return fresh

    def etag(self, url: str) -> tuple[StatusListRecord, str]:
        record = self._record(url)
        return record, record.etag

    def _record(self, url: str) -> StatusListRecord:
        if not url.startswith(self._base + "/"):
            raise _unknown(url)
        match = _PATH.fullmatch(url[len(self._base) - len("/status") :])
        if match is None:
            raise _unknown(url)
        purpose, ordinal = StatusPurpose(match.group(1)), int(match.group(2))
        ids = self._store.status_lists.list_ids(purpose)
        if ordinal > len(ids):
            raise _unknown(url)
        record = self._store.status_lists.get(ids[ordinal - 1])
        if record is None:
            raise _unknown(url)
        return record

    def _ordinal(self, purpose: StatusPurpose, list_id: str, conn: Connection) -> int:
        with self._lock:
            known = self._ordinals.get((purpose, list_id))
        if known is not None:
            return known
        query = (
            select(table.c.id)
            .where(table.c.purpose == purpose.value)
            .order_by(table.c.created_at, table.c.id)
        )
        ids = list(conn.execute(query).scalars())
        ordinal = ids.index(list_id) + 1
        committed = self._store.status_lists.list_ids(purpose)  # its own read: committed lists only
        if list_id in committed:  # remembered once committed (a list just created here is not yet)
            with self._lock:
                self._ordinals[(purpose, list_id)] = committed.index(list_id) + 1
        return ordinal

    def _sign(self, url: str, record: StatusListRecord) -> SignedStatusList:
        unsigned = status_list_credential(
            url,
            self._keys.did,
            CorePurpose(record.purpose.value),
            Bitstring.from_bytes(record.bitstring),
            record.updated_at,
        )
        key = self._keys.signing_key()
        signed = add_proof(unsigned, key.pair, ProofOptions(verification_method=key.verification_method))
        text = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
        return SignedStatusList(record.purpose, record.etag, record.updated_at, text)


def _unknown(url: str) -> IssuerFailure:
    return IssuerFailure(
        ErrorCode.STATUS_LIST_NOT_FOUND, "no such status list", {"status_list_credential": url[:200]}
    )
