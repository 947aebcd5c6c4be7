"""Officer authentication by per-call Ed25519 signature or mTLS certificate (see officer_service.proto).

A call that carries no officer metadata is admitted on its TLS client certificate when that
certificate's SHA-256 fingerprint (of the DER bytes) is registered for an active officer. Signature
metadata: ``civid-officer-id``, ``civid-officer-created`` (Unix seconds, within 300 s),
``civid-officer-nonce`` (16-64 random bytes, base64url, single-use) and ``civid-officer-signature-bin``
(64 bytes) over JCS({"created", "method", "nonce", "officer"}). :func:`sign_officer_call` makes them.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Final

from civid.core.crypto.keys import Ed25519KeyPair, Ed25519PublicKey
from civid.core.errors import CividError, ErrorCode
from civid.core.jcs import canonicalize
from civid.issuer.domain.errors import IssuerFailure
from civid.issuer.domain.replay import ReplayCache
from civid.issuer.storage import Officer, Store

WINDOW_SECONDS: Final = 300
ID_KEY: Final = "civid-officer-id"
CREATED_KEY: Final = "civid-officer-created"
NONCE_KEY: Final = "civid-officer-nonce"
SIGNATURE_KEY: Final = "civid-officer-signature-bin"
_NONCE: Final = re.compile(r"[A-Za-z0-9_-]{22,86}")


def officer_signing_input(officer_id: str, created: int, method: str, nonce: str) -> bytes:
    return canonicalize({"created": created, "method": method, "nonce": nonce, "officer": officer_id})


def sign_officer_call(
    officer_id: str, key: Ed25519KeyPair, method: str, created: int
) -> tuple[tuple[str, str | bytes], ...]:
    """The request metadata authenticating one officer call to ``method``."""
    nonce = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
    signature = key.sign(officer_signing_input(officer_id, created, method, nonce))
    return ((ID_KEY, officer_id), (CREATED_KEY, str(created)), (NONCE_KEY, nonce), (SIGNATURE_KEY, signature))


def _refused(message: str) -> IssuerFailure:
    return IssuerFailure(ErrorCode.OFFICER_UNAUTHENTICATED, message)


class OfficerAuthenticator:
    def __init__(self, store: Store, clock: Callable[[], datetime], replay: ReplayCache) -> None:
        self._store = store
        self._clock = clock
        self._replay = replay

    def authenticate(
        self,
        method: str,
        metadata: Mapping[str, str | bytes],
        certificate_sha256: str | None = None,
    ) -> Officer:
        """The registered, active officer who signed this call (or whose client certificate was
        presented, ``certificate_sha256``: hex SHA-256 of its DER), or OFFICER_UNAUTHENTICATED."""
        if certificate_sha256 and not any(k in metadata for k in (ID_KEY, SIGNATURE_KEY)):
            return self._by_certificate(certificate_sha256)
        officer_id, created_text, nonce = (_text(metadata, k) for k in (ID_KEY, CREATED_KEY, NONCE_KEY))
        signature = metadata.get(SIGNATURE_KEY)
        if not isinstance(signature, bytes) or len(signature) != 64:
            raise _refused(f"{SIGNATURE_KEY} must be a 64-byte signature")
        if not created_text.isdigit():
            raise _refused(f"{CREATED_KEY} must be Unix seconds")
        created = int(created_text)
        if abs(self._clock().timestamp() - created) > WINDOW_SECONDS:
            raise _refused(f"{CREATED_KEY} is not within {WINDOW_SECONDS} s of the issuer's clock")
        if not _NONCE.fullmatch(nonce):
            raise _refused(f"{NONCE_KEY} must be 16 to 64 random bytes, base64url without padding")
        officer = self._store.officers.get(officer_id)
        if officer is None or not officer.active:
            raise _refused("unknown or disabled officer")
        try:
            key = Ed25519PublicKey.from_multikey(officer.public_key_multibase)
        except CividError as exc:
            raise _refused("the officer's registered key is unusable") from exc
        if not key.verify(officer_signing_input(officer_id, created, method, nonce), signature):
            raise _refused("the officer signature does not verify")
        if not self._replay.claim(f"{officer_id}|{nonce}"):
            raise _refused("the officer nonce was already used")
        return officer

    def _by_certificate(self, certificate_sha256: str) -> Officer:
        officer = self._store.officers.by_certificate(certificate_sha256)
        if officer is None or not officer.active:
            raise _refused("the client certificate is not registered for an active officer")
        return officer


def _text(metadata: Mapping[str, str | bytes], key: str) -> str:
    value = metadata.get(key)
    if not isinstance(value, str) or not value:
        raise _refused(f"missing {key} metadata")
    return value
