"""PIN and backup-passphrase rules."""

from __future__ import annotations

import itertools
import re
from typing import Final

from civid.wallet.store.errors import InvalidPin

PIN_LENGTH: Final = 6
MIN_PASSPHRASE_LENGTH: Final = 10
_SIX_DIGITS: Final = re.compile(r"[0-9]{6}")


def validate_pin(pin: str) -> None:
    """Raise :class:`InvalidPin` unless ``pin`` is 6 ASCII digits and not a trivial pattern."""
    if not _SIX_DIGITS.fullmatch(pin):
        raise InvalidPin("the PIN must be exactly 6 digits (0-9)")
    if is_weak_pin(pin):
        raise InvalidPin(
            f"{pin} is too easy to guess: avoid repeated digits and sequences such as "
            "000000, 123456, 654321, 121212 or 123123"
        )


def is_weak_pin(pin: str) -> bool:
    """True for repeated digits, straight runs up or down, and repeated pairs or triples."""
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in itertools.pairwise(digits)}
    repeats_pair = pin == pin[:2] * (len(pin) // 2)
    repeats_triple = pin == pin[:3] * (len(pin) // 3)
    return steps in ({0}, {1}, {-1}) or repeats_pair or repeats_triple


def validate_backup_secret(secret: str) -> None:
    """A backup is sealed under the wallet PIN (same rules) or a passphrase of 10+ characters."""
    if _SIX_DIGITS.fullmatch(secret):
        validate_pin(secret)
    elif len(secret) < MIN_PASSPHRASE_LENGTH:
        raise InvalidPin(
            f"a backup passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters (or use your 6-digit PIN)"
        )
