"""Encrypted backups: round trip to another store with a new PIN; wrong passphrase vs tampering."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.wallet.domain import Disclosure, DisclosureOutcome, Language, Wallet
from civid.wallet.store.backup import read_backup, write_backup
from civid.wallet.store.errors import BackupCorrupted, InvalidPin, WrongPassphrase, WrongPin
from civid.wallet.store.kdf import FAST_KDF
from civid.wallet.store.layout import STORE_FILE_NAME

PIN = "480213"
NEW_PIN = "902715"
PASSPHRASE = "ช้างเผือก and a long passphrase"
NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def credential(holder_did: str) -> dict[str, object]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/civid/v1"],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "NationalIdCredential"],
        "issuer": "did:key:z6MkissuerExample",
        "credentialSubject": {"id": holder_did, "nationalIdNumber": "1101700203451"},
    }


@pytest.fixture
def wallet(tmp_path: Path) -> Wallet:
    wallet = Wallet.create(tmp_path / "phone", PIN, kdf=FAST_KDF, clock=lambda: NOW)
    wallet.add_credential(credential(wallet.holder_did))
    wallet.record_disclosure(
        Disclosure("req-1", "rp-1", "ธนาคาร", "เปิดบัญชี", ("givenNameTh",), DisclosureOutcome.VERIFIED, NOW)
    )
    wallet.update_settings(language=Language.EN, issuer_address="issuer.example:443", tls=True)
    return wallet


@pytest.fixture
def backup_file(wallet: Wallet, tmp_path: Path) -> Path:
    path = tmp_path / "wallet.backup"
    wallet.backup(path, PASSPHRASE, kdf=FAST_KDF)
    return path


def test_restore_on_another_machine_brings_back_everything_with_a_new_pin(
    wallet: Wallet, backup_file: Path, tmp_path: Path
) -> None:
    restored = Wallet.restore(backup_file, PASSPHRASE, tmp_path / "new-phone", NEW_PIN, kdf=FAST_KDF)
    assert restored.holder_did == wallet.holder_did
    assert restored.credentials() == wallet.credentials()
    assert restored.history() == wallet.history()
    assert restored.settings() == wallet.settings()
    assert restored.sign(b"m") == wallet.sign(b"m")  # the same holder key
    reopened = Wallet.open(tmp_path / "new-phone", NEW_PIN)
    assert reopened.holder_did == wallet.holder_did


def test_the_restored_store_does_not_open_with_the_old_pin(backup_file: Path, tmp_path: Path) -> None:
    Wallet.restore(backup_file, PASSPHRASE, tmp_path / "new-phone", NEW_PIN, kdf=FAST_KDF)
    with pytest.raises(WrongPin):
        Wallet.open(tmp_path / "new-phone", PIN)


def test_a_backup_can_be_made_under_the_pin(wallet: Wallet, tmp_path: Path) -> None:
    wallet.backup(tmp_path / "b", PIN, kdf=FAST_KDF)
    assert (
        Wallet.restore(tmp_path / "b", PIN, tmp_path / "n", NEW_PIN, kdf=FAST_KDF).holder_did
        == wallet.holder_did
    )


def test_a_wrong_passphrase_is_reported_as_such(backup_file: Path, tmp_path: Path) -> None:
    with pytest.raises(WrongPassphrase) as caught:
        Wallet.restore(backup_file, "not the passphrase", tmp_path / "n", NEW_PIN, kdf=FAST_KDF)
    assert caught.value.code is ErrorCode.WRONG_PASSPHRASE
    assert not Wallet.exists(tmp_path / "n")


@pytest.mark.parametrize("offset", [-1, -40, 12, 30])
def test_a_tampered_backup_is_reported_as_corrupted_not_as_a_wrong_passphrase(
    backup_file: Path, tmp_path: Path, offset: int
) -> None:
    data = bytearray(backup_file.read_bytes())
    data[offset] ^= 0x04
    backup_file.write_bytes(bytes(data))
    with pytest.raises(BackupCorrupted) as caught:
        Wallet.restore(backup_file, PASSPHRASE, tmp_path / "n", NEW_PIN, kdf=FAST_KDF)
    assert caught.value.code is ErrorCode.BACKUP_CORRUPTED
    assert not Wallet.exists(tmp_path / "n")


def test_a_store_file_is_not_accepted_as_a_backup(wallet: Wallet, tmp_path: Path) -> None:
    with pytest.raises(BackupCorrupted, match="not of the expected kind"):
        read_backup(tmp_path / "phone" / STORE_FILE_NAME, PIN)


def test_a_backup_that_holds_no_wallet_is_corrupted(tmp_path: Path) -> None:
    write_backup(tmp_path / "b", b"not a wallet", PASSPHRASE, kdf=FAST_KDF)
    with pytest.raises(BackupCorrupted, match="does not hold a wallet"):
        Wallet.restore(tmp_path / "b", PASSPHRASE, tmp_path / "n", NEW_PIN, kdf=FAST_KDF)


def test_the_backup_file_reveals_neither_claims_nor_key(wallet: Wallet, backup_file: Path) -> None:
    data = backup_file.read_bytes()
    assert b"1101700203451" not in data and wallet.holder_did.encode() not in data


def test_restoring_over_an_existing_store_is_refused(backup_file: Path, tmp_path: Path) -> None:
    with pytest.raises(CividError) as caught:
        Wallet.restore(backup_file, PASSPHRASE, tmp_path / "phone", NEW_PIN, kdf=FAST_KDF)
    assert caught.value.code is ErrorCode.ALREADY_EXISTS


def test_restoring_with_a_weak_new_pin_is_refused(backup_file: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidPin):
        Wallet.restore(backup_file, PASSPHRASE, tmp_path / "n", "111111", kdf=FAST_KDF)


def test_a_backup_does_not_overwrite_an_existing_file_unless_asked(wallet: Wallet, backup_file: Path) -> None:
    with pytest.raises(CividError) as caught:
        wallet.backup(backup_file, PASSPHRASE, kdf=FAST_KDF)
    assert caught.value.code is ErrorCode.ALREADY_EXISTS
    wallet.backup(backup_file, "another long passphrase", kdf=FAST_KDF, overwrite=True)
    assert read_backup(backup_file, "another long passphrase")


def test_a_short_passphrase_is_refused(wallet: Wallet, tmp_path: Path) -> None:
    with pytest.raises(InvalidPin, match="at least 10"):
        wallet.backup(tmp_path / "b", "short", kdf=FAST_KDF)


def test_a_missing_backup_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(CividError) as caught:
        read_backup(tmp_path / "nothing", PASSPHRASE)
    assert caught.value.code is ErrorCode.NOT_FOUND
