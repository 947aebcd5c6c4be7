"""What a citizen can do about a rejected presentation, where the fix is on their side.

The verifier names each failed check with a stable code; most (a revoked card, an untrusted issuer)
are not the citizen's to fix, and the verifier's message says enough. These few are: the wallet says
what to do, in Thai and English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from civid.core.errors import ErrorCode

_HINTS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        ErrorCode.PRESENTATION_CREATED_IN_FUTURE.value: (
            "นาฬิกาของอุปกรณ์เร็วกว่าเวลาจริง ตั้งเวลาให้ถูกต้อง (ตั้งอัตโนมัติ) แล้วลองใหม่",
            "This device's clock is ahead of the real time: set it to the correct time (automatic) "
            "and try again.",
        ),
        ErrorCode.PRESENTATION_TOO_OLD.value: (
            "การยืนยันตัวตนนี้ส่งช้าเกินไป หรือนาฬิกาของอุปกรณ์ช้ากว่าเวลาจริง ตรวจสอบเวลาแล้วลองใหม่",
            "The presentation arrived too late, or this device's clock is behind: check the time "
            "and try again.",
        ),
    }
)


def rejection_hint(codes: Iterable[str]) -> tuple[str, str] | None:
    """(Thai, English) advice for the first code the citizen can act on, or None."""
    return next((_HINTS[code] for code in codes if code in _HINTS), None)
