"""Text that goes into a credential claim: NFC-normalized, and only characters every implementation
canonicalizes alike.

RDFC-1.0 sorts canonical N-Quads by Unicode code point; Digital Bazaar's implementation (and any that
compares JavaScript strings) sorts by UTF-16 code unit. The two orders differ only when a character
above U+FFFF (an emoji, say) meets one in U+E000–U+FFFF, so a credential holding one would verify here
and fail elsewhere. Issuers therefore refuse characters above U+FFFF in claims (Thai, Latin and every
script a civil registry writes lie below it). Control characters are refused too: they have no place
in a name or an address, and canonical escaping of them is where implementations have differed.
"""

from __future__ import annotations

import unicodedata

from civid.core.errors import CividError, ErrorCode


def claim_text(value: str, field: str) -> str:
    """``value`` NFC-normalized; UNSUPPORTED_CHARACTER naming ``field`` for a character no claim may hold."""
    text = unicodedata.normalize("NFC", value)
    for char in text:
        if ord(char) > 0xFFFF:
            raise CividError(
                ErrorCode.UNSUPPORTED_CHARACTER,
                f"{field} holds U+{ord(char):X}, a character above U+FFFF that other implementations "
                "canonicalize in another order; claims may not contain it",
            )
        if unicodedata.category(char) == "Cc":
            raise CividError(
                ErrorCode.UNSUPPORTED_CHARACTER, f"{field} holds the control character U+{ord(char):04X}"
            )
    return text
