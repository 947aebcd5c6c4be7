"""Ed25519 keys (PyNaCl) and their Multikey encodings.

Public key Multikey: ``z`` + base58btc(``0xed 0x01`` ‖ 32-byte key) → ``z6Mk…``.
Secret key Multikey: ``z`` + base58btc(``0x80 0x26`` ‖ 32-byte seed) → ``z3u2…``; the 64-byte
``seed ‖ public key`` form (``zrv…``) some libraries export is accepted on input.

Points are not validated on construction: libsodium's verify rejects small-order and non-canonical
keys itself, so an invalid key can never make a signature verify, and parsing stays cheap.
"""

from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass, field
from typing import Final

import nacl.exceptions
import nacl.signing

from civid.core.crypto.multibase import MultibaseError, decode_base58btc, encode_base58btc
from civid.core.errors import CividError, ErrorCode

ED25519_PUB_HEADER: Final = b"\xed\x01"
ED25519_PRIV_HEADER: Final = b"\x80\x26"
PUBLIC_KEY_SIZE: Final = 32
SEED_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64


@dataclass(frozen=True)
class Ed25519PublicKey:
    """A 32-byte Ed25519 public key; keeps its PyNaCl verifier so repeated verifies are cheap."""

    raw: bytes
    _verify_key: nacl.signing.VerifyKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.raw, bytes) or len(self.raw) != PUBLIC_KEY_SIZE:
            raise CividError(ErrorCode.INVALID_KEY, f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes")
        object.__setattr__(self, "_verify_key", nacl.signing.VerifyKey(self.raw))

    @classmethod
    def from_multikey(cls, value: str) -> Ed25519PublicKey:
        """Parse ``z6Mk…``: base58btc, header ``0xed01``, exactly 32 key bytes."""
        data = _decode_key_multibase(value, "public key")
        if data[:2] != ED25519_PUB_HEADER:
            raise CividError(ErrorCode.INVALID_KEY, "public key multikey lacks the Ed25519 header 0xed01")
        if len(data) != 2 + PUBLIC_KEY_SIZE:
            raise CividError(
                ErrorCode.INVALID_KEY,
                f"Ed25519 public key must be {PUBLIC_KEY_SIZE} bytes, got {len(data) - 2}",
            )
        return cls(data[2:])

    @functools.cached_property
    def multikey(self) -> str:
        """The ``publicKeyMultibase`` value, ``z6Mk…`` (computed once)."""
        return encode_base58btc(ED25519_PUB_HEADER + self.raw)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True when ``signature`` (exactly 64 bytes) is a valid Ed25519 signature of ``message``."""
        if not isinstance(signature, bytes) or len(signature) != SIGNATURE_SIZE:
            return False
        try:
            self._verify_key.verify(message, signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError, TypeError, ValueError):
            return False
        return True

    def __bytes__(self) -> bytes:
        return self.raw


@dataclass(frozen=True, eq=False)
class Ed25519KeyPair:
    """An Ed25519 signing key: the 32-byte seed, its public key and a PyNaCl signer."""

    seed: bytes = field(repr=False)
    public_key: Ed25519PublicKey = field(init=False)
    _signing_key: nacl.signing.SigningKey = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.seed, bytes) or len(self.seed) != SEED_SIZE:
            raise CividError(ErrorCode.INVALID_KEY, f"an Ed25519 seed is {SEED_SIZE} bytes")
        signing_key = nacl.signing.SigningKey(self.seed)
        object.__setattr__(self, "_signing_key", signing_key)
        object.__setattr__(self, "public_key", Ed25519PublicKey(bytes(signing_key.verify_key)))

    @classmethod
    def generate(cls) -> Ed25519KeyPair:
        """A fresh random key pair."""
        return cls(bytes(nacl.signing.SigningKey.generate()))

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519KeyPair:
        """The key pair for a 32-byte seed (RFC 8032 secret key)."""
        return cls(seed)

    @classmethod
    def from_secret_multikey(cls, value: str) -> Ed25519KeyPair:
        """Parse ``0x8026 ‖ seed`` (``z3u2…``) or ``0x8026 ‖ seed ‖ public key`` (``zrv…``)."""
        data = _decode_key_multibase(value, "secret key")
        if data[:2] != ED25519_PRIV_HEADER:
            raise CividError(ErrorCode.INVALID_KEY, "secret key multikey lacks the Ed25519 header 0x8026")
        body = data[2:]
        if len(body) not in (SEED_SIZE, SEED_SIZE + PUBLIC_KEY_SIZE):
            raise CividError(
                ErrorCode.INVALID_KEY, f"Ed25519 secret key must be 32 or 64 bytes, got {len(body)}"
            )
        pair = cls(body[:SEED_SIZE])
        if len(body) > SEED_SIZE and not hmac.compare_digest(body[SEED_SIZE:], pair.public_key.raw):
            raise CividError(ErrorCode.INVALID_KEY, "secret key multikey holds a non-matching public key")
        return pair

    @property
    def secret_multikey(self) -> str:
        """The ``secretKeyMultibase`` value (``0x8026 ‖ seed``), ``z3u2…``. Keep it secret."""
        return encode_base58btc(ED25519_PRIV_HEADER + self.seed)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message`` (pure EdDSA, deterministic)."""
        return bytes(self._signing_key.sign(message).signature)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ed25519KeyPair):
            return NotImplemented
        return hmac.compare_digest(self.seed, other.seed)

    def __hash__(self) -> int:
        return hash(self.public_key)


def _decode_key_multibase(value: str, what: str) -> bytes:
    try:
        return decode_base58btc(value)
    except MultibaseError as exc:
        raise CividError(ErrorCode.INVALID_KEY, f"{what} multikey is not base58btc multibase: {exc}") from exc
