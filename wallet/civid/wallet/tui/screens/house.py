"""House number (ขอเลขที่บ้าน): the holder's applications for a newly built house; apply with the
form (location, plot, building permit, optional photos), withdraw one, collect the approved house's
credential."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Final

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Label

from civid.core.errors import CividError, ErrorCode
from civid.wallet.services import eservices_b as es
from civid.wallet.tui.messages import CredentialsChanged
from civid.wallet.tui.screens.eservice_base import Confirm, EServiceScreen, local_time, short_state

COLUMNS: Final = ("state", "where", "house", "submitted")
FIELDS: Final = (
    "sub_district",
    "district",
    "province",
    "postal_code",
    "land_title_number",
    "building_permit_number",
    "moo",
    "village",
    "soi",
    "road",
    "latitude",
    "longitude",
)
"""The form's fields: NewHouse's, in its order (the first six are required by the issuer)."""
STATE_PREFIX: Final = "HOUSE_NUMBER_APPLICATION_STATE_"


class HouseScreen(EServiceScreen):
    PREFIX = "house"
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "app.pop_screen", "Back"),
        ("ctrl+n", "apply", "New application"),
        ("ctrl+r", "refresh", "Refresh"),
        ("ctrl+l", "cancel", "Withdraw"),
        ("ctrl+g", "collect", "Collect"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.applications: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="house-list"):
            yield Label(self.label("house.intro"))
            yield from self.status_line()
            yield DataTable(id="houses", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.columns("houses", COLUMNS)
        self.query_one("#houses").focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.query_one("#houses", DataTable).columns:
            self.action_refresh()

    def action_refresh(self) -> None:
        self._refresh()

    @work(exclusive=True)
    async def _refresh(self) -> None:
        try:
            with self.progress("house.loading"):
                found = await es.list_house_applications(self.wallet)
        except Exception as exc:
            self.report(exc)
            return
        self.applications = {a["applicationId"]: a for a in found}
        self.fill("houses", [(key, self._cells(a)) for key, a in self.applications.items()])
        self.status(self.label("house.count").format(count=len(found)))

    def _cells(self, application: dict[str, Any]) -> tuple[str, ...]:
        location = application.get("location", {})
        return (
            short_state(application.get("state", ""), STATE_PREFIX),
            f"{location.get('village', '')} {location.get('district', '')}".strip(),
            application.get("allocatedAddress", {}).get("houseCode", ""),
            local_time(application.get("createTime", "")),
        )

    def state_of(self, application_id: str) -> str:
        """The shown state of an application (for tests and screen readers)."""
        return short_state(self.applications.get(application_id, {}).get("state", ""), STATE_PREFIX)

    def action_apply(self) -> None:
        self.app.push_screen(HouseFormScreen())

    def action_cancel(self) -> None:
        application_id = self.chosen("houses")
        if application_id is None:
            return

        def answered(answer: str | None) -> None:
            if answer is not None:
                self._cancel(application_id)

        self.app.push_screen(Confirm(self.label("house.confirm.cancel"), self.language), answered)

    @work(exclusive=True)
    async def _cancel(self, application_id: str) -> None:
        try:
            with self.progress("house.cancelling"):
                await es.cancel_house_application(self.wallet, application_id)
        except Exception as exc:
            self.report(exc)
        else:
            self.action_refresh()

    def action_collect(self) -> None:
        application_id = self.chosen("houses")
        if application_id is not None:
            self._collect(application_id)

    @work(exclusive=True)
    async def _collect(self, application_id: str) -> None:
        try:
            with self.progress("house.collecting"):
                held = await es.collect_house_credential(self.wallet, application_id)
        except Exception as exc:
            self.report(exc)
        else:
            self.status(self.label("house.collected"))
            self.notify(self.label("house.collected"))
            self.post_message(CredentialsChanged(held.id))


class HouseFormScreen(EServiceScreen):
    """The application form; Ctrl+S sends it and returns to the list."""

    PREFIX = "house-form"
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "app.pop_screen", "Back"),
        ("ctrl+s", "submit", "Apply"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="house-form"):
            for name in FIELDS:
                yield Label(self.label(f"house.field.{name}"))
                yield Input(id=f"house-{name.replace('_', '-')}")
            yield Label(self.label("house.field.photos"))
            yield Input(placeholder="/path/a.jpg, /path/b.jpg", id="house-photos")
            yield from self.status_line()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#house-sub-district").focus()

    def value(self, name: str) -> str:
        return self.query_one(f"#house-{name.replace('_', '-')}", Input).value.strip()

    def new_house(self) -> es.NewHouse:
        """The typed form as a NewHouse (coordinates must be numbers when given)."""
        values: dict[str, Any] = {name: self.value(name) for name in FIELDS}
        for name in ("latitude", "longitude"):
            try:
                values[name] = float(values[name] or 0)
            except ValueError as exc:
                raise CividError(ErrorCode.FIELD_INVALID, f"{name} must be a number such as 13.7367") from exc
        return es.NewHouse(**values)

    def photos(self) -> list[bytes]:
        paths = [Path(p.strip()).expanduser() for p in self.value("photos").split(",") if p.strip()]
        return es.read_photos(paths)

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    def action_submit(self) -> None:
        self._apply()

    @work(exclusive=True)
    async def _apply(self) -> None:
        try:
            house, photos = self.new_house(), self.photos()
            with self.progress("house.applying"):
                submitted = await es.apply_house_number(self.wallet, house, photos)
        except Exception as exc:
            self.report(exc)
        else:
            state = short_state(submitted.get("state", ""), STATE_PREFIX)
            self.notify(self.label("house.applied").format(state=state))
            self.app.pop_screen()
