"""The wallet's encrypted store: sealed files, PIN rules and lockout, atomic writes, backups.

Pure, synchronous code usable from the TUI and from headless commands alike.
"""

from civid.wallet.store.attempts import LockoutPolicy, PinStatus
from civid.wallet.store.backup import read_backup, write_backup
from civid.wallet.store.errors import (
    BackupCorrupted,
    InvalidPin,
    PinRetryTooSoon,
    StoreCorrupted,
    StoreLocked,
    WrongPassphrase,
    WrongPin,
)
from civid.wallet.store.kdf import BACKUP_KDF, FAST_KDF, STORE_KDF, KdfParams
from civid.wallet.store.pin import validate_backup_secret, validate_pin
from civid.wallet.store.store import EncryptedStore, pin_status

__all__ = [
    "BACKUP_KDF",
    "FAST_KDF",
    "STORE_KDF",
    "BackupCorrupted",
    "EncryptedStore",
    "InvalidPin",
    "KdfParams",
    "LockoutPolicy",
    "PinRetryTooSoon",
    "PinStatus",
    "StoreCorrupted",
    "StoreLocked",
    "WrongPassphrase",
    "WrongPin",
    "pin_status",
    "read_backup",
    "validate_backup_secret",
    "validate_pin",
    "write_backup",
]
