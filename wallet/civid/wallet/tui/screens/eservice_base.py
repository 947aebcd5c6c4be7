"""What the e-service screens (move, copies, house, booking) share: a status line with a busy
indicator while a call runs, tables of requests keyed by id, and a confirmation dialog."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, Final

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, LoadingIndicator

from civid.wallet.domain import Language
from civid.wallet.tui.i18n import t
from civid.wallet.tui.screens.base import WalletScreen

THAILAND: Final = timezone(timedelta(hours=7), "ICT")


def local_time(stamp: str) -> str:
    """An RFC 3339 timestamp as Thai local time, to the minute ("" stays "")."""
    if not stamp:
        return ""
    return datetime.fromisoformat(stamp).astimezone(THAILAND).strftime("%Y-%m-%d %H:%M")


def short_state(name: str, prefix: str) -> str:
    """An enum value's name without its type prefix ("ADDRESS_CHANGE_STATE_COMPLETED" → "COMPLETED")."""
    return name.removeprefix(prefix)


def localized(text: dict[str, Any] | None, language: Language) -> str:
    """A LocalizedText as JSON, in ``language`` (falling back to English)."""
    text = text or {}
    return str((text.get("th") if language is Language.TH else None) or text.get("en", ""))


class EServiceScreen(WalletScreen):
    """A screen that calls the issuer's e-services: ``#<prefix>-status`` and ``#<prefix>-busy``."""

    PREFIX: ClassVar[str] = "eservice"

    def status_line(self) -> Iterable[Label | LoadingIndicator]:
        yield Label("", id=f"{self.PREFIX}-status")
        busy = LoadingIndicator(id=f"{self.PREFIX}-busy")
        busy.display = False
        yield busy

    def label(self, key: str) -> str:
        """The label ``key`` in the wallet's language."""
        return t(key, self.language)

    def status(self, text: str) -> None:
        self.query_one(f"#{self.PREFIX}-status", Label).update(Text(text))

    @contextmanager
    def progress(self, key: str) -> Iterator[None]:
        """Show the step ``key`` and the busy indicator while the block runs."""
        busy = self.query_one(f"#{self.PREFIX}-busy")
        self.status(f"… {self.label(key)}")
        busy.display = True
        try:
            yield
        finally:
            busy.display = False

    def fill(self, table_id: str, rows: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Replace the rows of ``#table_id`` (cells as plain text, never markup)."""
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear()
        for key, cells in rows:
            table.add_row(*(Text(c) for c in cells), key=key)

    def chosen(self, table_id: str) -> str | None:
        """The key of the highlighted row of ``#table_id``; None (and a hint) when the table is empty."""
        table = self.query_one(f"#{table_id}", DataTable)
        if table.row_count == 0:
            self.notify(self.label("eservice.none_chosen"), severity="warning")
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(key)

    def columns(self, table_id: str, keys: Sequence[str]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        for key in keys:
            table.add_column(self.label(f"{self.PREFIX}.{key}"), key=key)


class Confirm(ModalScreen[str | None]):
    """Ask before a step that cannot be undone: y or Enter confirms, n or Escape keeps things as they are.

    With ``reason`` the dialog asks for a reason too, and dismisses with it ("" without one)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        ("y", "confirm", "Yes"),
        ("n,escape", "cancel", "No"),
    ]

    def __init__(self, question: str, language: Language, *, reason: bool = False) -> None:
        super().__init__()
        self.question = question
        self.language = language
        self.ask_reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(Text(self.question), id="confirm-question")
            if self.ask_reason:
                yield Label(t("eservice.reason", self.language))
                yield Input(id="confirm-reason")
            yield Label(t("eservice.confirm_keys", self.language), id="confirm-keys")

    def on_mount(self) -> None:
        if self.ask_reason:
            self.query_one("#confirm-reason").focus()

    @on(Input.Submitted, "#confirm-reason")
    def action_confirm(self) -> None:
        reason = self.query_one("#confirm-reason", Input).value.strip() if self.ask_reason else ""
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
