"""Certified copies (คัดรับรองเอกสาร): request a household extract or a birth record copy, held in the
wallet, and export a held copy as its signed JSON file or as a printable HTML page with a QR code."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Final

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, RadioButton, RadioSet

from civid.core.errors import CividError, ErrorCode
from civid.wallet.domain import HeldCredential
from civid.wallet.services import eservices_a as es
from civid.wallet.tui.messages import CredentialsChanged
from civid.wallet.tui.screens.eservice_base import EServiceScreen, local_time

COPY_TYPES: Final = {"HouseholdRegistrationCredential": "household", "BirthRecordCredential": "birth"}
"""The certified-copy credential types the issuer signs, and the record each copies."""
COLUMNS: Final = ("record", "received_at", "id")
WRITERS: Final[dict[str, Callable[[HeldCredential, Path], Path]]] = {
    ".json": es.write_copy_json,
    ".html": es.write_copy_html,
}


class CopiesScreen(EServiceScreen):
    PREFIX = "copies"
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "app.pop_screen", "Back"),
        ("ctrl+s", "request", "Request copy"),
        ("ctrl+t", "export('.json')", "Save JSON"),
        ("ctrl+g", "export('.html')", "Save page"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="copies-form"):
            with RadioSet(id="copies-record"):
                yield RadioButton(self.label("copies.household"), value=True, id="household")
                yield RadioButton(self.label("copies.birth"), id="birth")
            yield Label(self.label("copies.path_prompt"))
            yield Input(str(Path.cwd() / "certified-copy"), id="copies-path")
            yield from self.status_line()
            yield DataTable(id="copies", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.columns("copies", COLUMNS)
        self.show_held()
        self.query_one("#copies-record").focus()

    def held_copies(self) -> list[HeldCredential]:
        """The certified copies in the wallet, newest first."""
        found = [c for c in self.wallet.credentials() if set(c.types) & COPY_TYPES.keys()]
        return sorted(found, key=lambda c: c.received_at, reverse=True)

    def show_held(self) -> None:
        rows = [
            (c.id, (self._record_label(c), local_time(c.received_at.isoformat()), c.id))
            for c in self.held_copies()
        ]
        self.fill("copies", rows)

    def _record_label(self, held: HeldCredential) -> str:
        record = next(COPY_TYPES[t] for t in held.types if t in COPY_TYPES)
        return self.label(f"copies.{record}")

    def record(self) -> str:
        pressed = self.query_one("#copies-record", RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else "household"

    @on(Input.Submitted, "#copies-path")
    def _path_submitted(self) -> None:
        self.action_export(".json")

    def action_request(self) -> None:
        self._request(self.record())

    @work(exclusive=True)
    async def _request(self, record: str) -> None:
        try:
            with self.progress("copies.requesting"):
                held, reference = await es.request_copy(self.wallet, record)
        except Exception as exc:
            self.report(exc)
            return
        self.show_held()
        self.status(self.label("copies.received").format(reference=reference))
        self.notify(self.label("copies.received").format(reference=reference))
        self.post_message(CredentialsChanged(held.id))

    def action_export(self, suffix: str) -> None:
        copy_id = self.chosen("copies")
        if copy_id is None:
            return
        held = next(c for c in self.held_copies() if c.id == copy_id)
        path = Path(self.query_one("#copies-path", Input).value.strip()).expanduser()
        self._export(held, path.with_suffix(suffix), WRITERS[suffix])

    @work(exclusive=True)
    async def _export(
        self, held: HeldCredential, path: Path, write: Callable[[HeldCredential, Path], Path]
    ) -> None:
        try:
            with self.progress("copies.exporting"):
                try:
                    await asyncio.to_thread(write, held, path)
                except OSError as exc:
                    raise CividError(
                        ErrorCode.FIELD_INVALID,
                        f"cannot write {path}: {exc.strerror}; type another path and try again",
                    ) from exc
        except Exception as exc:
            self.report(exc)
        else:
            self.status(self.label("copies.saved").format(path=path))
            self.notify(self.label("copies.saved").format(path=path))
