"""Appointment slots at district offices and the bookings in them.

A booking never exceeds a slot's capacity, however many arrive at once: the seat is taken with one
conditional ``UPDATE ... SET booked = booked + 1 WHERE booked < capacity`` (atomic on both engines;
a CHECK constraint backs it up), in the same transaction as the appointment row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage.common import Clock, insert_ignore, new_id
from civid.issuer.storage.schema import appointment_slots, appointments
from civid.service.db.tx import joined, read


class AppointmentState(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"


@dataclass(frozen=True)
class Slot:
    id: str
    office: str
    service: str
    starts_at: datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return self.capacity - self.booked


@dataclass(frozen=True)
class Appointment:
    id: str
    slot_id: str
    national_id: str
    state: AppointmentState
    created_at: datetime
    cancelled_at: datetime | None = None
    credential_id: str | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None


class AppointmentRepository:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def add_slot(
        self, office: str, service: str, starts_at: datetime, capacity: int, conn: Connection | None = None
    ) -> Slot:
        if capacity < 0:
            raise CividError(ErrorCode.INVALID_RECORD, "capacity must not be negative")
        slot = Slot(new_id(), office, service, starts_at, capacity, 0)
        with joined(self._engine, conn) as c:
            c.execute(appointment_slots.insert().values(**slot.__dict__))
        return slot

    def slot(self, slot_id: str) -> Slot | None:
        with read(self._engine) as conn:
            row = conn.execute(select(appointment_slots).where(appointment_slots.c.id == slot_id)).first()
        return None if row is None else Slot(**row._mapping)

    def open_slots(self, office: str, service: str, after: datetime) -> list[Slot]:
        """Slots with a free seat from ``after`` on, soonest first."""
        s = appointment_slots.c
        query = (
            select(appointment_slots)
            .where(s.office == office, s.service == service, s.starts_at >= after, s.booked < s.capacity)
            .order_by(s.starts_at)
        )
        with read(self._engine) as conn:
            return [Slot(**r._mapping) for r in conn.execute(query)]

    def book(self, slot_id: str, national_id: str, conn: Connection | None = None) -> Appointment:
        """Take a seat (SLOT_FULL when none is left; ALREADY_EXISTS if this citizen holds one)."""
        with joined(self._engine, conn) as c:
            self._take_seat(c, slot_id)
            if self._active_booking(c, slot_id, national_id) is not None:
                raise CividError(ErrorCode.ALREADY_EXISTS, "you already have a booking in this slot")
            appointment = Appointment(new_id(), slot_id, national_id, AppointmentState.BOOKED, self._clock())
            c.execute(appointments.insert().values(**appointment.__dict__))
        return appointment

    def cancel(self, appointment_id: str, conn: Connection | None = None) -> None:
        """Cancel a booking and free its seat (INVALID_STATE if it is not booked)."""
        a = appointments.c
        stmt = (
            update(appointments)
            .where(a.id == appointment_id, a.state == AppointmentState.BOOKED.value)
            .values(state=AppointmentState.CANCELLED.value, cancelled_at=self._clock())
            .returning(a.slot_id)
        )
        with joined(self._engine, conn) as c:
            slot_id = c.execute(stmt).scalar()
            if slot_id is None:
                raise CividError(ErrorCode.INVALID_STATE, "no such booking, or it is already cancelled")
            c.execute(
                update(appointment_slots)
                .where(appointment_slots.c.id == slot_id)
                .values(booked=appointment_slots.c.booked - 1)
            )

    def set_ticket(self, appointment_id: str, credential_id: str, conn: Connection | None = None) -> None:
        """Link the signed ticket (a credential) to the booking."""
        stmt = (
            update(appointments)
            .where(appointments.c.id == appointment_id)
            .values(credential_id=credential_id)
        )
        with joined(self._engine, conn) as c:
            if c.execute(stmt).rowcount != 1:
                raise CividError(ErrorCode.NOT_FOUND, "no such booking")

    def get(self, appointment_id: str) -> Appointment | None:
        with read(self._engine) as conn:
            row = conn.execute(select(appointments).where(appointments.c.id == appointment_id)).first()
        return None if row is None else _appointment(row._mapping)

    def for_citizen(self, national_id: str) -> list[Appointment]:
        query = select(appointments).where(appointments.c.national_id == national_id)
        with read(self._engine) as conn:
            return [_appointment(r._mapping) for r in conn.execute(query.order_by(appointments.c.created_at))]

    def ensure_slots(
        self, slots: Sequence[tuple[str, str, datetime, int]], conn: Connection | None = None
    ) -> int:
        """Add (office, service, starts_at, capacity) slots that do not exist yet; how many were added."""
        added = 0
        with joined(self._engine, conn) as c:
            for office, service, starts_at, capacity in slots:
                row = {"id": new_id(), "office": office, "service": service, "starts_at": starts_at}
                added += insert_ignore(c, appointment_slots, row | {"capacity": capacity, "booked": 0})
        return added

    def slots_between(self, office: str, start: datetime, end: datetime) -> list[Slot]:
        """An office's slots starting in [start, end), soonest first."""
        s = appointment_slots.c
        query = (
            select(appointment_slots)
            .where(s.office == office, s.starts_at >= start, s.starts_at < end)
            .order_by(s.starts_at, s.service, s.id)
        )
        with read(self._engine) as conn:
            return [Slot(**r._mapping) for r in conn.execute(query)]

    def in_slots(self, slot_ids: Sequence[str]) -> list[Appointment]:
        """The appointments (any state) in these slots, oldest booking first."""
        a = appointments.c
        query = select(appointments).where(a.slot_id.in_(list(slot_ids))).order_by(a.created_at, a.id)
        with read(self._engine) as conn:
            return [_appointment(r._mapping) for r in conn.execute(query)]

    def by_ticket(self, credential_id: str) -> Appointment | None:
        query = select(appointments).where(appointments.c.credential_id == credential_id)
        with read(self._engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else _appointment(row._mapping)

    def check_in(self, appointment_id: str, officer_id: str, conn: Connection | None = None) -> None:
        """Mark a booked appointment as arrived (INVALID_STATE if it is not booked)."""
        a = appointments.c
        stmt = (
            update(appointments)
            .where(a.id == appointment_id, a.state == AppointmentState.BOOKED.value)
            .values(
                state=AppointmentState.CHECKED_IN.value, checked_in_at=self._clock(), checked_in_by=officer_id
            )
        )
        with joined(self._engine, conn) as c:
            if c.execute(stmt).rowcount != 1:
                raise CividError(ErrorCode.INVALID_STATE, "the appointment is not booked")

    @staticmethod
    def _take_seat(conn: Connection, slot_id: str) -> None:
        s = appointment_slots.c
        stmt = (
            update(appointment_slots)
            .where(s.id == slot_id, s.booked < s.capacity)
            .values(booked=s.booked + 1)
        )
        if conn.execute(stmt).rowcount == 1:
            return
        if conn.execute(select(s.id).where(s.id == slot_id)).first() is None:
            raise CividError(ErrorCode.NOT_FOUND, "no such slot")
        raise CividError(ErrorCode.SLOT_FULL, "this slot is fully booked")

    @staticmethod
    def _active_booking(conn: Connection, slot_id: str, national_id: str) -> str | None:
        a = appointments.c
        query = select(a.id).where(
            a.slot_id == slot_id, a.national_id == national_id, a.state == AppointmentState.BOOKED.value
        )
        found: str | None = conn.execute(query).scalar()
        return found


def _appointment(m: Any) -> Appointment:
    return Appointment(
        m["id"],
        m["slot_id"],
        m["national_id"],
        AppointmentState(m["state"]),
        m["created_at"],
        m["cancelled_at"],
        m["credential_id"],
        m["checked_in_at"],
        m["checked_in_by"],
    )
