"""Enrol: issuer address, national ID (checked as typed), laser code and a selfie chosen from files."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Footer, Header, Input, Label, LoadingIndicator

from civid.wallet.services.enrol import enrol, read_selfie
from civid.wallet.tui.messages import CredentialsChanged
from civid.wallet.tui.screens.base import WalletScreen
from civid.wallet.tui.widgets.national_id_input import NationalIdInput


class FilePicker(ModalScreen[Path | None]):
    """Pick an image file; Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "cancel", "Cancel")]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start

    def compose(self) -> ComposeResult:
        yield Label("เลือกรูปเซลฟี · Choose your selfie (Enter selects)")
        yield DirectoryTree(self.start, id="picker")
        yield Footer()

    @on(DirectoryTree.FileSelected)
    def _chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(event.path)

    def action_cancel(self) -> None:
        self.dismiss(None)


class EnrolScreen(WalletScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "app.pop_screen", "Back"),
        ("ctrl+o", "pick_selfie", "Choose selfie"),
        ("ctrl+s", "submit", "Enrol"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="enrol-form"):
            yield Label("ผู้ออกบัตร · Issuer address")
            yield Input(self.wallet.settings().issuer_address, id="issuer")
            yield Label("เลขประจำตัวประชาชน · National ID")
            yield NationalIdInput(id="national-id")
            yield Label("เลขหลังบัตร · Laser code")
            yield Input(placeholder="JT0-1234567-89", id="laser-code")
            yield Label("รูปเซลฟี · Selfie (Ctrl+O to browse)")
            yield Input(placeholder="/path/to/selfie.jpg", id="selfie")
            with Horizontal():
                yield Button("ลงทะเบียน · Enrol", id="enrol-go", variant="primary")
            yield Label("", id="enrol-progress")
            yield LoadingIndicator(id="enrol-busy")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#enrol-busy").display = False
        self.query_one("#national-id").focus()

    def action_pick_selfie(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is not None:
                self.query_one("#selfie", Input).value = str(path)

        self.app.push_screen(FilePicker(Path.cwd()), chosen)

    @on(Button.Pressed, "#enrol-go")
    def action_submit(self) -> None:
        self._enrol()

    @work(exclusive=True)
    async def _enrol(self) -> None:
        progress, busy = self.query_one("#enrol-progress", Label), self.query_one("#enrol-busy")
        busy.display = True
        try:
            address = self.query_one("#issuer", Input).value.strip()
            if address and address != self.wallet.settings().issuer_address:
                self.wallet.update_settings(issuer_address=address)
            selfie = read_selfie(Path(self.query_one("#selfie", Input).value.strip()))
            held = await enrol(
                self.wallet,
                self.query_one("#national-id", NationalIdInput).value,
                self.query_one("#laser-code", Input).value,
                selfie,
                progress=lambda step: progress.update(f"… {step}"),
            )
        except Exception as exc:
            progress.update("")
            self.report(exc)
        else:
            self.notify("ได้รับบัตรแล้ว · Your national ID card is in the wallet")
            self.post_message(CredentialsChanged(held.id))
            self.app.pop_screen()
        finally:
            busy.display = False
