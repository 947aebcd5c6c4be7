"""Requests to move into a house, which its owner consents to (or refuses) from their wallet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage.common import Clock
from civid.issuer.storage.schema import address_change_requests
from civid.service.db.tx import joined, read


class AddressChangeState(StrEnum):
    PENDING = "pending"
    CONSENTED = "consented"  # the owner signed; the move is being applied
    REFUSED = "refused"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    COMPLETED = "completed"


@dataclass(frozen=True)
class AddressChangeRequest:
    id: str
    requester_national_id: str
    house_code: str
    owner_national_id: str
    state: AddressChangeState
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None = None
    consent_signature: str | None = None
    reason: str | None = None


class AddressChangeRepository:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def create(self, request: AddressChangeRequest, conn: Connection | None = None) -> None:
        """Store a new request; a citizen has at most one pending one (else an IntegrityError)."""
        values = request.__dict__ | {"state": request.state.value}
        with joined(self._engine, conn) as c:
            c.execute(address_change_requests.insert().values(**values))

    def get(self, request_id: str) -> AddressChangeRequest | None:
        with read(self._engine) as conn:
            row = conn.execute(
                select(address_change_requests).where(address_change_requests.c.id == request_id)
            ).first()
        return None if row is None else _request(row._mapping)

    def pending_for_owner(self, owner_national_id: str) -> list[AddressChangeRequest]:
        return self._pending(address_change_requests.c.owner_national_id == owner_national_id)

    def pending_for_requester(self, requester_national_id: str) -> list[AddressChangeRequest]:
        return self._pending(address_change_requests.c.requester_national_id == requester_national_id)

    def for_party(self, national_id: str) -> list[AddressChangeRequest]:
        """Every request where ``national_id`` is the applicant or the owner, newest first."""
        r = address_change_requests.c
        query = (
            select(address_change_requests)
            .where((r.requester_national_id == national_id) | (r.owner_national_id == national_id))
            .order_by(r.created_at.desc(), r.id)
        )
        with read(self._engine) as conn:
            return [_request(row._mapping) for row in conn.execute(query)]

    def transition(
        self,
        request_id: str,
        from_state: AddressChangeState,
        to_state: AddressChangeState,
        *,
        consent_signature: str | None = None,
        reason: str | None = None,
        conn: Connection | None = None,
    ) -> None:
        """Decide a request; a pending request past its expiry can only become EXPIRED."""
        r = address_change_requests.c
        now = self._clock()
        where = [r.id == request_id, r.state == from_state.value]
        if from_state is AddressChangeState.PENDING and to_state is not AddressChangeState.EXPIRED:
            where.append(r.expires_at > now)
        values: dict[str, Any] = {"state": to_state.value, "decided_at": now}
        values |= {"consent_signature": consent_signature} if consent_signature is not None else {}
        values |= {"reason": reason} if reason is not None else {}
        with joined(self._engine, conn) as c:
            if c.execute(update(address_change_requests).where(*where).values(**values)).rowcount != 1:
                raise CividError(
                    ErrorCode.INVALID_STATE, f"the request is not {from_state.value} (or has expired)"
                )

    def expire_due(self, conn: Connection | None = None) -> int:
        r = address_change_requests.c
        now = self._clock()
        stmt = (
            update(address_change_requests)
            .where(r.state == AddressChangeState.PENDING.value, r.expires_at <= now)
            .values(state=AddressChangeState.EXPIRED.value, decided_at=now)
        )
        with joined(self._engine, conn) as c:
            return c.execute(stmt).rowcount

    def _pending(self, condition: Any) -> list[AddressChangeRequest]:
        r = address_change_requests.c
        query = (
            select(address_change_requests)
            .where(condition, r.state == AddressChangeState.PENDING.value, r.expires_at > self._clock())
            .order_by(r.created_at)
        )
        with read(self._engine) as conn:
            return [_request(row._mapping) for row in conn.execute(query)]


def _request(m: Any) -> AddressChangeRequest:
    return AddressChangeRequest(**{k: m[k] for k in m if k != "state"}, state=AddressChangeState(m["state"]))
