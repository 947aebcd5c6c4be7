"""The store's failures: each a :class:`CividError` with its own code and a next step for the citizen."""

from __future__ import annotations

from datetime import datetime

from civid.core.errors import CividError, ErrorCode


class InvalidPin(CividError):
    """The PIN is not exactly 6 digits, or is trivially guessable."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.INVALID_PIN, message)


class WrongPin(CividError):
    """The PIN does not open the store; ``attempts_left`` before the lock, earliest ``retry_after``."""

    def __init__(self, attempts_left: int, retry_after: datetime) -> None:
        super().__init__(
            ErrorCode.WRONG_PIN,
            f"wrong PIN: {attempts_left} attempt(s) left before the wallet locks; "
            f"try again after {retry_after.isoformat(timespec='seconds')}",
        )
        self.attempts_left = attempts_left
        self.retry_after = retry_after


class PinRetryTooSoon(CividError):
    """A PIN was offered before the delay that follows a wrong PIN had passed."""

    def __init__(self, retry_after: datetime, attempts_left: int) -> None:
        super().__init__(
            ErrorCode.PIN_RETRY_TOO_SOON,
            f"wait until {retry_after.isoformat(timespec='seconds')} before trying another PIN "
            f"({attempts_left} attempt(s) left before the wallet locks)",
        )
        self.retry_after = retry_after
        self.attempts_left = attempts_left


class StoreLocked(CividError):
    """Too many wrong PINs: no PIN is tried until ``locked_until``. Nothing has been wiped."""

    def __init__(self, locked_until: datetime) -> None:
        super().__init__(
            ErrorCode.STORE_LOCKED,
            f"too many wrong PINs: the wallet is locked until {locked_until.isoformat(timespec='minutes')}; "
            "nothing has been lost, try again after that time",
        )
        self.locked_until = locked_until


class StoreCorrupted(CividError):
    """The store (or its PIN-attempts file) was modified or damaged and cannot be trusted."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            ErrorCode.STORE_CORRUPTED,
            f"the wallet store is damaged or was modified ({detail}); it has not been changed: "
            "restore your backup into a new store directory (civid wallet restore), "
            "or re-enrol at a district office",
        )


class WrongPassphrase(CividError):
    """The backup does not open with this passphrase (or PIN)."""

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.WRONG_PASSPHRASE,
            "the backup does not open with this passphrase; use the passphrase (or PIN) chosen "
            "when the backup was made",
        )


class BackupCorrupted(CividError):
    """The backup file is not a civid backup, or was modified or damaged."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            ErrorCode.BACKUP_CORRUPTED,
            f"the backup file is damaged or was modified ({detail}); use another copy of your backup",
        )
