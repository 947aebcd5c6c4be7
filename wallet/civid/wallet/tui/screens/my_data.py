"""My data: every claim of every held credential, the raw JSON, and export of the credential file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Static

from civid.wallet.domain import flatten_claims
from civid.wallet.services.records import export_credential
from civid.wallet.services.status import main_credential
from civid.wallet.tui.screens.base import WalletScreen


class MyDataScreen(WalletScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "app.pop_screen", "Back"),
        ("j", "toggle_json", "Raw JSON"),
        ("x", "export", "Export"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="claims", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="raw"):
            yield Static(id="raw-json")
        yield Input(placeholder="export to file (Enter)", id="export-path")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#claims", DataTable)
        table.add_columns("Credential", "Claim", "Value")
        for held in self.wallet.credentials():
            for line in flatten_claims(held.subject, self.language):
                # Text, not str: a value such as "did:key:…" is data, never markup or an emoji code
                table.add_row(held.primary_type, line.label, Text(line.value))
        self.query_one("#raw").display = False
        self.query_one("#export-path").display = False

    def action_toggle_json(self) -> None:
        raw = self.query_one("#raw")
        raw.display = not raw.display
        self.query_one("#claims").display = not raw.display
        if raw.display:
            documents = [held.document for held in self.wallet.credentials()]
            text = json.dumps(documents, ensure_ascii=False, indent=2)
            self.query_one("#raw-json", Static).update(Syntax(text, "json", word_wrap=True))

    def action_export(self) -> None:
        field = self.query_one("#export-path", Input)
        field.display = True
        field.value = str(Path.cwd() / "national-id-credential.json")
        field.focus()

    @on(Input.Submitted, "#export-path")
    def _export(self, event: Input.Submitted) -> None:
        try:
            path = export_credential(main_credential(self.wallet), Path(event.value.strip()))
        except Exception as exc:
            self.report(exc)
            return
        event.input.display = False
        self.notify(f"exported to {path}")
