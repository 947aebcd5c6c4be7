"""The wallet App: shows the PIN screen, then the home screen; everything else lives in screens/.

Only Textual and the PIN screen are imported to start: the domain, the store's cryptography and the
gRPC clients load when the PIN is entered or a screen needs them (bench/bench_wallet_start.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import BindingType

from civid.wallet.store.layout import store_exists
from civid.wallet.tui.messages import CredentialsChanged, WalletUnlocked
from civid.wallet.tui.screens.pin import PinScreen

if TYPE_CHECKING:
    from civid.wallet.domain import Wallet


class WalletApp(App[None]):
    CSS_PATH = "styles.tcss"
    TITLE = "civid wallet · กระเป๋าบัตรประชาชนดิจิทัล"
    BINDINGS: ClassVar[list[BindingType]] = [("ctrl+q", "quit", "Quit")]

    def __init__(self, store_dir: Path) -> None:
        super().__init__()
        self.store_dir = store_dir
        self.wallet: Wallet | None = None

    def on_mount(self) -> None:
        self.push_screen(PinScreen(self.store_dir, first_run=not store_exists(self.store_dir)))

    def on_wallet_unlocked(self, message: WalletUnlocked) -> None:
        from civid.wallet.tui.screens.home import HomeScreen

        self.wallet = message.wallet
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(HomeScreen())

    def on_credentials_changed(self, message: CredentialsChanged) -> None:
        self.log(f"credential changed: {message.credential_id}")
