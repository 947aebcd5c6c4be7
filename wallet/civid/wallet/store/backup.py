"""Encrypted backup files: the whole store payload (holder key included) sealed under a passphrase.

A backup uses the same container format as the store (:mod:`.container`) with its own magic, and the
moderate Argon2id profile. The passphrase may be the wallet PIN, but a PIN-sealed backup file can be
guessed offline in at most 10^6 Argon2id runs: a 10+ character passphrase is the safer choice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from civid.core.crypto import sealed
from civid.core.errors import CividError, ErrorCode
from civid.wallet.store.atomic import atomic_write
from civid.wallet.store.container import ContainerDamaged, parse_container, seal_container
from civid.wallet.store.errors import BackupCorrupted, WrongPassphrase
from civid.wallet.store.kdf import BACKUP_KDF, KdfParams
from civid.wallet.store.pin import validate_backup_secret

BACKUP_MAGIC: Final = b"CIVIDBAK"


def write_backup(
    path: Path, payload: bytes, passphrase: str, *, kdf: KdfParams = BACKUP_KDF, overwrite: bool = False
) -> None:
    """Seal ``payload`` under ``passphrase`` into ``path`` (atomically; refuses to overwrite by default)."""
    validate_backup_secret(passphrase)
    if path.exists() and not overwrite:
        raise CividError(ErrorCode.ALREADY_EXISTS, f"{path} already exists; choose another file name")
    salt = sealed.new_salt()
    atomic_write(path, seal_container(BACKUP_MAGIC, kdf.derive(passphrase, salt), kdf, salt, payload))


def read_backup(path: Path, passphrase: str) -> bytes:
    """The payload of a backup; :class:`WrongPassphrase` and :class:`BackupCorrupted` are distinct."""
    try:
        container = parse_container(BACKUP_MAGIC, path.read_bytes())
    except FileNotFoundError as exc:
        raise CividError(ErrorCode.NOT_FOUND, f"no backup file at {path}") from exc
    except ContainerDamaged as exc:
        raise BackupCorrupted(str(exc)) from exc
    key = container.kdf.derive(passphrase, container.salt)
    if not container.key_matches(key):
        raise WrongPassphrase()
    try:
        return container.open(key)
    except ContainerDamaged as exc:
        raise BackupCorrupted(str(exc)) from exc
