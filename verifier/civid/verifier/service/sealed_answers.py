"""Sealing the answers of CreateRelyingParty for the idempotency table: they carry an API key.

The verifier never stores an API key in plaintext, yet a retried CreateRelyingParty must return the
same key (the proto's promise), also at another process. The first answer is therefore stored
encrypted (XSalsa20-Poly1305, libsodium's secretbox) under a key derived from the operator's token:
every process has that token, a copy of the database alone reveals no API key, and whoever holds the
token can mint keys for any relying party anyway. If the token changes, old answers can no longer be
opened and a retry is treated as a new call (which then finds the relying party ALREADY_EXISTS).
"""

from __future__ import annotations

import hashlib
from typing import Final

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

_CONTEXT: Final = b"civid verifier idempotent answers v1\x00"


class AnswerSeal:
    def __init__(self, admin_token: str) -> None:
        self._box = SecretBox(hashlib.sha256(_CONTEXT + admin_token.encode("utf-8")).digest())

    def seal(self, answer: bytes) -> bytes:
        return bytes(self._box.encrypt(answer))

    def open(self, sealed: bytes) -> bytes | None:
        """The answer, or None when it was sealed under another token (or altered)."""
        try:
            return bytes(self._box.decrypt(sealed))
        except CryptoError:
            return None
