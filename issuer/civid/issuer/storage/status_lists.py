"""Bitstring status lists (revocation, suspension): the bits, their version/ETag, and index allocation.

Indexes are drawn uniformly at random among the free ones (never sequential, so an index tells a
verifier nothing about issuance order). The ``(list_id, idx)`` primary key of the allocations table
makes a double allocation impossible on both engines; a conditional counter update refuses a full list.
Bit ``i`` is the ``(i % 8)``-th most significant bit of byte ``i // 8`` (Bitstring Status List v1.0).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Connection, Engine, bindparam, select, text, update

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage.common import Clock, new_id
from civid.issuer.storage.schema import status_list_allocations, status_lists
from civid.issuer.storage.status_allocation import claim, list_exists, reserve_and_claim
from civid.service.db.tx import joined, read

DEFAULT_SIZE: Final = 131_072  # 16 KiB: the spec's minimum for group privacy
_RANDOM_TRIES: Final = 32
_SIZE: Final = select(status_lists.c.size).where(status_lists.c.id == bindparam("list_id"))


class StatusPurpose(StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"


@dataclass(frozen=True)
class StatusListRecord:
    id: str
    purpose: StatusPurpose
    size: int
    allocated: int
    version: int
    bitstring: bytes = field(repr=False)
    etag: str
    updated_at: datetime

    def bit(self, index: int) -> bool:
        _check_index(index, self.size)
        return bool(self.bitstring[index // 8] & (0x80 >> (index % 8)))


def _check_index(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise CividError(ErrorCode.STATUS_INDEX_OUT_OF_RANGE, f"index {index} is outside 0..{size - 1}")


def _etag(list_id: str, version: int, bits: bytes) -> str:
    digest = hashlib.sha256(f"{list_id}:{version}:".encode() + bits).hexdigest()
    return digest[:32]


# Advisory lock keys (any 64-bit numbers that no other part of civid uses).
_CREATION_LOCKS: Final = {
    StatusPurpose.REVOCATION: 0x6369_7669_6400_0001,
    StatusPurpose.SUSPENSION: 0x6369_7669_6400_0002,
}


class StatusListRepository:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._random = secrets.SystemRandom()
        self._sizes: dict[str, int] = {}  # list id -> size, which never changes

    def create(
        self, purpose: StatusPurpose, size: int = DEFAULT_SIZE, conn: Connection | None = None
    ) -> StatusListRecord:
        """A new, all-zero list."""
        if size <= 0 or size % 8:
            raise CividError(ErrorCode.STATUS_LIST_INVALID, "a status list size is a positive multiple of 8")
        list_id, now, bits = new_id(), self._clock(), bytes(size // 8)
        values = {
            "id": list_id,
            "purpose": purpose.value,
            "size": size,
            "allocated": 0,
            "version": 1,
            "bitstring": bits,
            "etag": _etag(list_id, 1, bits),
            "created_at": now,
            "updated_at": now,
        }
        with joined(self._engine, conn) as c:
            c.execute(status_lists.insert().values(**values))
        self._sizes[list_id] = size
        return _record(values)

    def serialize_creation(self, purpose: StatusPurpose, conn: Connection) -> None:
        """Hold, until ``conn`` commits, the right to create a list of ``purpose``.

        Two issuers finding every list full at the same moment must not both create one (each would
        number its new list the same in its URL). PostgreSQL takes a transaction-scoped advisory lock;
        SQLite needs none, its write transactions already run one at a time (BEGIN IMMEDIATE).
        """
        if conn.dialect.name == "postgresql":
            key = _CREATION_LOCKS[purpose]
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def get(self, list_id: str, conn: Connection | None = None) -> StatusListRecord | None:
        query = select(status_lists).where(status_lists.c.id == list_id)
        if conn is not None:
            row = conn.execute(query).first()
        else:
            with read(self._engine) as c:
                row = c.execute(query).first()
        return None if row is None else _record(row._mapping)

    def list_ids(self, purpose: StatusPurpose | None = None) -> list[str]:
        query = select(status_lists.c.id).order_by(status_lists.c.created_at, status_lists.c.id)
        if purpose is not None:
            query = query.where(status_lists.c.purpose == purpose.value)
        with read(self._engine) as conn:
            return list(conn.execute(query).scalars())

    def list_with_room(self, purpose: StatusPurpose, conn: Connection | None = None) -> str | None:
        """The newest list of ``purpose`` that still has free indexes."""
        query = (
            select(status_lists.c.id)
            .where(status_lists.c.purpose == purpose.value, status_lists.c.allocated < status_lists.c.size)
            .order_by(status_lists.c.created_at.desc(), status_lists.c.id)
            .limit(1)
        )
        with joined(self._engine, conn) as c:
            found: str | None = c.execute(query).scalar()
        return found

    def allocate(self, list_id: str, conn: Connection | None = None) -> int:
        """Reserve a random free index of the list (STATUS_LIST_FULL when none is left)."""
        with joined(self._engine, conn) as c:
            first = self._random.randrange(self._size_of(c, list_id))
            reserved = reserve_and_claim(c, list_id, first, self._clock())
            if reserved is None:
                raise self._refusal(c, list_id)
            size, claimed = reserved
            if claimed:
                return first
            for _ in range(_RANDOM_TRIES - 1):
                index = self._random.randrange(size)
                if claim(c, list_id, index, self._clock()):
                    return index
            return self._allocate_among_free(c, list_id, size)

    def set_bit(
        self, list_id: str, index: int, value: bool, conn: Connection | None = None
    ) -> StatusListRecord:
        """Set or clear one bit; the version and ETag change only if the bit did."""
        with joined(self._engine, conn) as c:
            row = c.execute(
                select(status_lists).where(status_lists.c.id == list_id).with_for_update()
            ).first()
            if row is None:
                raise CividError(ErrorCode.STATUS_LIST_NOT_FOUND, f"no status list {list_id}")
            current = _record(row._mapping)
            if current.bit(index) == value:
                return current
            bits = bytearray(current.bitstring)
            mask = 0x80 >> (index % 8)
            bits[index // 8] = bits[index // 8] | mask if value else bits[index // 8] & ~mask
            version, now = current.version + 1, self._clock()
            values = {
                "bitstring": bytes(bits),
                "version": version,
                "etag": _etag(list_id, version, bytes(bits)),
            }
            c.execute(
                update(status_lists).where(status_lists.c.id == list_id).values(**values, updated_at=now)
            )
        return _record(dict(row._mapping) | values | {"updated_at": now})

    def _size_of(self, conn: Connection, list_id: str) -> int:
        """The list's size (fixed at creation, so remembered; a missing list reads as size 1 and is
        then refused by the reservation)."""
        size = self._sizes.get(list_id)
        if size is None:
            found = conn.execute(_SIZE, {"list_id": list_id}).scalar()
            if found is None:
                return 1
            size = self._sizes.setdefault(list_id, int(found))
        return size

    @staticmethod
    def _refusal(conn: Connection, list_id: str) -> CividError:
        if not list_exists(conn, list_id):
            return CividError(ErrorCode.STATUS_LIST_NOT_FOUND, f"no status list {list_id}")
        return CividError(ErrorCode.STATUS_LIST_FULL, f"status list {list_id} has no free index")

    def _allocate_among_free(self, conn: Connection, list_id: str, size: int) -> int:
        """Crowded list: pick among the indexes still free (the reserved slot guarantees one exists)."""
        while True:
            query = select(status_list_allocations.c.idx).where(status_list_allocations.c.list_id == list_id)
            taken = set(conn.execute(query).scalars())
            index = self._random.choice([i for i in range(size) if i not in taken])
            if claim(conn, list_id, index, self._clock()):
                return index


def _record(m: Any) -> StatusListRecord:
    return StatusListRecord(
        id=m["id"],
        purpose=StatusPurpose(m["purpose"]),
        size=int(m["size"]),
        allocated=int(m["allocated"]),
        version=int(m["version"]),
        bitstring=bytes(m["bitstring"]),
        etag=m["etag"],
        updated_at=m["updated_at"],
    )
