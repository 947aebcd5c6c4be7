"""Settings: issuer and verifier addresses, TLS and CA file, and the labels' language."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select

from civid.wallet.domain import Language
from civid.wallet.tui.screens.base import WalletScreen


class SettingsScreen(WalletScreen):
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "app.pop_screen", "Back"), ("ctrl+s", "save", "Save")]

    def compose(self) -> ComposeResult:
        s = self.wallet.settings()
        yield Header()
        with VerticalScroll(id="settings-form"):
            yield Label("Issuer address")
            yield Input(s.issuer_address, id="issuer")
            yield Label("Verifier address")
            yield Input(s.verifier_address, id="verifier")
            yield Checkbox("TLS", s.tls, id="tls")
            yield Label("CA file (PEM), empty for the system roots")
            yield Input(str(s.ca_file or ""), id="ca-file")
            yield Select(
                [("ไทย", Language.TH), ("English", Language.EN)],
                value=s.language,
                id="language",
                allow_blank=False,
            )
            yield Button("Save (Ctrl+S)", id="save", variant="primary")
        yield Footer()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        ca = self.query_one("#ca-file", Input).value.strip()
        try:
            self.wallet.update_settings(
                issuer_address=self.query_one("#issuer", Input).value.strip(),
                verifier_address=self.query_one("#verifier", Input).value.strip(),
                tls=self.query_one("#tls", Checkbox).value,
                ca_file=Path(ca) if ca else None,
                language=Language(str(self.query_one("#language", Select).value)),
            )
        except Exception as exc:
            self.report(exc)
            return
        self.notify("saved")
        self.app.pop_screen()
