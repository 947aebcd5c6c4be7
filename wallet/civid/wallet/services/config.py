"""Where the store lives and how costly its key derivation is."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from civid.wallet.store.kdf import KdfParams

STORE_DIR_ENV: Final = "CIVID_WALLET_DIR"
PIN_ENV: Final = "CIVID_WALLET_PIN"
FAST_KDF_ENV: Final = "CIVID_WALLET_INSECURE_FAST_KDF"
"""Set to ``1`` in TESTS ONLY: new stores and backups use libsodium's minimum Argon2id cost, which
makes a 6-digit PIN cheap to brute-force. Never set it for a citizen's wallet."""


def insecure_fast_kdf() -> bool:
    return os.environ.get(FAST_KDF_ENV) == "1"


def store_kdf() -> KdfParams:
    """The Argon2id profile for new stores (the fast one only under the test-only variable)."""
    from civid.wallet.store.kdf import FAST_KDF, STORE_KDF  # libsodium: not needed to start the app

    return FAST_KDF if insecure_fast_kdf() else STORE_KDF


def backup_kdf() -> KdfParams:
    from civid.wallet.store.kdf import BACKUP_KDF, FAST_KDF

    return FAST_KDF if insecure_fast_kdf() else BACKUP_KDF


def default_store_dir() -> Path:
    """``$CIVID_WALLET_DIR`` or ``~/.civid/wallet``."""
    configured = os.environ.get(STORE_DIR_ENV)
    return Path(configured) if configured else Path.home() / ".civid" / "wallet"
