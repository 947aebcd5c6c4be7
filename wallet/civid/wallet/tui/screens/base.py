"""What every screen after the PIN shares: the open wallet, its language, and error reporting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import BindingType
from textual.screen import Screen

from civid.core.errors import CividError

if TYPE_CHECKING:
    from civid.wallet.domain import Language, Wallet


def report(screen: Screen[Any], error: BaseException) -> None:
    """Show a failure as a notification with its next step; never a traceback."""
    if isinstance(error, CividError):
        screen.notify(error.message, title=error.code.value, severity="error", timeout=10)
    else:
        screen.notify(
            f"something went wrong ({type(error).__name__}); try again, and if it persists restart the wallet",
            title="error",
            severity="error",
            timeout=10,
        )


class WalletScreen(Screen[None]):
    """A screen shown while the wallet is unlocked."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "app.pop_screen", "Back")]

    @property
    def wallet(self) -> Wallet:
        wallet: Wallet | None = getattr(self.app, "wallet", None)
        assert wallet is not None, "screens after the PIN screen exist only while the wallet is open"
        return wallet

    @property
    def language(self) -> Language:
        return self.wallet.settings().language

    def report(self, error: BaseException) -> None:
        report(self, error)
