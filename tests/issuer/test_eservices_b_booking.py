"""Appointment booking over a real issuer: slots, capacity under concurrency, tickets, check-in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from civid.issuer.face import FaceMatcher
from civid.issuer.registry.model import Citizen
from civid.issuer.storage import Slot
from civid.issuer.v1 import appointment_pb2 as appb
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.issuer.v1 import officer_service_pb2 as opb
from civid.rpc.errors import error_details
from tests.issuer.db_fixtures import CitizenFactory
from tests.issuer.eservices_a_fixtures import desk_enrol, proof, verify_with_status
from tests.issuer.server_fixtures import (
    OBAMA,
    Holder,
    RunningIssuer,
    issuer_test_config,
    start_issuer,
    stop_issuer,
    write_test_registry,
)
from tests.issuer.server_fixtures import issuer as issuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher

pytestmark = pytest.mark.slow
OFFICE = "bkk-wattana"


@pytest.fixture
async def db_issuer(
    tmp_path: Path, database_url: str, issuer_face_matcher: FaceMatcher
) -> AsyncIterator[RunningIssuer]:
    """An issuer on each engine (SQLite, PostgreSQL) with the two-citizen registry."""
    config = issuer_test_config(tmp_path / "issuer", database_url=database_url)
    running = await start_issuer(
        config, issuer_face_matcher, write_test_registry(tmp_path / "registry.jsonl")
    )
    try:
        yield running
    finally:
        await stop_issuer(running)


def new_slot(issuer: RunningIssuer, capacity: int, starts_in: timedelta = timedelta(days=1)) -> Slot:
    starts_at = (issuer.app.clock() + starts_in).replace(microsecond=0)
    return issuer.app.store.appointments.add_slot(OFFICE, "ID_CARD", starts_at, capacity)


def enrolled_citizens(issuer: RunningIssuer, make: CitizenFactory, count: int) -> list[Holder]:
    """``count`` extra citizens in the registry, each with a national-ID credential bound to a holder."""
    people: list[Citizen] = [make(1000 + n) for n in range(count)]
    holders = [Holder() for _ in people]
    issuer.app.store.citizens.add_many(people)
    for person, holder in zip(people, holders, strict=True):
        with issuer.app.store.write() as conn:
            issuer.app.issuer.issue(person, holder.did, conn)
    return holders


async def book(
    issuer: RunningIssuer, holder: Holder, slot_id: str, request_id: str = "book-1"
) -> appb.Appointment:
    params = {"requestId": request_id, "slotId": slot_id}
    request = ipb.BookAppointmentRequest(
        holder_proof=proof(issuer, holder, "BookAppointment", params), slot_id=slot_id, request_id=request_id
    )
    answer: ipb.BookAppointmentResponse = await issuer.issuer_stub.BookAppointment(request)
    return answer.appointment


async def cancel(issuer: RunningIssuer, holder: Holder, appointment_id: str) -> appb.Appointment:
    params = {"appointmentId": appointment_id}
    request = ipb.CancelAppointmentRequest(
        holder_proof=proof(issuer, holder, "CancelAppointment", params), appointment_id=appointment_id
    )
    answer: ipb.CancelAppointmentResponse = await issuer.issuer_stub.CancelAppointment(request)
    return answer.appointment


async def check_in(issuer: RunningIssuer, ticket_json: str) -> appb.Appointment:
    answer: opb.CheckInAppointmentResponse = await issuer.officer_stub.CheckInAppointment(
        opb.CheckInAppointmentRequest(ticket_credential_json=ticket_json),
        metadata=issuer.officer_metadata("CheckInAppointment"),
    )
    return answer.appointment


async def test_fifty_concurrent_bookings_fill_a_slot_of_ten_exactly(
    db_issuer: RunningIssuer, citizen_factory: CitizenFactory
) -> None:
    holders = enrolled_citizens(db_issuer, citizen_factory, 50)
    slot = new_slot(db_issuer, capacity=10)

    outcomes = await asyncio.gather(
        *(book(db_issuer, h, slot.id, f"book-{n}") for n, h in enumerate(holders)), return_exceptions=True
    )

    booked = [o for o in outcomes if isinstance(o, appb.Appointment)]
    refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert len(booked) == 10 and len(refused) == 40
    assert {error_details(e).reason for e in refused} == {"SLOT_FULL"}
    stored = db_issuer.app.store.appointments.slot(slot.id)
    assert stored is not None and stored.booked == 10


async def test_offices_are_listed_with_a_province_filter(issuer: RunningIssuer) -> None:
    everywhere = await issuer.issuer_stub.ListDistrictOffices(ipb.ListDistrictOfficesRequest())
    bangkok = await issuer.issuer_stub.ListDistrictOffices(
        ipb.ListDistrictOfficesRequest(province="กรุงเทพมหานคร")
    )

    assert {o.office_id for o in everywhere.offices} >= {OFFICE, "cnx-mueang"}
    assert OFFICE in {o.office_id for o in bangkok.offices}
    assert all(o.province == "กรุงเทพมหานคร" for o in bangkok.offices)


async def test_seeded_slots_are_listed_earliest_first_for_one_service(issuer: RunningIssuer) -> None:
    request = ipb.ListAppointmentSlotsRequest(office_id=OFFICE, purpose=appb.APPOINTMENT_PURPOSE_ID_CARD)

    slots = (await issuer.issuer_stub.ListAppointmentSlots(request)).slots

    assert slots, "the seed gives every office slots on the coming weekdays"
    assert all(s.purpose == appb.APPOINTMENT_PURPOSE_ID_CARD and s.office_id == OFFICE for s in slots)
    starts = [s.start_time.ToDatetime() for s in slots]
    assert starts == sorted(starts)
    assert all(s.available == s.capacity for s in slots)


async def test_slots_of_an_unknown_office_are_not_found(issuer: RunningIssuer) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await issuer.issuer_stub.ListAppointmentSlots(ipb.ListAppointmentSlotsRequest(office_id="nowhere"))

    assert raised.value.code() is grpc.StatusCode.NOT_FOUND


async def test_booking_returns_a_ticket_that_verifies(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    slot = new_slot(issuer, capacity=3)

    appointment = await book(issuer, holder, slot.id)
    ticket: dict[str, Any] = json.loads(appointment.ticket_credential_json)

    assert appointment.state == appb.APPOINTMENT_STATE_BOOKED
    assert appointment.slot.available == 2
    assert "AppointmentTicketCredential" in ticket["type"]
    assert ticket["credentialSubject"]["id"] == holder.did
    assert ticket["credentialSubject"]["nationalIdNumber"] == OBAMA
    assert (await verify_with_status(issuer, ticket)).verified


async def test_a_citizen_holds_at_most_one_place_in_a_slot(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    slot = new_slot(issuer, capacity=3)
    await book(issuer, holder, slot.id, "book-1")

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await book(issuer, holder, slot.id, "book-2")

    assert raised.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert error_details(raised.value).reason == "INVALID_STATE"


async def test_cancel_frees_the_place_and_revokes_the_ticket(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    slot = new_slot(issuer, capacity=1)
    booked = await book(issuer, holder, slot.id)

    cancelled = await cancel(issuer, holder, booked.appointment_id)
    ticket = json.loads(booked.ticket_credential_json)

    assert cancelled.state == appb.APPOINTMENT_STATE_CANCELLED
    assert cancelled.slot.available == 1
    assert not (await verify_with_status(issuer, ticket)).verified


async def test_cancel_and_rebook_the_same_slot(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    slot = new_slot(issuer, capacity=1)
    first = await book(issuer, holder, slot.id, "book-1")
    await cancel(issuer, holder, first.appointment_id)

    again = await book(issuer, holder, slot.id, "book-2")

    listed = await issuer.issuer_stub.ListAppointments(
        ipb.ListAppointmentsRequest(
            holder_proof=proof(issuer, holder, "ListAppointments", {}), state=appb.APPOINTMENT_STATE_BOOKED
        )
    )
    assert [a.appointment_id for a in listed.appointments] == [again.appointment_id]


async def test_booking_a_full_slot_fails_with_slot_full(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    slot = new_slot(issuer, capacity=0)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await book(issuer, holder, slot.id)

    assert error_details(raised.value).reason == "SLOT_FULL"


async def test_officer_checks_in_an_arriving_citizen(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    slot = new_slot(issuer, capacity=2, starts_in=timedelta(minutes=30))
    booked = await book(issuer, holder, slot.id)

    arrived = await check_in(issuer, booked.ticket_credential_json)
    office_day = await issuer.officer_stub.ListOfficeAppointments(
        opb.ListOfficeAppointmentsRequest(office_id=OFFICE, start_time=booked.slot.start_time),
        metadata=issuer.officer_metadata("ListOfficeAppointments"),
    )

    assert arrived.state == appb.APPOINTMENT_STATE_CHECKED_IN
    assert [a.state for a in office_day.appointments] == [appb.APPOINTMENT_STATE_CHECKED_IN]
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await check_in(issuer, booked.ticket_credential_json)
    assert error_details(again.value).reason == "INVALID_STATE"


async def test_a_tampered_ticket_is_refused_at_check_in(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    slot = new_slot(issuer, capacity=2, starts_in=timedelta(minutes=30))
    ticket = json.loads((await book(issuer, holder, slot.id)).ticket_credential_json)
    ticket["credentialSubject"]["service"] = "something else"

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await check_in(issuer, json.dumps(ticket, ensure_ascii=False))

    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert error_details(raised.value).reason == "INVALID_SIGNATURE"


async def test_a_cancelled_ticket_is_refused_at_check_in(issuer: RunningIssuer) -> None:
    holder = Holder()
    await desk_enrol(issuer, OBAMA, holder)
    slot = new_slot(issuer, capacity=2, starts_in=timedelta(minutes=30))
    booked = await book(issuer, holder, slot.id)
    await cancel(issuer, holder, booked.appointment_id)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await check_in(issuer, booked.ticket_credential_json)

    assert raised.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert error_details(raised.value).reason == "REVOKED"
