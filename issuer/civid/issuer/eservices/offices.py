"""District offices that take appointments, their services, and the seed of bookable slots.

The seed is small and fixed (three offices, every service, four 30-minute slots a weekday for the next
:data:`SEED_DAYS` days, capacity :data:`SEED_CAPACITY`); :func:`seed_slots` adds the slots that do not
exist yet, so it is safe at every start. Slots are stored with the office id and the service's
short name (``ID_CARD`` ...); a slot lasts :data:`SLOT_MINUTES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from civid.issuer.domain.issuance import BANGKOK
from civid.issuer.storage import Store

SLOT_MINUTES: Final = 30
SEED_DAYS: Final = 7
SEED_CAPACITY: Final = 10
SEED_TIMES: Final = (time(9, 0), time(10, 30), time(13, 0), time(14, 30))


@dataclass(frozen=True)
class DistrictOffice:
    office_id: str
    name_th: str
    name_en: str
    province: str
    district: str


OFFICES: Final = (
    DistrictOffice("bkk-bangrak", "สำนักงานเขตบางรัก", "Bang Rak District Office", "กรุงเทพมหานคร", "บางรัก"),
    DistrictOffice("bkk-wattana", "สำนักงานเขตวัฒนา", "Watthana District Office", "กรุงเทพมหานคร", "วัฒนา"),
    DistrictOffice(
        "cnx-mueang",
        "ที่ว่าการอำเภอเมืองเชียงใหม่",
        "Mueang Chiang Mai District Office",
        "เชียงใหม่",
        "เมืองเชียงใหม่",
    ),
)
OFFICE_BY_ID: Final = {o.office_id: o for o in OFFICES}

# Service short name (the AppointmentPurpose value without its prefix) → its Thai name on the ticket.
SERVICES: Final = {
    "ID_CARD": "ทำบัตรประจำตัวประชาชน",
    "DIGITAL_ID": "ลงทะเบียนบัตรประชาชนดิจิทัล",
    "ADDRESS_CHANGE": "แจ้งย้ายที่อยู่",
    "CIVIL_REGISTRATION": "จดทะเบียนเกิด ตาย สมรส",
    "HOUSE_REGISTRATION": "งานทะเบียนบ้าน",
    "CERTIFIED_COPY": "คัดรับรองเอกสาร",
}


def offices(province: str = "") -> list[DistrictOffice]:
    """The offices (of one province if given), by province then district."""
    chosen = [o for o in OFFICES if not province or o.province == province]
    return sorted(chosen, key=lambda o: (o.province, o.district, o.office_id))


def slot_end(starts_at: datetime) -> datetime:
    return starts_at + timedelta(minutes=SLOT_MINUTES)


def seed_rows(today: date, days: int = SEED_DAYS) -> list[tuple[str, str, datetime, int]]:
    """The seeded (office, service, start, capacity) slots for weekdays from ``today`` on."""
    dates = [today + timedelta(days=n) for n in range(days)]
    return [
        (office.office_id, service, datetime.combine(day, at, BANGKOK), SEED_CAPACITY)
        for day in dates
        if day.weekday() < 5
        for office in OFFICES
        for service in SERVICES
        for at in SEED_TIMES
    ]


def seed_slots(store: Store, now: datetime, days: int = SEED_DAYS) -> int:
    """Add the missing seeded slots for the coming days; how many were added."""
    rows: Sequence[tuple[str, str, datetime, int]] = seed_rows(now.astimezone(BANGKOK).date(), days)
    return store.appointments.ensure_slots(rows)
