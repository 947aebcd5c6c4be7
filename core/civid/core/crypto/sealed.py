"""Secrets at rest: a passphrase-derived key (Argon2id) and authenticated encryption (XSalsa20-Poly1305).

Wallet stores, the issuer's signing key and face templates are sealed with :func:`seal` and read back
with :func:`open_sealed`. A blob is ``nonce (24 bytes) ‖ ciphertext+MAC``; the nonce is random per call.
"""

from __future__ import annotations

from typing import Final

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from nacl.pwhash import argon2id

SecretKey = bytes
"""A 32-byte symmetric key for :func:`seal` / :func:`open_sealed`."""

KEY_SIZE: Final = nacl.secret.SecretBox.KEY_SIZE
SALT_SIZE: Final = argon2id.SALTBYTES

OPSLIMIT_INTERACTIVE: Final = argon2id.OPSLIMIT_INTERACTIVE
MEMLIMIT_INTERACTIVE: Final = argon2id.MEMLIMIT_INTERACTIVE
OPSLIMIT_MODERATE: Final = argon2id.OPSLIMIT_MODERATE
MEMLIMIT_MODERATE: Final = argon2id.MEMLIMIT_MODERATE
# Fast and weak: only for tests.
OPSLIMIT_FAST: Final = argon2id.OPSLIMIT_MIN
MEMLIMIT_FAST: Final = argon2id.MEMLIMIT_MIN


class SealedBoxError(Exception):
    """A sealed blob could not be opened: wrong key, truncated or tampered data."""


def new_salt() -> bytes:
    """A fresh random salt for :func:`derive_key`; store it beside the sealed data."""
    return nacl.utils.random(SALT_SIZE)


def new_key() -> SecretKey:
    """A fresh random key, for secrets not protected by a passphrase."""
    return nacl.utils.random(KEY_SIZE)


def derive_key(
    passphrase: str,
    salt: bytes,
    *,
    opslimit: int = OPSLIMIT_INTERACTIVE,
    memlimit: int = MEMLIMIT_INTERACTIVE,
) -> SecretKey:
    """Derive a 32-byte key from ``passphrase`` with Argon2id; the same inputs give the same key."""
    if len(salt) != SALT_SIZE:
        raise ValueError(f"salt must be {SALT_SIZE} bytes, got {len(salt)}")
    return argon2id.kdf(KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit=opslimit, memlimit=memlimit)


def seal(key: SecretKey, plaintext: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` under ``key`` with a random nonce."""
    return bytes(_box(key).encrypt(plaintext))


def open_sealed(key: SecretKey, blob: bytes) -> bytes:
    """Decrypt a blob made by :func:`seal`; raise :class:`SealedBoxError` if it does not authenticate."""
    box = _box(key)
    if len(blob) < nacl.secret.SecretBox.NONCE_SIZE + nacl.secret.SecretBox.MACBYTES:
        raise SealedBoxError("sealed data is truncated")
    try:
        return box.decrypt(blob)
    except nacl.exceptions.CryptoError as exc:
        raise SealedBoxError("sealed data does not open with this key (wrong key or tampered data)") from exc


def _box(key: SecretKey) -> nacl.secret.SecretBox:
    if len(key) != KEY_SIZE:
        raise SealedBoxError(f"key must be {KEY_SIZE} bytes, got {len(key)}")
    return nacl.secret.SecretBox(key)
