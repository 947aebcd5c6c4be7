"""The sealed file format shared by the store and by backups.

Layout (all integers big-endian)::

    header  = magic (8) ‖ version (u16) ‖ opslimit (u32) ‖ memlimit (u64) ‖ salt (16)
              ‖ key-check length (u16) ‖ key check
    file    = header ‖ body ‖ SHA-256(header ‖ body)

``key check`` is ``seal(key, KEY_CHECK)``: whether it opens tells a wrong secret apart from a damaged
body. ``body`` is ``seal(key, SHA-256(header) ‖ payload)``, so the header is authenticated too (checked
after opening). The unkeyed SHA-256 trailer makes accidental damage and naive edits read as "damaged"
before any Argon2id work and without counting as a wrong PIN; it is no defence against a deliberate
forger, who is stopped by the key check and the body's MAC instead. Such a forger (one who can write
the file) can make the right secret look wrong by replacing the key check or the salt: that denies
service, as deleting the file would, but never opens or alters the contents.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass
from typing import Final

from civid.core.crypto import sealed
from civid.wallet.store.kdf import KdfParams

FORMAT_VERSION: Final = 1
KEY_CHECK: Final = b"civid sealed-container key check v1"
_FIXED: Final = struct.Struct(">8sHIQ16sH")
_DIGEST_SIZE: Final = hashlib.sha256().digest_size


class ContainerDamaged(Exception):
    """The bytes are not an intact container of the expected kind; the message says what is wrong."""


@dataclass(frozen=True)
class Container:
    """A parsed, not yet opened container."""

    header: bytes
    kdf: KdfParams
    salt: bytes
    key_check: bytes
    body: bytes

    def key_matches(self, key: sealed.SecretKey) -> bool:
        """True when ``key`` was the key this container was sealed with."""
        try:
            return hmac.compare_digest(sealed.open_sealed(key, self.key_check), KEY_CHECK)
        except sealed.SealedBoxError:
            return False

    def open(self, key: sealed.SecretKey) -> bytes:
        """The payload; raise :class:`ContainerDamaged` if the body or header fails authentication."""
        try:
            plaintext = sealed.open_sealed(key, self.body)
        except sealed.SealedBoxError as exc:
            raise ContainerDamaged("the encrypted contents fail authentication") from exc
        bound, payload = plaintext[:_DIGEST_SIZE], plaintext[_DIGEST_SIZE:]
        if not hmac.compare_digest(bound, hashlib.sha256(self.header).digest()):
            raise ContainerDamaged("the header does not belong to the encrypted contents")
        return payload


def seal_container(magic: bytes, key: sealed.SecretKey, kdf: KdfParams, salt: bytes, payload: bytes) -> bytes:
    """Build a whole container file for ``payload``."""
    key_check = sealed.seal(key, KEY_CHECK)
    header = _FIXED.pack(magic, FORMAT_VERSION, kdf.opslimit, kdf.memlimit, salt, len(key_check)) + key_check
    body = sealed.seal(key, hashlib.sha256(header).digest() + payload)
    return header + body + hashlib.sha256(header + body).digest()


def parse_container(magic: bytes, data: bytes) -> Container:
    """Check the magic, version, bounds and trailer digest; the contents stay sealed."""
    if len(data) < _FIXED.size + _DIGEST_SIZE:
        raise ContainerDamaged("the file is truncated")
    found_magic, version, opslimit, memlimit, salt, check_len = _FIXED.unpack_from(data)
    if found_magic != magic:
        raise ContainerDamaged("the file is not of the expected kind")
    if version != FORMAT_VERSION:
        raise ContainerDamaged(f"format version {version} is not supported by this program")
    header_end = _FIXED.size + check_len
    content, trailer = data[:-_DIGEST_SIZE], data[-_DIGEST_SIZE:]
    if header_end > len(content):
        raise ContainerDamaged("the file is truncated")
    if not hmac.compare_digest(trailer, hashlib.sha256(content).digest()):
        raise ContainerDamaged("the file's checksum does not match its contents")
    kdf = KdfParams(opslimit, memlimit)
    if not kdf.within_bounds:
        raise ContainerDamaged("the key-derivation parameters are out of range")
    return Container(content[:header_end], kdf, salt, content[_FIXED.size : header_end], content[header_end:])
