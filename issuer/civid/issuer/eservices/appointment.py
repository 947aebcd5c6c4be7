"""Appointment booking (ขอรับบริการล่วงหน้า): book a place in a slot, get a signed ticket, cancel, check in.

Booking takes the seat with the repository's conditional update (never above capacity, however many
arrive at once), signs the AppointmentTicketCredential and writes the audit entry in one transaction.
Cancelling frees the seat and revokes the ticket. At the office the officer checks the ticket's proof,
that it is ours and not revoked, and the slot's time, then marks the appointment CHECKED_IN.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from civid.core.credential import CredentialChecks, verify_credential
from civid.core.did.resolver import DidResolver
from civid.core.errors import CividError, ErrorCode
from civid.core.schemas import APPOINTMENT_TICKET_V1
from civid.issuer.app import IssuerApp
from civid.issuer.domain import validation
from civid.issuer.domain.binding import is_live
from civid.issuer.domain.errors import IssuerFailure, field_invalid, invalid_state, not_found
from civid.issuer.domain.issuance import BANGKOK
from civid.issuer.eservices.offices import OFFICE_BY_ID, SERVICES, DistrictOffice, slot_end
from civid.issuer.eservices.parties import enrolled_citizen, national_id_of
from civid.issuer.eservices.signing import CredentialDraft, EServiceSigner, new_credential_id
from civid.issuer.registry.model import Citizen
from civid.issuer.storage import Appointment, AppointmentState, Officer, Slot, StatusPurpose, request_hash

RESOURCE: Final = "Appointment"
TICKET_TYPE: Final = "AppointmentTicketCredential"
TICKET_NAME: Final = "บัตรนัดหมาย"
CHECK_IN_OPENS: Final = timedelta(hours=2)  # how long before the slot starts an arrival is accepted


@dataclass(frozen=True)
class AppointmentView:
    appointment: Appointment
    slot: Slot
    holder_did: str
    ticket_json: str
    missed: bool


def office(office_id: str) -> DistrictOffice:
    if not office_id:
        raise field_invalid("office_id", "is required")
    found = OFFICE_BY_ID.get(office_id)
    if found is None:
        raise not_found("DistrictOffice", office_id)
    return found


def _iso(moment: datetime) -> str:
    return moment.astimezone(BANGKOK).replace(microsecond=0).isoformat()


def ticket_subject(citizen: Citizen, holder_did: str, appointment_id: str, slot: Slot) -> dict[str, Any]:
    where = OFFICE_BY_ID[slot.office]
    day = slot.starts_at.astimezone(BANGKOK).strftime("%Y%m%d")
    return {
        "id": holder_did,
        "type": "Appointment",
        "ticketNumber": f"{slot.office.upper()}-{day}-{appointment_id[:8].upper()}",
        "service": SERVICES.get(slot.service, slot.service),
        "office": where.name_th,
        "slotStart": _iso(slot.starts_at),
        "slotEnd": _iso(slot_end(slot.starts_at)),
        "nationalIdNumber": citizen.national_id,
    }


class Appointments:
    """The booking use cases; the citizen's side takes the proven holder DID."""

    def __init__(self, app: IssuerApp) -> None:
        self._app = app
        self._store = app.store
        self._signer = EServiceSigner(app)

    # --- public --------------------------------------------------------------------------------

    def slots(self, office_id: str, start: datetime | None, end: datetime | None) -> list[Slot]:
        """An office's slots in [start, end) (defaults: now, 14 days on), earliest first."""
        begin = start or self._app.clock()
        return self._store.appointments.slots_between(
            office(office_id).office_id, begin, end or begin + timedelta(days=14)
        )

    # --- citizen -------------------------------------------------------------------------------

    def book(self, did: str, slot_id: str, request_id: str) -> AppointmentView:
        request_id = validation.request_id(request_id)
        if not slot_id:
            raise field_invalid("slot_id", "is required")
        citizen = enrolled_citizen(self._store, did)

        def produce(conn: Connection) -> bytes:
            slot = self._open_slot(slot_id)
            try:
                booked = self._store.appointments.book(slot.id, citizen.national_id, conn)
            except CividError as exc:
                if exc.code is ErrorCode.ALREADY_EXISTS:
                    raise invalid_state(
                        "Slot", slot.id, "BOOKED", "the caller already holds a place"
                    ) from exc
                raise
            draft = CredentialDraft(
                credential_id=new_credential_id(),
                type=TICKET_TYPE,
                name=TICKET_NAME,
                schema=APPOINTMENT_TICKET_V1,
                subject=ticket_subject(citizen, did, booked.id, slot),
                national_id=citizen.national_id,
                holder_did=did,
                valid_from=self._app.clock(),
                valid_until=slot_end(slot.starts_at),
            )
            ticket = self._signer.issue(draft, conn)
            self._store.appointments.set_ticket(booked.id, ticket.id, conn)
            self._audit("citizen:self-service", "appointment.book", booked, slot, "citizen request", conn)
            return booked.id.encode()

        req_hash = request_hash(f"{did}|{slot_id}".encode())
        try:
            result = self._store.idempotency.run_once(request_id, "BookAppointment", req_hash, produce)
        except IntegrityError as exc:  # a concurrent booking of the same citizen in the same slot
            raise invalid_state("Slot", slot_id, "BOOKED", "the caller already holds a place") from exc
        return self._view(self._require(result.response.decode()))

    def mine(self, did: str) -> list[AppointmentView]:
        """The caller's appointments, latest slot first."""
        nid = national_id_of(self._store, did)
        if nid is None:
            return []
        views = [self._view(a) for a in self._store.appointments.for_citizen(nid)]
        return sorted(views, key=lambda v: (v.slot.starts_at, v.appointment.created_at), reverse=True)

    def cancel(self, did: str, appointment_id: str) -> AppointmentView:
        booked = self._own(did, appointment_id)
        view = self._view(booked)
        if booked.state is not AppointmentState.BOOKED or view.missed:
            raise invalid_state(RESOURCE, booked.id, self._state_name(view), "the appointment is not booked")
        with self._store.write() as conn:
            self._store.appointments.cancel(booked.id, conn)
            if booked.credential_id:
                self._store.set_status(
                    booked.credential_id, StatusPurpose.REVOCATION, True, "appointment cancelled", conn
                )
            self._audit(
                "citizen:self-service", "appointment.cancel", booked, view.slot, "citizen request", conn
            )
        return self._view(self._require(appointment_id))

    # --- officer -------------------------------------------------------------------------------

    def at_office(self, office_id: str, start: datetime, end: datetime) -> list[AppointmentView]:
        """An office's appointments whose slot starts in [start, end), earliest slot first."""
        slots = self._store.appointments.slots_between(office(office_id).office_id, start, end)
        by_id = {s.id: s for s in slots}
        found = self._store.appointments.in_slots(list(by_id)) if by_id else []
        views = [self._view(a, by_id[a.slot_id]) for a in found]
        return sorted(views, key=lambda v: (v.slot.starts_at, v.appointment.created_at))

    def check_in(self, officer: Officer, ticket_json: str) -> AppointmentView:
        ticket = self._verified_ticket(ticket_json)
        booked = self._store.appointments.by_ticket(str(ticket.get("id", "")))
        if booked is None:
            raise not_found(RESOURCE, str(ticket.get("id", "")))
        record = self._store.credentials.require(str(ticket["id"]))
        subject = ticket.get("credentialSubject", {})
        if subject.get("nationalIdNumber") != booked.national_id or subject.get("id") != record.holder_did:
            raise IssuerFailure(ErrorCode.INVALID_SIGNATURE, "the ticket does not match the booking")
        if record.revoked or not is_live(record):
            raise IssuerFailure(ErrorCode.REVOKED, "the ticket was revoked", {"resource_id": booked.id})
        view = self._view(booked)
        now = self._app.clock()
        if booked.state is not AppointmentState.BOOKED or view.missed:
            raise invalid_state(
                RESOURCE,
                booked.id,
                self._state_name(view),
                f"the appointment is {self._state_name(view).lower()}",
            )
        if now < view.slot.starts_at - CHECK_IN_OPENS:
            raise invalid_state(
                RESOURCE, booked.id, "BOOKED", "too early: check-in opens two hours before the slot"
            )
        with self._store.write() as conn:
            self._store.appointments.check_in(booked.id, officer.id, conn)
            self._audit(f"officer:{officer.id}", "appointment.check_in", booked, view.slot, "arrived", conn)
        return self._view(self._require(booked.id))

    # --- helpers -------------------------------------------------------------------------------

    def _verified_ticket(self, ticket_json: str) -> dict[str, Any]:
        try:
            ticket = json.loads(ticket_json)
        except ValueError as exc:
            raise IssuerFailure(ErrorCode.MALFORMED_DOCUMENT, "the ticket is not JSON") from exc
        if not isinstance(ticket, dict) or TICKET_TYPE not in (ticket.get("type") or []):
            raise IssuerFailure(ErrorCode.MALFORMED_DOCUMENT, "not an appointment ticket")
        document, _ = self._app.keys.did_document()
        checks = CredentialChecks(resolver=DidResolver([document]), now=self._app.clock())
        result = verify_credential(ticket, checks)
        if not result.verified:
            codes = result.error_codes()
            code = (
                ErrorCode.INVALID_SIGNATURE
                if ErrorCode.INVALID_SIGNATURE in codes
                else ErrorCode.MALFORMED_DOCUMENT
            )
            raise IssuerFailure(code, "the ticket does not verify: " + ", ".join(c.value for c in codes))
        if ticket.get("issuer") != self._app.keys.did:
            raise IssuerFailure(ErrorCode.INVALID_SIGNATURE, "the ticket was not issued here")
        return ticket

    def _open_slot(self, slot_id: str) -> Slot:
        slot = self._store.appointments.slot(slot_id)
        if slot is None:
            raise not_found("Slot", slot_id)
        if slot.starts_at <= self._app.clock():
            raise invalid_state("Slot", slot_id, "STARTED", "the slot has started")
        return slot

    def _require(self, appointment_id: str) -> Appointment:
        if not appointment_id:
            raise field_invalid("appointment_id", "is required")
        found = self._store.appointments.get(appointment_id)
        if found is None:
            raise not_found(RESOURCE, appointment_id)
        return found

    def _own(self, did: str, appointment_id: str) -> Appointment:
        found = self._require(appointment_id)
        if national_id_of(self._store, did) != found.national_id:
            raise not_found(RESOURCE, appointment_id)
        return found

    def _view(self, appointment: Appointment, slot: Slot | None = None) -> AppointmentView:
        slot = slot or self._store.appointments.slot(appointment.slot_id)
        assert slot is not None  # a foreign key
        ticket = self._store.credentials.get(appointment.credential_id) if appointment.credential_id else None
        missed = (
            appointment.state is AppointmentState.BOOKED and slot_end(slot.starts_at) <= self._app.clock()
        )
        return AppointmentView(
            appointment=appointment,
            slot=slot,
            holder_did=ticket.holder_did if ticket else "",
            ticket_json=ticket.document if ticket else "",
            missed=missed,
        )

    @staticmethod
    def _state_name(view: AppointmentView) -> str:
        return "MISSED" if view.missed else view.appointment.state.value.upper()

    def _audit(
        self, actor: str, action: str, booked: Appointment, slot: Slot, reason: str, conn: Connection
    ) -> None:
        self._store.audit.append(
            actor=actor,
            action=action,
            subject=self._store.audit.citizen(booked.national_id),
            reason=reason,
            details={"appointment_id": booked.id, "slot_id": slot.id, "office_id": slot.office},
            conn=conn,
        )
