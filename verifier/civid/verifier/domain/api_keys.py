"""Relying-party API keys: ``crp1.<key id>.<secret>``, stored as the SHA-256 of the secret.

The secret is 32 bytes from :mod:`secrets` (256 bits). For a key with that much entropy a single,
fast, unsalted SHA-256 is enough: salts and slow hashes (bcrypt, Argon2) exist to stop guessing of
low-entropy passwords, and nobody can enumerate 2^256 secrets, so a stolen hash table reveals no key.
A fast hash also keeps authentication cheap on every call during a surge.

The key id is public (it finds the row); the secret's hash is compared with
:func:`hmac.compare_digest`, so the time taken does not reveal how much of a guess was right.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Final

from civid.verifier.domain.errors import DomainError, DomainErrorCode

PREFIX: Final = "crp1"
_SECRET_BYTES: Final = 32
_FORMAT: Final = re.compile(r"^crp1\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$")
_DUMMY_HASH: Final = "0" * 64


@dataclass(frozen=True)
class ApiKey:
    """A parsed key; ``plaintext`` is shown once to the relying party and never stored."""

    key_id: str
    secret: str

    @property
    def plaintext(self) -> str:
        return f"{PREFIX}.{self.key_id}.{self.secret}"

    @property
    def secret_sha256(self) -> str:
        return hash_secret(self.secret)


def new_api_key() -> ApiKey:
    return ApiKey(secrets.token_hex(16), secrets.token_urlsafe(_SECRET_BYTES))


def parse_api_key(text: str) -> ApiKey:
    """Parse a presented key; a malformed one is RP_UNAUTHENTICATED like a wrong one."""
    match = _FORMAT.match(text.strip())
    if match is None:
        raise unauthenticated()
    return ApiKey(match.group(1), match.group(2))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def secret_matches(key: ApiKey, stored_sha256: str | None) -> bool:
    """Constant-time comparison; with no stored hash a dummy comparison keeps the timing alike."""
    expected = stored_sha256 if stored_sha256 is not None else _DUMMY_HASH
    same = hmac.compare_digest(key.secret_sha256.encode("ascii"), expected.encode("ascii"))
    return same and stored_sha256 is not None


def unauthenticated() -> DomainError:
    """The one answer for every authentication failure (unknown, malformed, wrong or revoked key)."""
    return DomainError(DomainErrorCode.RP_UNAUTHENTICATED, "the relying party's credentials are not valid")


def certificate_fingerprint(der: bytes) -> str:
    """The SHA-256 of a certificate's DER encoding, lowercase hex (what the registry stores)."""
    return hashlib.sha256(der).hexdigest()
