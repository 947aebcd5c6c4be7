"""The wallet: one door to the holder key and everything the store holds.

Every call reads the store fresh and every change is one locked read-modify-write, so the TUI and a
headless command may use the same store directory at once. Nothing here is async or prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from civid.core.crypto.keys import Ed25519KeyPair, Ed25519PublicKey
from civid.core.did.key import did_key_for, verification_method_id_for
from civid.core.errors import CividError, ErrorCode
from civid.wallet.domain.models import (
    CredentialState,
    Disclosure,
    HeldCredential,
    PendingRequest,
    StatusCache,
    WalletSettings,
)
from civid.wallet.domain.state import StateFormatError, WalletState, decode_state, encode_state
from civid.wallet.store.attempts import DEFAULT_POLICY, Clock, LockoutPolicy, PinStatus, utc_now
from civid.wallet.store.backup import read_backup, write_backup
from civid.wallet.store.errors import BackupCorrupted, StoreCorrupted
from civid.wallet.store.kdf import BACKUP_KDF, STORE_KDF, KdfParams
from civid.wallet.store.store import EncryptedStore, pin_status


class Wallet:
    """An unlocked wallet. Obtain one with :meth:`create`, :meth:`open` or :meth:`restore`."""

    def __init__(self, store: EncryptedStore, holder: Ed25519KeyPair, clock: Clock) -> None:
        self._store = store
        self._holder = holder
        self._clock = clock

    # -- lifecycle ---------------------------------------------------------------------------

    @staticmethod
    def exists(store_dir: Path) -> bool:
        """True when ``store_dir`` already holds a wallet store."""
        return EncryptedStore.exists(store_dir)

    @staticmethod
    def pin_status(
        store_dir: Path, *, policy: LockoutPolicy = DEFAULT_POLICY, clock: Clock = utc_now
    ) -> PinStatus:
        """Attempts left and any wait or lock, to show on the PIN screen."""
        return pin_status(store_dir, policy=policy, clock=clock)

    @classmethod
    def create(
        cls,
        store_dir: Path,
        pin: str,
        *,
        settings: WalletSettings | None = None,
        kdf: KdfParams = STORE_KDF,
        clock: Clock = utc_now,
    ) -> Wallet:
        """First run: a new holder key (did:key) and an empty store sealed under ``pin``."""
        holder = Ed25519KeyPair.generate()
        state = WalletState(holder.seed, clock(), settings=settings or WalletSettings())
        return cls(EncryptedStore.create(store_dir, pin, encode_state(state), kdf=kdf), holder, clock)

    @classmethod
    def open(
        cls, store_dir: Path, pin: str, *, policy: LockoutPolicy = DEFAULT_POLICY, clock: Clock = utc_now
    ) -> Wallet:
        """Unlock an existing store (wrong PINs are counted, delayed and locked out)."""
        store = EncryptedStore.unlock(store_dir, pin, policy=policy, clock=clock)
        state = _decode(store.read())
        return cls(store, Ed25519KeyPair.from_seed(state.holder_seed), clock)

    @classmethod
    def restore(
        cls,
        backup_file: Path,
        passphrase: str,
        store_dir: Path,
        new_pin: str,
        *,
        kdf: KdfParams = STORE_KDF,
        clock: Clock = utc_now,
    ) -> Wallet:
        """Recreate a wallet (holder key included) from a backup into a directory without a store."""
        try:
            state = decode_state(read_backup(backup_file, passphrase))
        except StateFormatError as exc:
            raise BackupCorrupted("it does not hold a wallet this program can read") from exc
        store = EncryptedStore.create(store_dir, new_pin, encode_state(state), kdf=kdf)
        return cls(store, Ed25519KeyPair.from_seed(state.holder_seed), clock)

    def change_pin(self, new_pin: str) -> None:
        """Re-seal the store under ``new_pin`` (the caller has checked the current PIN)."""
        self._store = self._store.change_pin(new_pin)

    def backup(
        self, path: Path, passphrase: str, *, kdf: KdfParams = BACKUP_KDF, overwrite: bool = False
    ) -> None:
        """Write an encrypted backup of everything (the holder key included) under ``passphrase``."""
        write_backup(path, self._store.read(), passphrase, kdf=kdf, overwrite=overwrite)

    # -- holder key --------------------------------------------------------------------------

    @property
    def holder_did(self) -> str:
        """The holder's ``did:key:z6Mk…``."""
        return did_key_for(self._holder.public_key)

    @property
    def verification_method(self) -> str:
        """``did:key:X#X``: the verification method of the holder's signatures."""
        return verification_method_id_for(self._holder.public_key)

    @property
    def holder_public_key(self) -> Ed25519PublicKey:
        return self._holder.public_key

    def sign(self, message: bytes) -> bytes:
        """The holder's 64-byte Ed25519 signature of ``message`` (e.g. an owner's consent)."""
        return self._holder.sign(message)

    def present(
        self,
        credential_ids: Sequence[str],
        *,
        challenge: str,
        domain: str,
        created: datetime | None = None,
    ) -> dict[str, Any]:
        """A presentation of the held credentials ``credential_ids``, signed by the holder key."""
        from civid.core.presentation import create_presentation  # heavy (JSON-LD): load on first use

        documents = [self.credential(cid).document for cid in credential_ids]
        return create_presentation(
            documents,
            self._holder,
            self.holder_did,
            self.verification_method,
            challenge=challenge,
            domain=domain,
            created=created or self._clock(),
        )

    # -- credentials -------------------------------------------------------------------------

    def credentials(self) -> tuple[HeldCredential, ...]:
        """Every held credential, oldest first."""
        return self._state().credentials

    def credential(self, credential_id: str) -> HeldCredential:
        for held in self.credentials():
            if held.id == credential_id:
                return held
        raise CividError(ErrorCode.NOT_FOUND, f"the wallet holds no credential {credential_id!r}")

    def credentials_of_type(self, type_name: str) -> tuple[HeldCredential, ...]:
        return tuple(c for c in self.credentials() if type_name in c.types)

    def add_credential(
        self, document: Mapping[str, Any], *, received_at: datetime | None = None
    ) -> HeldCredential:
        """Hold ``document``; it replaces any credential it supersedes (same id, or a re-issue of
        the same kind for the same citizen, as after re-binding a new key or moving house)."""
        held = HeldCredential.from_document(document, received_at or self._clock())

        def change(state: WalletState) -> WalletState:
            kept = tuple(c for c in state.credentials if not held.supersedes(c))
            return replace(state, credentials=(*kept, held))

        self._mutate(change)
        return held

    def remove_credential(self, credential_id: str) -> None:
        self.credential(credential_id)
        self._mutate(
            lambda s: replace(s, credentials=tuple(c for c in s.credentials if c.id != credential_id))
        )

    def record_status(
        self, credential_id: str, state: CredentialState, checked_at: datetime | None = None
    ) -> HeldCredential:
        """Cache the status the issuer's status list gave, with the time of the check."""
        updated = replace(
            self.credential(credential_id), status=StatusCache(state, checked_at or self._clock())
        )
        self._mutate(
            lambda s: replace(
                s, credentials=tuple(updated if c.id == credential_id else c for c in s.credentials)
            )
        )
        return updated

    # -- disclosures, settings, e-service requests --------------------------------------------

    def record_disclosure(self, disclosure: Disclosure) -> None:
        self._mutate(lambda s: replace(s, disclosures=(*s.disclosures, disclosure)))

    def history(self) -> tuple[Disclosure, ...]:
        """Every disclosure, newest first."""
        return tuple(sorted(self._state().disclosures, key=lambda d: d.at, reverse=True))

    def settings(self) -> WalletSettings:
        return self._state().settings

    def update_settings(self, **changes: Any) -> WalletSettings:
        """Change some settings (field names of :class:`WalletSettings`) and return the result."""
        new = replace(self.settings(), **changes)
        self._mutate(lambda s: replace(s, settings=replace(s.settings, **changes)))
        return new

    def pending_requests(self) -> tuple[PendingRequest, ...]:
        """The e-service requests followed, most recently updated first."""
        return tuple(sorted(self._state().pending, key=lambda p: p.updated_at, reverse=True))

    def save_request(self, request: PendingRequest) -> None:
        """Add an e-service request or replace the one with the same id."""
        self._mutate(lambda s: replace(s, pending=(*(p for p in s.pending if p.id != request.id), request)))

    # -- plumbing ----------------------------------------------------------------------------

    def _state(self) -> WalletState:
        return _decode(self._store.read())

    def _mutate(self, change: Callable[[WalletState], WalletState]) -> None:
        self._store.update(lambda payload: encode_state(change(_decode(payload))))


def _decode(payload: bytes) -> WalletState:
    try:
        return decode_state(payload)
    except StateFormatError as exc:
        raise StoreCorrupted("its contents are not a wallet this program can read") from exc
