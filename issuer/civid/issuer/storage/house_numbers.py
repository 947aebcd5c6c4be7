"""Applications for a house number for a newly built house, decided by an officer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage.common import Clock
from civid.issuer.storage.schema import house_number_applications, house_number_photos
from civid.service.db.tx import joined, read


class ApplicationState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class HouseNumberApplication:
    id: str
    applicant_national_id: str
    province: str
    district: str
    sub_district: str
    postal_code: str
    location: str  # e.g. "13.7563,100.5018"
    plot: str  # land title deed / plot number
    building_permit_no: str
    state: ApplicationState
    created_at: datetime
    moo: str | None = None
    village: str | None = None
    officer_id: str | None = None
    reason: str | None = None
    house_code: str | None = None
    decided_at: datetime | None = None
    soi: str | None = None
    road: str | None = None
    credential_id: str | None = None


class HouseNumberApplicationRepository:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def create(self, application: HouseNumberApplication, conn: Connection | None = None) -> None:
        values = application.__dict__ | {"state": application.state.value}
        with joined(self._engine, conn) as c:
            c.execute(house_number_applications.insert().values(**values))

    def get(self, application_id: str) -> HouseNumberApplication | None:
        query = select(house_number_applications).where(house_number_applications.c.id == application_id)
        with read(self._engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else _application(row._mapping)

    def pending(self) -> list[HouseNumberApplication]:
        h = house_number_applications.c
        query = select(house_number_applications).where(h.state == ApplicationState.PENDING.value)
        with read(self._engine) as conn:
            return [_application(r._mapping) for r in conn.execute(query.order_by(h.created_at))]

    def decide(
        self,
        application_id: str,
        state: ApplicationState,
        officer_id: str,
        reason: str,
        house_code: str | None = None,
        conn: Connection | None = None,
    ) -> None:
        """Approve (with the new house's code) or reject a pending application."""
        if (state is ApplicationState.APPROVED) != (house_code is not None):
            raise CividError(
                ErrorCode.INVALID_RECORD, "an approval names the new house code; a rejection does not"
            )
        h = house_number_applications.c
        stmt = (
            update(house_number_applications)
            .where(h.id == application_id, h.state == ApplicationState.PENDING.value)
            .values(
                state=state.value,
                officer_id=officer_id,
                reason=reason,
                house_code=house_code,
                decided_at=self._clock(),
            )
        )
        with joined(self._engine, conn) as c:
            if c.execute(stmt).rowcount != 1:
                raise CividError(ErrorCode.INVALID_STATE, "no pending application with this id")

    def for_applicant(self, national_id: str) -> list[HouseNumberApplication]:
        """The citizen's applications, newest first."""
        h = house_number_applications.c
        query = (
            select(house_number_applications)
            .where(h.applicant_national_id == national_id)
            .order_by(h.created_at.desc(), h.id)
        )
        with read(self._engine) as conn:
            return [_application(r._mapping) for r in conn.execute(query)]

    def withdraw(self, application_id: str, conn: Connection | None = None) -> None:
        """The applicant cancels a pending application (INVALID_STATE if it is not pending)."""
        h = house_number_applications.c
        stmt = (
            update(house_number_applications)
            .where(h.id == application_id, h.state == ApplicationState.PENDING.value)
            .values(state=ApplicationState.CANCELLED.value, decided_at=self._clock())
        )
        with joined(self._engine, conn) as c:
            if c.execute(stmt).rowcount != 1:
                raise CividError(ErrorCode.INVALID_STATE, "no pending application with this id")

    def set_credential(self, application_id: str, credential_id: str, conn: Connection | None = None) -> None:
        """Link the house-registration credential issued on approval."""
        stmt = (
            update(house_number_applications)
            .where(house_number_applications.c.id == application_id)
            .values(credential_id=credential_id)
        )
        with joined(self._engine, conn) as c:
            c.execute(stmt)

    def add_photos(
        self, application_id: str, photos: Sequence[bytes], conn: Connection | None = None
    ) -> None:
        rows = [{"application_id": application_id, "position": i, "photo": p} for i, p in enumerate(photos)]
        if rows:
            with joined(self._engine, conn) as c:
                c.execute(insert(house_number_photos), rows)

    def photos(self, application_id: str) -> list[bytes]:
        p = house_number_photos.c
        query = select(p.photo).where(p.application_id == application_id).order_by(p.position)
        with read(self._engine) as conn:
            return [bytes(b) for b in conn.execute(query).scalars()]

    def photo_count(self, application_id: str) -> int:
        p = house_number_photos.c
        query = select(func.count()).where(p.application_id == application_id)
        with read(self._engine) as conn:
            return int(conn.execute(query).scalar_one())


def _application(m: Any) -> HouseNumberApplication:
    values = {k: m[k] for k in m if k != "state"}
    return HouseNumberApplication(**values, state=ApplicationState(m["state"]))
