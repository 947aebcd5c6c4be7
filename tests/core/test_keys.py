"""Ed25519 keys and Multikey encodings (civid.core.crypto.keys)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civid.core.crypto.keys import Ed25519KeyPair, Ed25519PublicKey
from civid.core.crypto.multibase import decode_base58btc, encode_base58btc
from civid.core.errors import CividError, ErrorCode

VECTORS = Path(__file__).parents[1] / "fixtures" / "vectors"
RDFC = VECTORS / "eddsa-rdfc-2022"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _spec_key_pairs() -> list[dict[str, str]]:
    pairs = [_json(RDFC / "keyPair.json")]
    pairs += list(_json(RDFC / "proof-set-chain" / "multiKeyPairs.json").values())
    return pairs


def _seed_vectors() -> list[dict[str, Any]]:
    path = VECTORS / "did-key" / "ed25519-seed-to-did-multikey.json"
    vectors: list[dict[str, Any]] = _json(path)["vectors"]
    return vectors


@pytest.mark.parametrize("pair", _spec_key_pairs(), ids=lambda p: p["publicKeyMultibase"][:12])
def test_secret_multikey_from_spec_gives_its_public_multikey(pair: dict[str, str]) -> None:
    keys = Ed25519KeyPair.from_secret_multikey(pair["privateKeyMultibase"])
    assert keys.public_key.multikey == pair["publicKeyMultibase"]
    assert keys.secret_multikey == pair["privateKeyMultibase"]


@pytest.mark.parametrize("vector", _seed_vectors(), ids=lambda v: v["seed_hex"][-4:])
def test_seed_gives_public_key_and_multikeys_of_did_key_vectors(vector: dict[str, Any]) -> None:
    keys = Ed25519KeyPair.from_seed(bytes.fromhex(vector["seed_hex"]))
    assert keys.public_key.raw.hex() == vector["public_key_hex"]
    assert keys.public_key.multikey == vector["publicKeyMultibase"]
    secret_field = next(k for k in vector if k.startswith("secretKeyMultibase"))
    assert keys.secret_multikey == vector[secret_field]


def test_spec_key_signs_the_spec_hash_data_to_the_spec_signature() -> None:
    keys = Ed25519KeyPair.from_secret_multikey(_json(RDFC / "keyPair.json")["privateKeyMultibase"])
    hash_data = bytes.fromhex((RDFC / "combinedHashDataInt.txt").read_text().strip())
    signature = bytes.fromhex((RDFC / "sigHexDataInt.txt").read_text().strip())
    assert keys.sign(hash_data) == signature
    assert keys.public_key.verify(hash_data, signature)


def test_secret_multikey_of_64_bytes_seed_and_public_is_accepted() -> None:
    keys = Ed25519KeyPair.generate()
    long_form = encode_base58btc(b"\x80\x26" + keys.seed + keys.public_key.raw)
    assert long_form.startswith("zr")  # "zrv…" or "zru…"
    assert Ed25519KeyPair.from_secret_multikey(long_form) == keys


def test_secret_multikey_with_a_mismatched_public_half_is_invalid_key() -> None:
    keys = Ed25519KeyPair.generate()
    other = Ed25519KeyPair.generate()
    bad = encode_base58btc(b"\x80\x26" + keys.seed + other.public_key.raw)
    with pytest.raises(CividError, match="non-matching") as info:
        Ed25519KeyPair.from_secret_multikey(bad)
    assert info.value.code is ErrorCode.INVALID_KEY


@pytest.mark.parametrize(
    "value",
    [
        encode_base58btc(b"\xed\x01" + bytes(32)),  # a public key header
        encode_base58btc(b"\x80\x26" + bytes(31)),  # too short
        encode_base58btc(b"\x80\x26" + bytes(40)),  # neither 32 nor 64
        "u" + "A" * 46,  # not base58btc
    ],
)
def test_malformed_secret_multikey_is_invalid_key(value: str) -> None:
    with pytest.raises(CividError) as info:
        Ed25519KeyPair.from_secret_multikey(value)
    assert info.value.code is ErrorCode.INVALID_KEY


@pytest.mark.parametrize(
    "value",
    [
        encode_base58btc(b"\xed\x01" + bytes(31)),  # 31 key bytes
        encode_base58btc(b"\xed\x01" + bytes(33)),  # 33 key bytes
        encode_base58btc(b"\x12\x00" + bytes(32)),  # another multicodec
        encode_base58btc(b"\xe7\x01" + bytes(33)),  # secp256k1-pub
        encode_base58btc(bytes(32)),  # raw key without header
        "z6Mk0OIl",  # not the base58 alphabet
        "",
    ],
)
def test_malformed_public_multikey_is_invalid_key(value: str) -> None:
    with pytest.raises(CividError) as info:
        Ed25519PublicKey.from_multikey(value)
    assert info.value.code is ErrorCode.INVALID_KEY


def test_public_key_of_wrong_length_is_invalid_key() -> None:
    with pytest.raises(CividError) as info:
        Ed25519PublicKey(bytes(31))
    assert info.value.code is ErrorCode.INVALID_KEY


def test_seed_of_wrong_length_is_invalid_key() -> None:
    with pytest.raises(CividError) as info:
        Ed25519KeyPair.from_seed(bytes(16))
    assert info.value.code is ErrorCode.INVALID_KEY


def test_public_multikey_round_trips() -> None:
    public = Ed25519KeyPair.generate().public_key
    assert public.multikey.startswith("z6Mk")
    assert Ed25519PublicKey.from_multikey(public.multikey) == public
    assert decode_base58btc(public.multikey)[2:] == bytes(public)


def test_signature_verifies_only_for_its_message_and_key() -> None:
    keys = Ed25519KeyPair.generate()
    signature = keys.sign(b"message")
    assert keys.public_key.verify(b"message", signature)
    assert not keys.public_key.verify(b"messagf", signature)
    assert not Ed25519KeyPair.generate().public_key.verify(b"message", signature)


@pytest.mark.parametrize("signature", [b"", bytes(63), bytes(65), bytes(64), "z" * 64, None])
def test_verify_returns_false_and_never_raises_on_a_malformed_signature(signature: object) -> None:
    keys = Ed25519KeyPair.generate()
    assert keys.public_key.verify(b"message", signature) is False  # type: ignore[arg-type]


def test_flipped_signature_bit_fails() -> None:
    keys = Ed25519KeyPair.generate()
    signature = bytearray(keys.sign(b"message"))
    signature[10] ^= 0x40
    assert not keys.public_key.verify(b"message", bytes(signature))


def test_small_order_public_key_never_verifies() -> None:
    # The identity point (encoded 0x01 ‖ zeros) would accept the signature (R=identity, S=0) naively.
    identity = Ed25519PublicKey(b"\x01" + bytes(31))
    assert not identity.verify(b"anything", b"\x01" + bytes(63))


def test_signing_is_deterministic() -> None:
    keys = Ed25519KeyPair.from_seed(bytes(range(32)))
    assert keys.sign(b"x") == keys.sign(b"x")


def test_key_pair_repr_does_not_reveal_the_seed() -> None:
    keys = Ed25519KeyPair.from_seed(bytes(range(32)))
    assert bytes(range(32)).hex() not in repr(keys)
    assert repr(bytes(range(32))) not in repr(keys)


def test_key_pairs_compare_by_seed() -> None:
    assert Ed25519KeyPair.from_seed(bytes(32)) == Ed25519KeyPair.from_seed(bytes(32))
    assert Ed25519KeyPair.from_seed(bytes(32)) != Ed25519KeyPair.from_seed(b"\x01" * 32)
    assert len({Ed25519KeyPair.from_seed(bytes(32)), Ed25519KeyPair.from_seed(bytes(32))}) == 1
