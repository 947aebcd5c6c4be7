"""Officers (who may act at the district-office desk) and the issuer's own signing keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage.common import Clock
from civid.issuer.storage.schema import issuer_keys, officers
from civid.service.db.tx import joined, read


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    public_key_multibase: str
    active: bool
    created_at: datetime
    certificate_sha256: str | None = None  # hex SHA-256 of the DER client certificate (mTLS)


@dataclass(frozen=True)
class IssuerKey:
    """A signing key; ``sealed_secret`` is the secret key sealed with the issuer's passphrase key."""

    id: str
    public_key_multibase: str
    sealed_secret: bytes = field(repr=False)
    active: bool
    created_at: datetime
    retired_at: datetime | None = None


class OfficerRepository:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def add(
        self,
        officer_id: str,
        name: str,
        public_key_multibase: str,
        conn: Connection | None = None,
        *,
        certificate_sha256: str | None = None,
    ) -> Officer:
        """Register an officer; ``certificate_sha256`` (hex, lower case) also admits a client certificate."""
        fingerprint = certificate_sha256.lower() if certificate_sha256 else None
        officer = Officer(officer_id, name, public_key_multibase, True, self._clock(), fingerprint)
        with joined(self._engine, conn) as c:
            c.execute(officers.insert().values(**officer.__dict__))
        return officer

    def get(self, officer_id: str) -> Officer | None:
        with read(self._engine) as conn:
            row = conn.execute(select(officers).where(officers.c.id == officer_id)).first()
        return None if row is None else _officer(row._mapping)

    def by_certificate(self, certificate_sha256: str) -> Officer | None:
        """The officer whose registered client certificate has this fingerprint (hex SHA-256 of DER)."""
        query = select(officers).where(officers.c.certificate_sha256 == certificate_sha256.lower())
        with read(self._engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else _officer(row._mapping)

    def by_public_key(self, public_key_multibase: str) -> Officer | None:
        query = select(officers).where(officers.c.public_key_multibase == public_key_multibase)
        with read(self._engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else _officer(row._mapping)

    def all(self) -> list[Officer]:
        with read(self._engine) as conn:
            return [_officer(r._mapping) for r in conn.execute(select(officers).order_by(officers.c.id))]

    def deactivate(self, officer_id: str, conn: Connection | None = None) -> None:
        stmt = (
            update(officers)
            .where(officers.c.id == officer_id, officers.c.active.is_(True))
            .values(active=False, deactivated_at=self._clock())
        )
        with joined(self._engine, conn) as c:
            if c.execute(stmt).rowcount != 1:
                raise CividError(ErrorCode.NOT_FOUND, f"no active officer {officer_id}")


class IssuerKeyRepository:
    """Exactly one key is active (a partial unique index enforces it); retired keys stay for verification."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def add_active(
        self, key_id: str, public_key_multibase: str, sealed_secret: bytes, conn: Connection | None = None
    ) -> IssuerKey:
        """Store a new key and make it the active one (the previous active key is retired)."""
        now = self._clock()
        key = IssuerKey(key_id, public_key_multibase, sealed_secret, True, now)
        with joined(self._engine, conn) as c:
            c.execute(
                update(issuer_keys).where(issuer_keys.c.active.is_(True)).values(active=False, retired_at=now)
            )
            c.execute(issuer_keys.insert().values(**key.__dict__))
        return key

    def active(self) -> IssuerKey | None:
        with read(self._engine) as conn:
            row = conn.execute(select(issuer_keys).where(issuer_keys.c.active.is_(True))).first()
        return None if row is None else _key(row._mapping)

    def all(self) -> list[IssuerKey]:
        """Every key, oldest first (all of them belong in the DID document)."""
        query = select(issuer_keys).order_by(issuer_keys.c.created_at, issuer_keys.c.id)
        with read(self._engine) as conn:
            return [_key(r._mapping) for r in conn.execute(query)]


def _officer(m: Any) -> Officer:
    return Officer(
        m["id"],
        m["name"],
        m["public_key_multibase"],
        bool(m["active"]),
        m["created_at"],
        m.get("certificate_sha256"),
    )


def _key(m: Any) -> IssuerKey:
    return IssuerKey(
        m["id"],
        m["public_key_multibase"],
        bytes(m["sealed_secret"]),
        bool(m["active"]),
        m["created_at"],
        m["retired_at"],
    )
