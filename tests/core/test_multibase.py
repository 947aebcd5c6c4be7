"""Multibase base58btc and base64url (civid.core.crypto.multibase)."""

from __future__ import annotations

import os

import base58
import pytest

from civid.core.crypto.multibase import (
    MultibaseError,
    decode_base58btc,
    decode_base64url,
    encode_base58btc,
    encode_base64url,
)

# draft-multiformats-multibase test vectors ("yes mani !") and the Bitcoin leading-zero rule.
BASE58_VECTORS = [
    (b"yes mani !", "z7paNL19xttacUY"),
    (b"\x00yes mani !", "z17paNL19xttacUY"),
    (b"\x00\x00yes mani !", "z117paNL19xttacUY"),
    (b"", "z"),
    (b"Hello World!", "z2NEpo7TZRRrLZSi2U"),
]
BASE64URL_VECTORS = [
    (b"yes mani !", "ueWVzIG1hbmkgIQ"),
    (b"\x00yes mani !", "uAHllcyBtYW5pICE"),
    (b"\xfb\xff", "u-_8"),
    (b"", "u"),
]


@pytest.mark.parametrize(("data", "encoded"), BASE58_VECTORS)
def test_base58btc_matches_multibase_vectors(data: bytes, encoded: str) -> None:
    assert encode_base58btc(data) == encoded
    assert decode_base58btc(encoded) == data


@pytest.mark.parametrize(("data", "encoded"), BASE64URL_VECTORS)
def test_base64url_matches_multibase_vectors(data: bytes, encoded: str) -> None:
    assert encode_base64url(data) == encoded
    assert decode_base64url(encoded) == data


def test_base58btc_round_trips_a_64_byte_signature() -> None:
    sig = bytes(range(64))
    assert decode_base58btc(encode_base58btc(sig)) == sig


@pytest.mark.parametrize("value", ["", "u7paNL19xttacUY", "Z7paNL19xttacUY", "7paNL19xttacUY"])
def test_base58btc_refuses_other_prefixes(value: str) -> None:
    with pytest.raises(MultibaseError, match="expected base58btc"):
        decode_base58btc(value)


@pytest.mark.parametrize("value", ["z0abc", "zOabc", "zIabc", "zlabc", "zab+c", "zab c"])
def test_base58btc_refuses_characters_outside_the_alphabet(value: str) -> None:
    with pytest.raises(MultibaseError, match="alphabet"):
        decode_base58btc(value)


@pytest.mark.parametrize("value", ["z7paNL19xttacUY", "ueWVz+G1hbmkgIQ", "Ma2Fi"])
def test_base64url_refuses_other_prefixes_and_alphabets(value: str) -> None:
    with pytest.raises(MultibaseError):
        decode_base64url(value)


@pytest.mark.parametrize("value", ["ueWVzIG1hbmkgIQ==", "ueWVzI", "uQR"])
def test_base64url_refuses_padding_bad_length_and_non_canonical_bits(value: str) -> None:
    with pytest.raises(MultibaseError):
        decode_base64url(value)


def test_multibase_error_is_a_value_error() -> None:
    assert issubclass(MultibaseError, ValueError)


def test_non_string_input_is_refused_with_multibase_error() -> None:
    with pytest.raises(MultibaseError, match="must be a string"):
        decode_base58btc(b"z7paNL19xttacUY")  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [0, 1, 2, 31, 32, 34, 64, 66])
def test_base58btc_decoding_agrees_with_the_base58_package(size: int) -> None:
    for data in (os.urandom(size), bytes(size), bytes(2) + os.urandom(size)):
        encoded = encode_base58btc(data)
        assert decode_base58btc(encoded) == base58.b58decode(encoded[1:]) == data
