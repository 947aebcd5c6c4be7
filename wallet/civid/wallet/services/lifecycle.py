"""Creating, opening and restoring a wallet."""

from __future__ import annotations

from pathlib import Path

from civid.wallet.domain import Wallet, WalletSettings
from civid.wallet.services.config import store_kdf


def init_wallet(store_dir: Path, pin: str, settings: WalletSettings | None = None) -> Wallet:
    """First run: a new holder key and an empty store sealed under ``pin``."""
    return Wallet.create(store_dir, pin, settings=settings, kdf=store_kdf())


def open_wallet(store_dir: Path, pin: str) -> Wallet:
    """Unlock the store (wrong PINs are counted and delayed)."""
    return Wallet.open(store_dir, pin)


def restore_wallet(backup_file: Path, passphrase: str, store_dir: Path, new_pin: str) -> Wallet:
    """Recreate a wallet from an encrypted backup into an empty directory."""
    return Wallet.restore(backup_file, passphrase, store_dir, new_pin, kdf=store_kdf())
