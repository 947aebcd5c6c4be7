"""The PIN screen: on first run choose a PIN (twice); afterwards unlock; or restore a backup."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, LoadingIndicator

from civid.wallet.tui.messages import WalletUnlocked
from civid.wallet.tui.screens.base import report

if TYPE_CHECKING:
    from civid.wallet.domain import Wallet


def unlock(store_dir: Path, pin: str, *, first_run: bool) -> Wallet:
    """Create (first run) or open the wallet. Run off the event loop: Argon2id is slow on purpose,
    and the domain and libsodium are first imported here, after the first screen is drawn."""
    from civid.wallet.services.lifecycle import init_wallet, open_wallet

    return init_wallet(store_dir, pin) if first_run else open_wallet(store_dir, pin)


class PinScreen(Screen[None]):
    """Creates or unlocks the wallet in ``store_dir``."""

    BINDINGS: ClassVar[list[BindingType]] = [("ctrl+r", "restore", "Restore a backup")]

    def __init__(self, store_dir: Path, *, first_run: bool) -> None:
        super().__init__()
        self.store_dir = store_dir
        self.first_run = first_run

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="pin-box"):
            if self.first_run:
                yield Label("ตั้งรหัส PIN 6 หลัก · Choose a 6-digit PIN", id="pin-title")
                yield Input(placeholder="PIN", password=True, max_length=6, restrict=r"[0-9]*", id="pin")
                yield Label("ใส่อีกครั้ง · Enter it again")
                yield Input(
                    placeholder="PIN", password=True, max_length=6, restrict=r"[0-9]*", id="pin-again"
                )
            else:
                yield Label("ใส่รหัส PIN · Enter your PIN", id="pin-title")
                yield Input(placeholder="PIN", password=True, max_length=6, restrict=r"[0-9]*", id="pin")
            yield LoadingIndicator(id="pin-busy")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pin-busy").display = False
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _pin_entered(self) -> None:
        if self.first_run:
            self.query_one("#pin-again", Input).focus()
        else:
            self._unlock(self.query_one("#pin", Input).value)

    @on(Input.Submitted, "#pin-again")
    def _pin_confirmed(self) -> None:
        first, again = self.query_one("#pin", Input), self.query_one("#pin-again", Input)
        if first.value != again.value:
            self.notify("รหัส PIN ไม่ตรงกัน · The two PINs differ; type them again", severity="error")
            first.value = again.value = ""
            first.focus()
            return
        self._unlock(first.value)

    @work(exclusive=True)
    async def _unlock(self, pin: str) -> None:
        self.query_one("#pin-busy").display = True
        try:
            wallet = await asyncio.to_thread(unlock, self.store_dir, pin, first_run=self.first_run)
        except Exception as exc:
            report(self, exc)
            self.query_one("#pin", Input).value = ""
            self.query_one("#pin", Input).focus()
        else:
            self.post_message(WalletUnlocked(wallet))
        finally:
            self.query_one("#pin-busy").display = False

    def action_restore(self) -> None:
        from civid.wallet.tui.screens.backup import RestoreScreen

        self.app.push_screen(RestoreScreen(self.store_dir))
