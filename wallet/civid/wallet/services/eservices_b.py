"""E-services, part B, as the wallet uses them: a house number for a newly built house (the approved
house's HouseRegistrationCredential is held in the wallet) and appointments at district offices (the
signed ticket is held in the wallet).

Calls about the holder carry a fresh HolderProof (see :mod:`.issuer_session`); offices and
slots are public. Results are JSON-ready dictionaries for the headless commands and the TUI.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from civid.core.errors import CividError, ErrorCode
from civid.issuer.v1 import appointment_pb2 as appb
from civid.issuer.v1 import citizen_request_pb2 as crpb
from civid.issuer.v1 import house_number_pb2 as hnpb
from civid.wallet.domain import HeldCredential, Wallet
from civid.wallet.services.issuer_session import IssuerSession, public_client

MAX_PHOTOS: Final = 5
MAX_PHOTO_BYTES: Final = 5 * 1024 * 1024
PURPOSE_PREFIX: Final = "APPOINTMENT_PURPOSE_"
SERVICES: Final = tuple(
    name.removeprefix(PURPOSE_PREFIX)
    for name in appb.AppointmentPurpose.keys()  # noqa: SIM118 (an enum wrapper, not a dict)
    if name != PURPOSE_PREFIX + "UNSPECIFIED"
)


@dataclass(frozen=True)
class NewHouse:
    """Where a newly built house stands, and its plot and building permit."""

    sub_district: str
    district: str
    province: str
    postal_code: str
    land_title_number: str
    building_permit_number: str
    moo: str = ""
    village: str = ""
    soi: str = ""
    road: str = ""
    latitude: float = 0.0
    longitude: float = 0.0

    def location(self) -> hnpb.HouseLocation:
        return hnpb.HouseLocation(
            moo=self.moo,
            village=self.village,
            soi=self.soi,
            road=self.road,
            sub_district=self.sub_district,
            district=self.district,
            province=self.province,
            postal_code=self.postal_code,
            latitude=self.latitude,
            longitude=self.longitude,
        )


@dataclass(frozen=True)
class RequestLine:
    """One e-service request as the pending-requests view shows it."""

    key: str
    kind: str
    state: str
    summary: str
    event: str


def message_json(message: Message) -> dict[str, Any]:
    """A message as JSON (proto3 JSON names; enum values by name)."""
    return MessageToDict(message, preserving_proto_field_name=False)


# --- house numbers -------------------------------------------------------------------------


def read_photos(paths: Sequence[Path]) -> list[bytes]:
    """The photo files' bytes, checked against the issuer's limits before anything is sent."""
    if len(paths) > MAX_PHOTOS:
        raise CividError(ErrorCode.FIELD_INVALID, f"at most {MAX_PHOTOS} photos may be attached")
    photos = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CividError(
                ErrorCode.FIELD_INVALID, f"cannot read the photo {path}: {exc.strerror}"
            ) from exc
        if len(data) > MAX_PHOTO_BYTES:
            raise CividError(ErrorCode.IMAGE_TOO_LARGE, f"the photo {path} is larger than 5 MiB")
        photos.append(data)
    return photos


async def apply_house_number(wallet: Wallet, house: NewHouse, photos: Sequence[bytes] = ()) -> dict[str, Any]:
    """Apply for a house number; the application, SUBMITTED, as JSON."""
    request_id = uuid.uuid4().hex
    params = {
        "buildingPermitNumber": house.building_permit_number,
        "landTitleNumber": house.land_title_number,
        "requestId": request_id,
    }
    async with IssuerSession(wallet) as s:
        application = await s.client.create_house_number_application(
            s.proof("CreateHouseNumberApplication", params),
            house.location(),
            house.land_title_number,
            house.building_permit_number,
            photos,
            request_id,
        )
    return message_json(application)


async def list_house_applications(wallet: Wallet) -> list[dict[str, Any]]:
    """The holder's house-number applications, newest first."""
    async with IssuerSession(wallet) as s:
        found = await s.client.list_house_number_applications(s.proof("ListHouseNumberApplications", {}))
    return [message_json(a) for a in found]


async def cancel_house_application(wallet: Wallet, application_id: str) -> dict[str, Any]:
    """Withdraw an application while it is SUBMITTED."""
    async with IssuerSession(wallet) as s:
        proof = s.proof("CancelHouseNumberApplication", {"applicationId": application_id})
        return message_json(await s.client.cancel_house_number_application(proof, application_id))


async def collect_house_credential(wallet: Wallet, application_id: str) -> HeldCredential:
    """After approval: fetch the HouseRegistrationCredential and hold it in the wallet."""
    async with IssuerSession(wallet) as s:
        application = await s.client.get_house_number_application(
            s.proof("GetHouseNumberApplication", {"applicationId": application_id}), application_id
        )
        if application.state != hnpb.HOUSE_NUMBER_APPLICATION_STATE_APPROVED:
            state = hnpb.HouseNumberApplicationState.Name(application.state)
            raise CividError(ErrorCode.INVALID_STATE, f"the application is {state}, not approved")
        return await s.hold_issued(application.credential_id)


# --- appointments --------------------------------------------------------------------------


def purpose_of(service: str) -> int:
    """The AppointmentPurpose of a service name ("ID_CARD", "id-card", ...)."""
    name = service.strip().upper().replace("-", "_")
    if name not in SERVICES:
        raise CividError(
            ErrorCode.FIELD_INVALID, f"unknown service {service!r}; one of {', '.join(SERVICES)}"
        )
    return appb.AppointmentPurpose.Value(PURPOSE_PREFIX + name)


async def list_offices(wallet: Wallet, province: str = "") -> list[dict[str, Any]]:
    """The district offices that take appointments."""
    async with public_client(wallet) as client:
        return [message_json(o) for o in await client.list_district_offices(province)]


async def list_slots(wallet: Wallet, office_id: str, service: str) -> list[dict[str, Any]]:
    """The office's free slots for ``service`` in the next 14 days, earliest first."""
    purpose = purpose_of(service)
    async with public_client(wallet) as client:
        slots = await client.list_appointment_slots(office_id, purpose)
    return [{**message_json(s), "available": s.available} for s in slots]


def appointment_json(appointment: appb.Appointment) -> dict[str, Any]:
    """An appointment as JSON, its ticket named by id rather than inlined."""
    out = message_json(appointment)
    ticket = out.pop("ticketCredentialJson", "")
    out["ticketId"] = json.loads(ticket).get("id", "") if ticket else ""
    return out


async def book(wallet: Wallet, slot_id: str) -> tuple[dict[str, Any], HeldCredential]:
    """Book a place in a slot; the appointment and its ticket, now held in the wallet."""
    request_id = uuid.uuid4().hex
    async with IssuerSession(wallet) as s:
        proof = s.proof("BookAppointment", {"requestId": request_id, "slotId": slot_id})
        appointment = await s.client.book_appointment(proof, slot_id, request_id)
    held = wallet.add_credential(json.loads(appointment.ticket_credential_json))
    return appointment_json(appointment), held


async def list_bookings(wallet: Wallet) -> list[dict[str, Any]]:
    """The holder's appointments, latest slot first."""
    async with IssuerSession(wallet) as s:
        found = await s.client.list_appointments(s.proof("ListAppointments", {}))
    return [appointment_json(a) for a in found]


async def cancel_booking(wallet: Wallet, appointment_id: str) -> dict[str, Any]:
    """Cancel an appointment (the issuer frees the place and revokes the ticket); the wallet drops
    the revoked ticket."""
    async with IssuerSession(wallet) as s:
        proof = s.proof("CancelAppointment", {"appointmentId": appointment_id})
        cancelled = appointment_json(await s.client.cancel_appointment(proof, appointment_id))
    if cancelled["ticketId"] in {c.id for c in wallet.credentials()}:
        wallet.remove_credential(cancelled["ticketId"])
    return cancelled


# --- the pending-requests view -------------------------------------------------------------


def request_line(event: crpb.CitizenRequestEvent) -> RequestLine:
    """The view's line for one event (SNAPSHOT_END has no request: callers skip it)."""
    kind = event.request.WhichOneof("request") or ""
    event_name = crpb.CitizenRequestEventType.Name(event.type).removeprefix("CITIZEN_REQUEST_EVENT_TYPE_")
    if kind == "address_change":
        change = event.request.address_change
        role = _enum_name(change, "ADDRESS_CHANGE_ROLE_", "caller_role").lower()
        state, summary = (
            _enum_name(change, "ADDRESS_CHANGE_STATE_"),
            f"{role} → {change.new_address.house_code}",
        )
        return RequestLine(f"{kind}:{change.address_change_id}", kind, state, summary, event_name)
    if kind == "house_number_application":
        app = event.request.house_number_application
        state = _enum_name(app, "HOUSE_NUMBER_APPLICATION_STATE_")
        where = f"{app.location.village} {app.location.district}".strip()
        summary = app.allocated_address.house_code or where
        return RequestLine(f"{kind}:{app.application_id}", kind, state, summary, event_name)
    booked = event.request.appointment
    state = _enum_name(booked, "APPOINTMENT_STATE_")
    service = appb.AppointmentPurpose.Name(booked.slot.purpose).removeprefix(PURPOSE_PREFIX)
    summary = f"{booked.slot.office_id} {service} {booked.slot.start_time.ToJsonString()[:16]}"
    return RequestLine(f"appointment:{booked.appointment_id}", "appointment", state, summary, event_name)


def _enum_name(message: Any, prefix: str, field_name: str = "state") -> str:
    field = message.DESCRIPTOR.fields_by_name[field_name]
    name: str = field.enum_type.values_by_number[getattr(message, field_name)].name
    return name.removeprefix(prefix)


async def watch_request_lines(wallet: Wallet) -> AsyncIterator[RequestLine | None]:
    """The holder's requests as lines: the snapshot, ``None`` when it is complete, then each change."""
    async with IssuerSession(wallet) as s:
        async for event in s.client.watch_citizen_requests(s.proof("WatchCitizenRequests", {})):
            if event.type == crpb.CITIZEN_REQUEST_EVENT_TYPE_SNAPSHOT_END:
                yield None
            elif event.HasField("request"):
                yield request_line(event)
