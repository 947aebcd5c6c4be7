"""The Bitstring Status List bitstring (civid.core.statuslist.bitstring)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from pathlib import Path
from typing import Any

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.core.statuslist.bitstring import MIN_LENGTH, Bitstring

STATUS = Path(__file__).parents[1] / "fixtures" / "vectors" / "status-list"
VECTORS: dict[str, Any] = json.loads((STATUS / "encodedList-vectors.json").read_text(encoding="utf-8"))
ONE_BIT = [v for v in VECTORS["derived_vectors"] if v["statusSize"] == 1]
TWO_BIT = next(v for v in VECTORS["derived_vectors"] if v["statusSize"] == 2)
PYTHON_KEY = "encodedList(gzip mtime=0, level 9, python gzip)"
DB_KEY = "encodedList(@digitalbazaar/vc-bitstring-status-list 2.0.1, pako)"


def _u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_spec_example_decodes_to_131072_zero_bits() -> None:
    example = VECTORS["spec_example_decoded"]
    bits = Bitstring.decode(example["encodedList"])
    assert bits.length == example["decompressed_bits"] == 131_072
    assert hashlib.sha256(bits.to_bytes()).hexdigest() == example["sha256_of_decompressed"]
    assert list(bits.set_indices()) == []


@pytest.mark.parametrize("vector", ONE_BIT, ids=lambda v: str(v["set_indices"]))
@pytest.mark.parametrize("source", [PYTHON_KEY, DB_KEY])
def test_vector_encodings_decode_to_the_expected_bits(vector: dict[str, Any], source: str) -> None:
    bits = Bitstring.decode(vector[source])
    assert hashlib.sha256(bits.to_bytes()).hexdigest() == vector["sha256_of_bitstring"]
    assert list(bits.set_indices()) == vector["set_indices"]
    for index, expected in vector["check"].items():
        assert bits.get(int(index)) is bool(expected)


@pytest.mark.parametrize("vector", ONE_BIT, ids=lambda v: str(v["set_indices"]))
def test_setting_the_vector_indices_gives_the_vector_bytes(vector: dict[str, Any]) -> None:
    bits = Bitstring()
    for index in vector["set_indices"]:
        bits.set(index)
    raw = bits.to_bytes()
    assert hashlib.sha256(raw).hexdigest() == vector["sha256_of_bitstring"]
    for nonzero in vector["nonzero_bytes"]:
        assert raw[nonzero["byte_offset"]] == int(nonzero["value_hex"], 16)
    assert Bitstring.decode(bits.encode()) == Bitstring.decode(vector[DB_KEY])


def test_encoding_is_reproducible_with_a_zero_gzip_timestamp() -> None:
    bits = Bitstring()
    bits.set(94567)
    assert bits.encode() == bits.encode()
    assert base64.urlsafe_b64decode(bits.encode()[1:] + "==")[4:8] == bytes(4)  # MTIME


@pytest.mark.skipif("ng" in zlib.ZLIB_RUNTIME_VERSION, reason="zlib-ng deflates differently")
@pytest.mark.parametrize("vector", ONE_BIT, ids=lambda v: str(v["set_indices"]))
def test_encoding_matches_digital_bazaar_byte_for_byte_with_stock_zlib(vector: dict[str, Any]) -> None:
    bits = Bitstring()
    for index in vector["set_indices"]:
        bits.set(index)
    assert bits.encode() == vector[DB_KEY]


def test_empty_list_encodes_exactly_as_the_rec_example() -> None:
    if "ng" in zlib.ZLIB_RUNTIME_VERSION:
        pytest.skip("zlib-ng deflates differently")
    assert Bitstring().encode() == VECTORS["spec_example_decoded"]["encodedList"]


def test_two_bit_entries_read_most_significant_bit_first() -> None:
    bits = Bitstring.decode(TWO_BIT[PYTHON_KEY])
    assert bits.length == TWO_BIT["bitstring_bytes"] * 8
    assert hashlib.sha256(bits.to_bytes()).hexdigest() == TWO_BIT["sha256_of_bitstring"]
    for index, value in TWO_BIT["entries"].items():
        assert bits.get_entry(int(index), 2) == int(value, 16)
    assert bits.get_entry(6, 2) == 0


def test_index_zero_is_the_most_significant_bit_of_the_first_byte() -> None:
    bits = Bitstring()
    bits.set(0)
    bits.set(15)
    assert bits.to_bytes()[:2] == b"\x80\x01"


def test_default_length_is_the_minimum_of_131072_entries() -> None:
    assert Bitstring().length == MIN_LENGTH == 131_072


def test_set_then_clear_round_trips_every_position_of_a_byte() -> None:
    bits = Bitstring()
    for index in range(1000, 1008):
        bits.set(index)
        assert bits.get(index)
        bits.clear(index)
        assert not bits.get(index)
    assert bits == Bitstring()


def test_clear_leaves_neighbouring_bits_set() -> None:
    bits = Bitstring()
    for index in (8, 9, 10):
        bits.set(index)
    bits.clear(9)
    assert list(bits.set_indices()) == [8, 10]


@pytest.mark.slow
def test_all_131072_entries_round_trip_through_encode_and_decode() -> None:
    bits = Bitstring()
    chosen = set(range(0, MIN_LENGTH, 3)) | {MIN_LENGTH - 1}
    for index in chosen:
        bits.set(index)
    decoded = Bitstring.decode(bits.encode())
    assert decoded == bits
    assert all(decoded.get(i) is (i in chosen) for i in range(MIN_LENGTH))


def test_longer_lists_are_supported() -> None:
    bits = Bitstring(MIN_LENGTH * 4)
    bits.set(MIN_LENGTH * 4 - 1)
    assert Bitstring.decode(bits.encode()).get(MIN_LENGTH * 4 - 1)


def test_copy_is_independent() -> None:
    bits = Bitstring()
    copied = bits.copy()
    copied.set(5)
    assert not bits.get(5)


@pytest.mark.parametrize("index", [-1, MIN_LENGTH, MIN_LENGTH + 100, True])
def test_index_outside_the_list_is_status_index_out_of_range(index: int) -> None:
    with pytest.raises(CividError) as info:
        Bitstring().get(index)
    assert info.value.code is ErrorCode.STATUS_INDEX_OUT_OF_RANGE


@pytest.mark.parametrize("length", [0, 8, MIN_LENGTH - 8, MIN_LENGTH + 1])
def test_length_below_minimum_or_not_whole_bytes_is_refused(length: int) -> None:
    with pytest.raises(ValueError):
        Bitstring(length)


@pytest.mark.parametrize(
    "encoded",
    [
        "z" + "1" * 20,  # base58btc, not base64url
        "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",  # no multibase prefix
        _u(b"not gzip at all"),
        _u(gzip.compress(bytes(MIN_LENGTH // 8))[:-10]),  # truncated
        _u(gzip.compress(bytes(1024), mtime=0)),  # too short: 8,192 bits
        _u(gzip.compress(bytes(MIN_LENGTH // 8), mtime=0) + b"junk"),  # trailing data
        "u!!!!",
    ],
    ids=["base58", "no-prefix", "not-gzip", "truncated", "too-short", "trailing", "bad-chars"],
)
def test_undecodable_or_too_short_list_is_status_list_invalid(encoded: str) -> None:
    with pytest.raises(CividError) as info:
        Bitstring.decode(encoded)
    assert info.value.code is ErrorCode.STATUS_LIST_INVALID


def test_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = _u(gzip.compress(bytes(17 * 1024 * 1024), mtime=0))  # > 16 MiB
    with pytest.raises(CividError, match="maximum size") as info:
        Bitstring.decode(bomb)
    assert info.value.code is ErrorCode.STATUS_LIST_INVALID
