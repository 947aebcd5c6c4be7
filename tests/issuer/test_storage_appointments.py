from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.issuer.registry import Citizen
from civid.issuer.storage import AppointmentState, Store

STARTS = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(store: Store, citizen_factory: Callable[..., Citizen]) -> list[Citizen]:
    citizens = [citizen_factory(i) for i in range(1, 51)]
    store.citizens.add_many(citizens)
    return citizens


@pytest.mark.slow
def test_fifty_concurrent_bookings_fill_a_slot_of_ten_exactly(store: Store, people: list[Citizen]) -> None:
    slot = store.appointments.add_slot("สำนักงานเขตจตุจักร", "id-card", STARTS, capacity=10)

    def book(citizen: Citizen) -> str:
        try:
            store.appointments.book(slot.id, citizen.national_id)
            return "booked"
        except CividError as exc:
            return exc.code.value

    with ThreadPoolExecutor(max_workers=50) as pool:  # each booking on its own connection
        outcomes = list(pool.map(book, people))

    assert outcomes.count("booked") == 10
    assert outcomes.count(ErrorCode.SLOT_FULL.value) == 40
    final = store.appointments.slot(slot.id)
    assert final is not None and final.booked == 10 and final.free == 0


def test_cancelling_frees_the_seat_for_someone_else(store: Store, people: list[Citizen]) -> None:
    slot = store.appointments.add_slot("office", "house-registration", STARTS, capacity=1)
    first = store.appointments.book(slot.id, people[0].national_id)
    with pytest.raises(CividError) as err:
        store.appointments.book(slot.id, people[1].national_id)
    assert err.value.code is ErrorCode.SLOT_FULL

    store.appointments.cancel(first.id)
    second = store.appointments.book(slot.id, people[1].national_id)

    cancelled = store.appointments.get(first.id)
    assert cancelled is not None and cancelled.state is AppointmentState.CANCELLED
    assert second.state is AppointmentState.BOOKED
    with pytest.raises(CividError) as again:
        store.appointments.cancel(first.id)
    assert again.value.code is ErrorCode.INVALID_STATE


def test_a_citizen_cannot_hold_two_seats_in_one_slot(store: Store, people: list[Citizen]) -> None:
    slot = store.appointments.add_slot("office", "id-card", STARTS, capacity=5)
    store.appointments.book(slot.id, people[0].national_id)
    with pytest.raises(CividError) as err:
        store.appointments.book(slot.id, people[0].national_id)
    assert err.value.code is ErrorCode.ALREADY_EXISTS
    final = store.appointments.slot(slot.id)
    assert final is not None and final.booked == 1  # the refused booking took no seat


def test_open_slots_lists_only_slots_with_a_free_seat(store: Store, people: list[Citizen]) -> None:
    full = store.appointments.add_slot("office", "id-card", STARTS, capacity=1)
    later = store.appointments.add_slot("office", "id-card", STARTS.replace(hour=10), capacity=2)
    store.appointments.book(full.id, people[0].national_id)
    assert [s.id for s in store.appointments.open_slots("office", "id-card", STARTS)] == [later.id]
