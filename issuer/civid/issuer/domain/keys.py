"""The issuer's signing keys: created on first start, sealed at rest, rotated by adding a key.

Secrets are sealed (XSalsa20-Poly1305, :mod:`civid.core.crypto.sealed`) under a master key derived
with Argon2id from the issuer passphrase and a per-store salt (``settings.issuer_key_salt``). The
sealed seeds live in the store's ``issuer_keys`` table, so every process of one issuer (the server,
``civid issuer keys rotate``) sees the same keys. The face-template key is derived from the same
master key. Every key ever used stays in the DID document, so old credentials keep verifying.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Engine, select

from civid.core.crypto.keys import Ed25519KeyPair, Ed25519PublicKey
from civid.core.crypto.sealed import SALT_SIZE, SealedBoxError, derive_key, new_salt, open_sealed, seal
from civid.core.did.web import build_did_web_document
from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage import IssuerKey, Store
from civid.issuer.storage.common import insert_ignore
from civid.issuer.storage.schema import issuer_keys, settings
from civid.issuer.storage.tx import read, write

log = logging.getLogger("civid.issuer.keys")

SALT_SETTING: Final = "issuer_key_salt"
PASSPHRASE_ENV: Final = "CIVID_ISSUER_KEY_PASSPHRASE"
PASSPHRASE_FILE_NAME: Final = "issuer-key.passphrase"


@dataclass(frozen=True)
class SigningKey:
    """The active key: its verification method id (``<did>#<key id>``) and the key pair."""

    verification_method: str
    key_id: str
    pair: Ed25519KeyPair


def resolve_passphrase(
    passphrase_file: Path | None, data_dir: Path, env: dict[str, str] | None = None
) -> str:
    """The passphrase: env variable, then ``passphrase_file``, then ``<data_dir>/issuer-key.passphrase``.

    When none exists the data-dir file is created (0600) with a random passphrase and a warning is
    logged: production must set one.
    """
    environ = os.environ if env is None else env
    if environ.get(PASSPHRASE_ENV):
        return environ[PASSPHRASE_ENV]
    if passphrase_file is not None:
        return _read_secret_file(passphrase_file)
    default = data_dir / PASSPHRASE_FILE_NAME
    if default.exists():
        return _read_secret_file(default)
    data_dir.mkdir(parents=True, exist_ok=True)
    passphrase = secrets.token_urlsafe(32)
    fd = os.open(default, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(passphrase + "\n")
    log.warning(
        "generated a random issuer key passphrase; production must set one",
        extra={"event": "passphrase_generated", "path": str(default), "env": PASSPHRASE_ENV},
    )
    return passphrase


def _read_secret_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CividError(ErrorCode.INVALID_KEY, f"cannot read the passphrase file {path}: {exc}") from exc
    if not text:
        raise CividError(ErrorCode.INVALID_KEY, f"the passphrase file {path} is empty")
    return text


def master_key(engine: Engine, passphrase: str, *, fast_kdf: bool = False) -> bytes:
    """The Argon2id master key for this store (its salt is created once and kept in ``settings``)."""
    salt = _stored_salt(engine)
    if fast_kdf:  # tests and benchmarks only: the minimum Argon2id cost
        from civid.core.crypto.sealed import MEMLIMIT_FAST, OPSLIMIT_FAST

        return derive_key(passphrase, salt, opslimit=OPSLIMIT_FAST, memlimit=MEMLIMIT_FAST)
    return derive_key(passphrase, salt)


def template_key(master: bytes) -> bytes:
    """The key that seals face templates, derived from the master key."""
    return hashlib.blake2b(b"civid face templates", key=master, digest_size=32).digest()


def _stored_salt(engine: Engine) -> bytes:
    query = select(settings.c.value).where(settings.c.name == SALT_SETTING)
    with read(engine) as conn:
        found = conn.execute(query).scalar()
    if found is None:
        with write(engine) as conn:
            insert_ignore(conn, settings, {"name": SALT_SETTING, "value": new_salt()})
            found = conn.execute(query).scalar_one()
    salt = bytes(found)
    if len(salt) != SALT_SIZE:
        raise CividError(ErrorCode.INVALID_KEY, "the stored issuer key salt is malformed")
    return salt


_ACTIVE: Final = select(issuer_keys).where(issuer_keys.c.active.is_(True))  # built once


def _active_key(conn: Connection) -> IssuerKey | None:
    row = conn.execute(_ACTIVE).first()
    if row is None:
        return None
    m = row._mapping
    return IssuerKey(
        m["id"], m["public_key_multibase"], bytes(m["sealed_secret"]), True, m["created_at"], m["retired_at"]
    )


class KeyRing:
    """The issuer's keys in the store; thread-safe. ``did`` is the issuer's did:web."""

    def __init__(self, store: Store, did: str, master: bytes) -> None:
        self._store = store
        self._did = did
        self._master = master
        self._lock = threading.Lock()
        self._unsealed: dict[str, Ed25519KeyPair] = {}
        self._last_active: SigningKey | None = None  # the active key as this process last read it

    @property
    def did(self) -> str:
        return self._did

    def ensure_key(self) -> SigningKey:
        """The active key, creating the first one on first start."""
        with self._lock:
            if self._store.issuer_keys.active() is None:
                self._add()
        return self.signing_key()

    def rotate(self) -> SigningKey:
        """Add a new key and make it the active one; earlier keys stay in the DID document."""
        with self._lock:
            self._add()
        return self.signing_key()

    def signing_key(self, conn: Connection | None = None) -> SigningKey:
        """The active key (read from the store, so a rotation by another process is picked up);
        ``conn`` reads it in the caller's transaction (one query instead of a transaction of its own)."""
        active = self._store.issuer_keys.active() if conn is None else _active_key(conn)
        if active is None:
            raise CividError(ErrorCode.INVALID_KEY, "the issuer has no active signing key")
        key = SigningKey(f"{self._did}#{active.id}", active.id, self._pair(active))
        self._last_active = key
        return key

    def last_active(self) -> SigningKey:
        """The active key as this process last read it (read now if never): a guess, not the truth,
        since another process may have rotated since. A caller signs with it and then confirms it
        in its transaction, as :meth:`civid.issuer.storage.CredentialRepository.insert_signed` does
        (no query when the guess holds), signing again with :meth:`signing_key` when it did not."""
        known = self._last_active
        return known if known is not None else self.signing_key()

    def did_document(self) -> tuple[dict[str, Any], datetime | None]:
        """The DID document with every key, and when it last changed."""
        keys = self._store.issuer_keys.all()
        methods = [(k.id, Ed25519PublicKey.from_multikey(k.public_key_multibase)) for k in keys]
        updated = max((k.created_at for k in keys), default=None)
        return build_did_web_document(self._did, methods), updated

    def _pair(self, key: IssuerKey) -> Ed25519KeyPair:
        pair = self._unsealed.get(key.id)
        if pair is None:
            try:
                seed = open_sealed(self._master, key.sealed_secret)
            except SealedBoxError as exc:
                raise CividError(
                    ErrorCode.INVALID_KEY, "the issuer key does not open: wrong passphrase?"
                ) from exc
            pair = Ed25519KeyPair.from_seed(seed)
            if pair.public_key.multikey != key.public_key_multibase:
                raise CividError(ErrorCode.INVALID_KEY, f"stored key {key.id} does not match its public key")
            self._unsealed[key.id] = pair
        return pair

    def _add(self) -> IssuerKey:
        existing = self._store.issuer_keys.all()
        if existing:
            self._pair(existing[-1])  # refuse to rotate under a wrong passphrase
        pair = Ed25519KeyPair.generate()
        key_id = f"key-{len(existing) + 1}"
        stored = self._store.issuer_keys.add_active(
            key_id, pair.public_key.multikey, seal(self._master, pair.seed)
        )
        self._unsealed[key_id] = pair
        log.info("issuer key added", extra={"event": "key_added", "key_id": key_id})
        return stored
