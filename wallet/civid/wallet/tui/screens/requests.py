"""Requests: the holder's e-service requests (moves, house numbers, appointments) and their status,
kept current by the issuer's WatchCitizenRequests stream in a worker that reconnects when it ends."""

from __future__ import annotations

import asyncio
from typing import ClassVar, Final

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Footer, Header, Label

from civid.core.errors import CividError
from civid.wallet.services.eservices_b import RequestLine, watch_request_lines
from civid.wallet.tui.i18n import t
from civid.wallet.tui.screens.base import WalletScreen

RETRY_SECONDS: Final = 5.0
COLUMNS: Final = ("kind", "state", "details", "event")
"""Column keys; their labels are ``requests.<key>`` in :mod:`civid.wallet.tui.i18n`."""


class RequestsScreen(WalletScreen):
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(self.label("requests.connecting"), id="requests-status")
        yield DataTable(id="requests", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#requests", DataTable)
        for key in COLUMNS:
            table.add_column(self.label(f"requests.{key}"), key=key)
        self.follow()

    @work(exclusive=True)
    async def follow(self) -> None:
        """Follow the stream until the screen closes; reconnect after it ends or fails."""
        while True:
            try:
                async for line in watch_request_lines(self.wallet):
                    self.show(line)
                self.status(self.label("requests.reconnecting"))
            except CividError as exc:
                self.status(self.label("requests.disconnected").format(reason=exc.message))
                await asyncio.sleep(RETRY_SECONDS)
            except Exception as exc:
                self.status(self.label("requests.stopped"))
                self.report(exc)
                return

    def show(self, line: RequestLine | None) -> None:
        """Add or update one request's row; ``None`` marks the end of the snapshot."""
        table = self.query_one("#requests", DataTable)
        if line is None:
            self.status(self.label("requests.count").format(count=table.row_count))
            return
        # Text, not str: a summary (an address, a village name) is data, never markup
        cells = (self.label(f"requests.kind.{line.kind}"), line.state, Text(line.summary), line.event)
        if line.key in table.rows:
            for column, value in zip(COLUMNS, cells, strict=True):
                table.update_cell(line.key, column, value)
        else:
            table.add_row(*cells, key=line.key)
        if line.event in ("CREATED", "UPDATED"):
            self.notify(f"{cells[0]}: {line.state}", title=self.label("requests.changed"))

    def label(self, key: str) -> str:
        """The label ``key`` in the wallet's language."""
        return t(key, self.language)

    def status(self, text: str) -> None:
        self.query_one("#requests-status", Label).update(text)

    def row_states(self) -> dict[str, str]:
        """Each shown request's state by its key (for tests and screen readers)."""
        table = self.query_one("#requests", DataTable)
        return {str(key.value): str(table.get_cell(key, "state")) for key in table.rows}
