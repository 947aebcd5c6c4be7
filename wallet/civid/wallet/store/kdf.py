"""Argon2id cost profiles for the store and for backups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from civid.core.crypto import sealed

# Bounds accepted when reading a file's header: a modified header must not make us burn hours or GiBs.
_MAX_OPSLIMIT: Final = 64
_MAX_MEMLIMIT: Final = 4 * 1024**3


@dataclass(frozen=True)
class KdfParams:
    """Argon2id work factors, stored in each file's header so the cost can grow over time."""

    opslimit: int
    memlimit: int

    @property
    def within_bounds(self) -> bool:
        """True when the factors are ones this program would ever write."""
        return (
            sealed.OPSLIMIT_FAST <= self.opslimit <= _MAX_OPSLIMIT
            and sealed.MEMLIMIT_FAST <= self.memlimit <= _MAX_MEMLIMIT
        )

    def derive(self, secret: str, salt: bytes) -> sealed.SecretKey:
        """The 32-byte key for ``secret`` (a PIN or passphrase) and ``salt``."""
        return sealed.derive_key(secret, salt, opslimit=self.opslimit, memlimit=self.memlimit)


STORE_KDF: Final = KdfParams(sealed.OPSLIMIT_MODERATE, sealed.MEMLIMIT_MODERATE)
"""The store's profile: a 6-digit PIN has only 10^6 values, so every guess must be costly."""

BACKUP_KDF: Final = KdfParams(sealed.OPSLIMIT_MODERATE, sealed.MEMLIMIT_MODERATE)
"""Backups: moderate Argon2id, as for the store."""

FAST_KDF: Final = KdfParams(sealed.OPSLIMIT_FAST, sealed.MEMLIMIT_FAST)
"""The libsodium minimums: for tests only, never for a citizen's store."""
