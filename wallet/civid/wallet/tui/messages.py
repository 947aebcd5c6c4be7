"""Typed messages between screens and the App."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from civid.wallet.domain import Wallet


class WalletUnlocked(Message):
    """The PIN (or a restore) opened a wallet: the App shows the home screen."""

    def __init__(self, wallet: Wallet) -> None:
        super().__init__()
        self.wallet = wallet


class CredentialsChanged(Message):
    """A credential was added or its status changed: screens showing cards redraw."""

    def __init__(self, credential_id: str) -> None:
        super().__init__()
        self.credential_id = credential_id
