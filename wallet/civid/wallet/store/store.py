"""The encrypted wallet store: one sealed file in a directory, opened with a 6-digit PIN.

Directory layout: ``wallet.civid`` (the sealed container, see :mod:`.container`),
``pin-attempts.json`` (the wrong-PIN counter, see :mod:`.attempts`) and ``.lock``. The store holds
opaque bytes; the wallet's domain layer decides what they mean.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from civid.core.crypto import sealed
from civid.core.errors import CividError, ErrorCode
from civid.wallet.store.atomic import atomic_write, remove_stale_temp_files
from civid.wallet.store.attempts import DEFAULT_POLICY, AttemptsFile, Clock, LockoutPolicy, PinStatus, utc_now
from civid.wallet.store.container import Container, ContainerDamaged, parse_container, seal_container
from civid.wallet.store.errors import InvalidPin, PinRetryTooSoon, StoreCorrupted, StoreLocked, WrongPin
from civid.wallet.store.kdf import STORE_KDF, KdfParams
from civid.wallet.store.layout import ATTEMPTS_FILE_NAME, store_exists, store_file
from civid.wallet.store.lock import directory_lock
from civid.wallet.store.pin import PIN_LENGTH, validate_pin

STORE_MAGIC: Final = b"CIVIDWLT"


def attempts_file(directory: Path, policy: LockoutPolicy) -> AttemptsFile:
    return AttemptsFile(directory / ATTEMPTS_FILE_NAME, policy)


class EncryptedStore:
    """An unlocked store: keeps the derived key (never the PIN) and reads or rewrites the payload."""

    def __init__(self, directory: Path, key: sealed.SecretKey, kdf: KdfParams, salt: bytes) -> None:
        self.directory = directory
        self._key = key
        self._kdf = kdf
        self._salt = salt

    @staticmethod
    def exists(directory: Path) -> bool:
        return store_exists(directory)

    @classmethod
    def create(
        cls, directory: Path, pin: str, payload: bytes, *, kdf: KdfParams = STORE_KDF
    ) -> EncryptedStore:
        """Create a new store holding ``payload``; refuse if ``directory`` already has one."""
        validate_pin(pin)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with directory_lock(directory):
            if cls.exists(directory):
                raise CividError(ErrorCode.ALREADY_EXISTS, f"{directory} already holds a wallet store")
            attempts_file(directory, DEFAULT_POLICY).reset()
            salt = sealed.new_salt()
            store = cls(directory, kdf.derive(pin, salt), kdf, salt)
            store._write_locked(payload)
        return store

    @classmethod
    def unlock(
        cls, directory: Path, pin: str, *, policy: LockoutPolicy = DEFAULT_POLICY, clock: Clock = utc_now
    ) -> EncryptedStore:
        """Open the store with ``pin``, counting the attempt first and refusing it while locked."""
        if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
            raise InvalidPin("the PIN must be exactly 6 digits (0-9)")
        _require_store(directory)
        with directory_lock(directory):
            remove_stale_temp_files(store_file(directory))
            remove_stale_temp_files(directory / ATTEMPTS_FILE_NAME)
            container = _read_container(directory)
            key = _check_pin(container, pin, attempts_file(directory, policy), clock)
            store = cls(directory, key, container.kdf, container.salt)
            store._open(container)
        return store

    def read(self) -> bytes:
        """The current payload, read fresh from disk (another process may have changed it)."""
        with directory_lock(self.directory):
            return self._read_locked()

    def write(self, payload: bytes) -> None:
        """Replace the payload atomically."""
        with directory_lock(self.directory):
            self._write_locked(payload)

    def update(self, change: Callable[[bytes], bytes]) -> bytes:
        """Read, apply ``change`` and write back under one lock; return the new payload."""
        with directory_lock(self.directory):
            payload = change(self._read_locked())
            self._write_locked(payload)
            return payload

    def change_pin(self, new_pin: str, *, kdf: KdfParams | None = None) -> EncryptedStore:
        """Re-seal the store under ``new_pin`` with a fresh salt; this object becomes stale."""
        validate_pin(new_pin)
        salt, params = sealed.new_salt(), kdf or self._kdf
        replacement = EncryptedStore(self.directory, params.derive(new_pin, salt), params, salt)
        with directory_lock(self.directory):
            replacement._write_locked(self._read_locked())
        return replacement

    def _read_locked(self) -> bytes:
        container = _read_container(self.directory)
        if not container.key_matches(self._key):
            raise StoreCorrupted("it was replaced or its PIN changed since it was opened; open it again")
        return self._open(container)

    def _open(self, container: Container) -> bytes:
        try:
            return container.open(self._key)
        except ContainerDamaged as exc:
            raise StoreCorrupted(str(exc)) from exc

    def _write_locked(self, payload: bytes) -> None:
        data = seal_container(STORE_MAGIC, self._key, self._kdf, self._salt, payload)
        atomic_write(store_file(self.directory), data)


def _require_store(directory: Path) -> None:
    if not EncryptedStore.exists(directory):
        raise CividError(
            ErrorCode.NOT_FOUND,
            f"no wallet store in {directory}: create one (civid wallet init) or restore a backup",
        )


def _read_container(directory: Path) -> Container:
    try:
        return parse_container(STORE_MAGIC, store_file(directory).read_bytes())
    except FileNotFoundError as exc:
        raise StoreCorrupted("the store file has disappeared") from exc
    except ContainerDamaged as exc:
        raise StoreCorrupted(str(exc)) from exc


def _check_pin(container: Container, pin: str, attempts: AttemptsFile, clock: Clock) -> sealed.SecretKey:
    now = clock()
    record = attempts.read(now)
    status = record.status(attempts.policy)
    if status.locked_until is not None and status.locked_at(now):
        raise StoreLocked(status.locked_until)
    if status.retry_after is not None and status.waiting_at(now):
        raise PinRetryTooSoon(status.retry_after, status.attempts_left)
    pending = record.failed_at(now)
    attempts.write(pending)  # counted before the work, reset only on success
    key = container.kdf.derive(pin, container.salt)
    if container.key_matches(key):
        attempts.reset()
        return key
    after = pending.status(attempts.policy)
    if after.locked_until is not None:
        raise StoreLocked(after.locked_until)
    raise WrongPin(after.attempts_left, after.retry_after or now)


def pin_status(
    directory: Path, *, policy: LockoutPolicy = DEFAULT_POLICY, clock: Clock = utc_now
) -> PinStatus:
    """Attempts left and any wait or lock, for the PIN screen to show before asking."""
    _require_store(directory)
    with directory_lock(directory):
        return attempts_file(directory, policy).read(clock()).status(policy)
