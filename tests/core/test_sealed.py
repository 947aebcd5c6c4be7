"""Passphrase-derived keys and sealed boxes (civid.core.crypto.sealed)."""

from __future__ import annotations

import pytest

from civid.core.crypto.sealed import (
    KEY_SIZE,
    MEMLIMIT_FAST,
    OPSLIMIT_FAST,
    SALT_SIZE,
    SealedBoxError,
    derive_key,
    new_key,
    new_salt,
    open_sealed,
    seal,
)


def _fast_key(passphrase: str, salt: bytes) -> bytes:
    return derive_key(passphrase, salt, opslimit=OPSLIMIT_FAST, memlimit=MEMLIMIT_FAST)


def test_derive_key_is_deterministic_for_passphrase_and_salt() -> None:
    salt = new_salt()
    assert _fast_key("correct horse", salt) == _fast_key("correct horse", salt)
    assert len(_fast_key("correct horse", salt)) == KEY_SIZE


def test_derive_key_differs_by_salt_and_passphrase() -> None:
    salt = new_salt()
    key = _fast_key("correct horse", salt)
    assert key != _fast_key("correct horse", new_salt())
    assert key != _fast_key("correct horsf", salt)


def test_derive_key_output_is_pinned_so_existing_stores_keep_opening() -> None:
    # Pinned once from libsodium's Argon2id: a change of encoding or parameters would lock users out.
    key = _fast_key("ไทย passphrase", bytes(range(SALT_SIZE)))
    assert key.hex() == "17fa2164a161572af430299bcd80354559dc0274d21bafcdb6ea1d82848d22d0"


def test_derive_key_rejects_wrong_salt_length() -> None:
    with pytest.raises(ValueError, match="salt"):
        _fast_key("pw", b"short")


def test_new_salt_is_random_and_sized() -> None:
    assert len(new_salt()) == SALT_SIZE
    assert new_salt() != new_salt()


def test_seal_then_open_returns_plaintext() -> None:
    key = new_key()
    assert open_sealed(key, seal(key, b"face template \x00\xff")) == b"face template \x00\xff"


def test_seal_uses_a_fresh_nonce_each_time() -> None:
    key = new_key()
    assert seal(key, b"same") != seal(key, b"same")


def test_open_with_wrong_key_fails_with_sealed_box_error() -> None:
    blob = seal(new_key(), b"secret")
    with pytest.raises(SealedBoxError, match="wrong key or tampered"):
        open_sealed(new_key(), blob)


@pytest.mark.parametrize("position", [0, 24, -1])
def test_open_tampered_blob_fails_with_sealed_box_error(position: int) -> None:
    key = new_key()
    blob = bytearray(seal(key, b"secret"))
    blob[position] ^= 0x01
    with pytest.raises(SealedBoxError):
        open_sealed(key, bytes(blob))


def test_open_truncated_blob_fails_with_sealed_box_error() -> None:
    key = new_key()
    with pytest.raises(SealedBoxError, match="truncated"):
        open_sealed(key, seal(key, b"secret")[:30])


def test_key_of_wrong_length_is_refused() -> None:
    with pytest.raises(SealedBoxError, match="32 bytes"):
        seal(b"too short", b"x")


def test_passphrase_key_round_trip() -> None:
    salt = new_salt()
    blob = seal(_fast_key("pin 123456", salt), b"wallet")
    assert open_sealed(_fast_key("pin 123456", salt), blob) == b"wallet"
    with pytest.raises(SealedBoxError):
        open_sealed(_fast_key("pin 654321", salt), blob)
