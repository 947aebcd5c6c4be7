"""Appointment RPCs: offices and slots (public), booking (HolderProof), the office's list and check-in."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any, Final, TypeAlias

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from civid.common.v1 import localized_text_pb2
from civid.issuer.app import IssuerApp
from civid.issuer.domain.issuance import BANGKOK
from civid.issuer.domain.paging import page
from civid.issuer.eservices.address_change_rpcs import method
from civid.issuer.eservices.appointment import Appointments, AppointmentView
from civid.issuer.eservices.offices import DistrictOffice, offices, seed_slots, slot_end
from civid.issuer.eservices.watch import WatchedRequest
from civid.issuer.service.convert import holder_proof, timestamp
from civid.issuer.service.officer_rpcs import OfficerAuthentication
from civid.issuer.service.runner import DomainRunner
from civid.issuer.storage import AppointmentState, Slot
from civid.issuer.v1 import appointment_pb2 as appb
from civid.issuer.v1 import citizen_request_pb2 as crpb
from civid.issuer.v1 import issuer_service_pb2 as pb
from civid.issuer.v1 import officer_service_pb2 as opb

Ctx: TypeAlias = grpc.aio.ServicerContext[Any, Any]
PURPOSE_PREFIX: Final = "APPOINTMENT_PURPOSE_"
STATE: Final = {
    AppointmentState.BOOKED: appb.APPOINTMENT_STATE_BOOKED,
    AppointmentState.CANCELLED: appb.APPOINTMENT_STATE_CANCELLED,
    AppointmentState.CHECKED_IN: appb.APPOINTMENT_STATE_CHECKED_IN,
}


def purpose_value(service: str) -> int:
    try:
        return appb.AppointmentPurpose.Value(PURPOSE_PREFIX + service)
    except ValueError:
        return appb.APPOINTMENT_PURPOSE_UNSPECIFIED


def service_name(purpose: int) -> str:
    """The stored service name of a purpose ('' for UNSPECIFIED or unknown)."""
    if purpose == appb.APPOINTMENT_PURPOSE_UNSPECIFIED:
        return ""
    try:
        return appb.AppointmentPurpose.Name(purpose).removeprefix(PURPOSE_PREFIX)
    except ValueError:
        return "?"


def office_message(office: DistrictOffice) -> appb.DistrictOffice:
    return appb.DistrictOffice(
        office_id=office.office_id,
        name=localized_text_pb2.LocalizedText(th=office.name_th, en=office.name_en),
        province=office.province,
        district=office.district,
    )


def slot_message(slot: Slot) -> appb.AppointmentSlot:
    return appb.AppointmentSlot(
        slot_id=slot.id,
        office_id=slot.office,
        purpose=purpose_value(slot.service),  # type: ignore[arg-type]
        start_time=timestamp(slot.starts_at),
        end_time=timestamp(slot_end(slot.starts_at)),
        capacity=slot.capacity,
        available=slot.free,
    )


def appointment_message(view: AppointmentView) -> appb.Appointment:
    a = view.appointment
    state = appb.APPOINTMENT_STATE_MISSED if view.missed else STATE[a.state]
    changed = a.checked_in_at or a.cancelled_at or a.created_at
    return appb.Appointment(
        appointment_id=a.id,
        state=state,
        slot=slot_message(view.slot),
        holder_did=view.holder_did,
        ticket_credential_json=view.ticket_json,
        create_time=timestamp(a.created_at),
        update_time=timestamp(changed),
    )


def moment(stamp: Timestamp, present: bool) -> datetime | None:
    return stamp.ToDatetime(tzinfo=UTC) if present else None


def start_of_today(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(BANGKOK).date(), time(0), BANGKOK)


class AppointmentSource:
    """The caller's appointments, for WatchCitizenRequests (open while booked)."""

    def __init__(self, appointments: Appointments) -> None:
        self._appointments = appointments

    def requests(self, holder_did: str) -> list[WatchedRequest]:
        return [
            WatchedRequest(
                key=f"appointment:{view.appointment.id}",
                request=crpb.CitizenRequest(appointment=appointment_message(view)),
                open=view.appointment.state is AppointmentState.BOOKED and not view.missed,
            )
            for view in self._appointments.mine(holder_did)
        ]


class AppointmentRpcs:
    """The citizen's side; seeds the demo offices' slots for the coming days when built."""

    def __init__(self, app: IssuerApp, run: DomainRunner) -> None:
        self._app = app
        self._run = run
        self.appointments = Appointments(app)
        seed_slots(app.store, app.clock())

    async def ListDistrictOffices(
        self, request: pb.ListDistrictOfficesRequest, context: Ctx
    ) -> pb.ListDistrictOfficesResponse:
        def listing() -> pb.ListDistrictOfficesResponse:
            chosen = offices(request.province)
            chunk, token = page(chosen, request.page_size, request.page_token, request.province)
            return pb.ListDistrictOfficesResponse(
                offices=[office_message(o) for o in chunk], next_page_token=token
            )

        return await self._run(context, listing)

    async def ListAppointmentSlots(
        self, request: pb.ListAppointmentSlotsRequest, context: Ctx
    ) -> pb.ListAppointmentSlotsResponse:
        start = moment(request.start_time, request.HasField("start_time"))
        end = moment(request.end_time, request.HasField("end_time"))
        wanted = service_name(request.purpose)

        def listing() -> pb.ListAppointmentSlotsResponse:
            slots = [
                s
                for s in self.appointments.slots(request.office_id, start, end)
                if (not wanted or s.service == wanted) and (s.free > 0 or not request.only_available)
            ]
            scope = f"{request.office_id}|{start}|{end}|{wanted}|{request.only_available}"
            chunk, token = page(slots, request.page_size, request.page_token, scope)
            return pb.ListAppointmentSlotsResponse(
                slots=[slot_message(s) for s in chunk], next_page_token=token
            )

        return await self._run(context, listing)

    async def BookAppointment(
        self, request: pb.BookAppointmentRequest, context: Ctx
    ) -> pb.BookAppointmentResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        params = {"requestId": request.request_id, "slotId": request.slot_id}

        def book() -> pb.BookAppointmentResponse:
            did = self._app.proofs.verify(proof, method("BookAppointment"), params)
            view = self.appointments.book(did, request.slot_id, request.request_id)
            return pb.BookAppointmentResponse(appointment=appointment_message(view))

        return await self._run(context, book)

    async def ListAppointments(
        self, request: pb.ListAppointmentsRequest, context: Ctx
    ) -> pb.ListAppointmentsResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))

        def listing() -> pb.ListAppointmentsResponse:
            did = self._app.proofs.verify(proof, method("ListAppointments"), {})
            shown = [
                m
                for m in (appointment_message(v) for v in self.appointments.mine(did))
                if request.state in (appb.APPOINTMENT_STATE_UNSPECIFIED, m.state)
            ]
            chunk, token = page(shown, request.page_size, request.page_token, f"{did}|{request.state}")
            return pb.ListAppointmentsResponse(appointments=chunk, next_page_token=token)

        return await self._run(context, listing)

    async def CancelAppointment(
        self, request: pb.CancelAppointmentRequest, context: Ctx
    ) -> pb.CancelAppointmentResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        params = {"appointmentId": request.appointment_id}

        def cancel() -> pb.CancelAppointmentResponse:
            did = self._app.proofs.verify(proof, method("CancelAppointment"), params)
            view = self.appointments.cancel(did, request.appointment_id)
            return pb.CancelAppointmentResponse(appointment=appointment_message(view))

        return await self._run(context, cancel)


class AppointmentDeskRpcs:
    """The office's side: its appointments, and checking in a citizen who arrived."""

    def __init__(self, appointments: Appointments, app: IssuerApp, run: DomainRunner) -> None:
        self._app = app
        self._appointments = appointments
        self._as_officer = OfficerAuthentication(app, run)

    async def ListOfficeAppointments(
        self, request: opb.ListOfficeAppointmentsRequest, context: Ctx
    ) -> opb.ListOfficeAppointmentsResponse:
        start = moment(request.start_time, request.HasField("start_time")) or start_of_today(
            self._app.clock()
        )
        end = moment(request.end_time, request.HasField("end_time")) or start + timedelta(days=1)
        views = await self._as_officer(
            context,
            "ListOfficeAppointments",
            lambda _o: self._appointments.at_office(request.office_id, start, end),
        )
        chunk, token = page(
            views, request.page_size, request.page_token, f"{request.office_id}|{start}|{end}"
        )
        return opb.ListOfficeAppointmentsResponse(
            appointments=[appointment_message(v) for v in chunk], next_page_token=token
        )

    async def CheckInAppointment(
        self, request: opb.CheckInAppointmentRequest, context: Ctx
    ) -> opb.CheckInAppointmentResponse:
        view = await self._as_officer(
            context,
            "CheckInAppointment",
            lambda o: self._appointments.check_in(o, request.ticket_credential_json),
        )
        return opb.CheckInAppointmentResponse(appointment=appointment_message(view))
