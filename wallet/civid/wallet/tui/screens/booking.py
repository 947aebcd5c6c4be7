"""Appointments (ขอรับบริการล่วงหน้า): choose a service and a district office, Enter shows its free
slots, Enter on a slot books it (the signed ticket is held in the wallet); the holder's bookings below,
Ctrl+L cancels the highlighted one."""

from __future__ import annotations

from typing import Any, ClassVar, Final

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Select

from civid.wallet.services import eservices_b as es
from civid.wallet.tui.messages import CredentialsChanged
from civid.wallet.tui.screens.eservice_base import Confirm, EServiceScreen, local_time, localized, short_state

OFFICE_COLUMNS: Final = ("office", "province")
SLOT_COLUMNS: Final = ("start", "end", "available")
BOOKING_COLUMNS: Final = ("state", "when", "where", "service")


class BookingScreen(EServiceScreen):
    PREFIX = "booking"
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "app.pop_screen", "Back"),
        ("ctrl+r", "refresh", "Refresh"),
        ("ctrl+l", "cancel", "Cancel booking"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.offices: dict[str, dict[str, Any]] = {}
        self.slots: dict[str, dict[str, Any]] = {}
        self.bookings: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="booking-form"):
            options = [(self.label(f"booking.service.{s}"), s) for s in es.SERVICES]
            yield Select(options, value=es.SERVICES[0], allow_blank=False, compact=True, id="booking-service")
            yield from self.status_line()
            yield DataTable(id="offices", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="slots", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="bookings", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.columns("offices", OFFICE_COLUMNS)
        self.columns("slots", SLOT_COLUMNS)
        self.columns("bookings", BOOKING_COLUMNS)
        self.query_one("#offices").focus()
        self.action_refresh()

    def service(self) -> str:
        return str(self.query_one("#booking-service", Select).value)

    def action_refresh(self) -> None:
        self._refresh()

    @work(exclusive=True)
    async def _refresh(self) -> None:
        try:
            with self.progress("booking.loading"):
                offices = await es.list_offices(self.wallet)
            self.offices = {o["officeId"]: o for o in offices}
            self.fill("offices", [(key, self._office_cells(o)) for key, o in self.offices.items()])
            await self._load_bookings()
        except Exception as exc:
            self.report(exc)

    def _office_cells(self, office: dict[str, Any]) -> tuple[str, ...]:
        return (localized(office.get("name"), self.language), office.get("province", ""))

    async def _load_bookings(self) -> None:
        with self.progress("booking.loading"):
            found = await es.list_bookings(self.wallet)
        self.bookings = {b["appointmentId"]: b for b in found}
        self.fill("bookings", [(key, self._booking_cells(b)) for key, b in self.bookings.items()])
        self.status(self.label("booking.count").format(count=len(found)))

    def _booking_cells(self, booking: dict[str, Any]) -> tuple[str, ...]:
        slot = booking.get("slot", {})
        office = self.offices.get(slot.get("officeId", ""), {})
        return (
            short_state(booking.get("state", ""), "APPOINTMENT_STATE_"),
            local_time(slot.get("startTime", "")),
            localized(office.get("name"), self.language) or slot.get("officeId", ""),
            self.label(f"booking.service.{short_state(slot.get('purpose', ''), es.PURPOSE_PREFIX)}"),
        )

    def state_of(self, appointment_id: str) -> str:
        """The shown state of a booking (for tests and screen readers)."""
        booking = self.bookings.get(appointment_id, {})
        return short_state(booking.get("state", ""), "APPOINTMENT_STATE_")

    @on(DataTable.RowSelected, "#offices")
    def _office_chosen(self, event: DataTable.RowSelected) -> None:
        self._show_slots(str(event.row_key.value), self.service())

    @on(Select.Changed, "#booking-service")
    def _service_changed(self) -> None:
        table = self.query_one("#offices", DataTable)
        if table.row_count:
            office_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self._show_slots(str(office_id), self.service())

    @work(exclusive=True)
    async def _show_slots(self, office_id: str, service: str) -> None:
        try:
            with self.progress("booking.finding"):
                slots = await es.list_slots(self.wallet, office_id, service)
        except Exception as exc:
            self.report(exc)
            return
        self.slots = {s["slotId"]: s for s in slots}
        self.fill("slots", [(key, self._slot_cells(s)) for key, s in self.slots.items()])
        self.status(self.label("booking.slots").format(count=len(slots)))
        self.query_one("#slots").focus()

    def _slot_cells(self, slot: dict[str, Any]) -> tuple[str, ...]:
        return (
            local_time(slot.get("startTime", "")),
            local_time(slot.get("endTime", ""))[-5:],
            f"{slot.get('available', 0)}/{slot.get('capacity', 0)}",
        )

    @on(DataTable.RowSelected, "#slots")
    def _slot_chosen(self, event: DataTable.RowSelected) -> None:
        slot_id = str(event.row_key.value)
        slot = self.slots[slot_id]
        office = self.offices.get(slot.get("officeId", ""), {})
        question = self.label("booking.confirm.book").format(
            when=local_time(slot.get("startTime", "")), where=localized(office.get("name"), self.language)
        )

        def answered(answer: str | None) -> None:
            if answer is not None:
                self._book(slot_id)

        self.app.push_screen(Confirm(question, self.language), answered)

    @work(exclusive=True)
    async def _book(self, slot_id: str) -> None:
        try:
            with self.progress("booking.booking"):
                _booked, ticket = await es.book(self.wallet, slot_id)
            self.notify(self.label("booking.booked"))
            self.post_message(CredentialsChanged(ticket.id))
            await self._load_bookings()
            self.query_one("#bookings").focus()
        except Exception as exc:
            self.report(exc)

    def action_cancel(self) -> None:
        appointment_id = self.chosen("bookings")
        if appointment_id is None:
            return

        def answered(answer: str | None) -> None:
            if answer is not None:
                self._cancel(appointment_id)

        self.app.push_screen(Confirm(self.label("booking.confirm.cancel"), self.language), answered)

    @work(exclusive=True)
    async def _cancel(self, appointment_id: str) -> None:
        try:
            with self.progress("booking.cancelling"):
                await es.cancel_booking(self.wallet, appointment_id)
            self.notify(self.label("booking.cancelled"))
            await self._load_bookings()
        except Exception as exc:
            self.report(exc)
