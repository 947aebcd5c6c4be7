"""History: every disclosure — who, when, which claims, outcome."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header

from civid.wallet.tui.screens.base import WalletScreen
from civid.wallet.tui.widgets.status_badge import THAILAND


class HistoryScreen(WalletScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        table.add_columns("When", "Who", "Outcome", "Claims")
        for d in self.wallet.history():
            when = d.at.astimezone(THAILAND).strftime("%Y-%m-%d %H:%M")
            # Text, not str: the relying party's name comes from the verifier and is never markup
            table.add_row(when, Text(d.relying_party_name), d.outcome.value, Text(", ".join(d.claims)))
