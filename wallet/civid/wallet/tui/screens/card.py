"""The card: front and back of the national ID credential, with its status refreshed from the issuer."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Label, LoadingIndicator

from civid.core.errors import CividError
from civid.wallet.services.status import main_credential, refresh_status
from civid.wallet.tui.i18n import t
from civid.wallet.tui.screens.base import WalletScreen
from civid.wallet.tui.widgets.id_card import IdCard


class CardScreen(WalletScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "app.pop_screen", "Back"),
        ("f", "flip", "Flip card"),
        ("r", "refresh", "Check status"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_back = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield IdCard(id="card")
            yield Label("", id="card-empty")
        yield LoadingIndicator(id="card-busy")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#card-busy").display = False
        self.redraw()

    def redraw(self) -> None:
        card, empty = self.query_one("#card", IdCard), self.query_one("#card-empty", Label)
        try:
            held = main_credential(self.wallet)
        except CividError:
            card.display, empty.display = False, True
            empty.update(t("card.none", self.language))
            return
        card.display, empty.display = True, False
        card.show(held, self.language, show_back=self.show_back)

    def action_flip(self) -> None:
        self.show_back = not self.show_back
        self.redraw()

    @work(exclusive=True)
    async def action_refresh(self) -> None:
        busy = self.query_one("#card-busy")
        busy.display = True
        try:
            held = await refresh_status(self.wallet)
            self.notify(
                f"{t('card.status', self.language)}: {t('state.' + held.status.state.value, self.language)}"
            )
        except Exception as exc:
            self.report(exc)
        finally:
            busy.display = False
        self.redraw()
