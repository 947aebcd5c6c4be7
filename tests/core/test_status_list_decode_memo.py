"""The memo of decoded ``encodedList`` strings (civid.core.statuslist.bitstring): same answers, bounded,
and a decoded bitstring the caller changes never changes what the next caller reads."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context

import pytest

from civid.core.errors import CividError
from civid.core.jsonld.fastpath import plain_path
from civid.core.statuslist.bitstring import (
    MEMO_ENTRIES,
    MEMO_MAX_BYTES,
    MIN_LENGTH,
    Bitstring,
    clear_decode_memo,
    decode_memo_size,
    decoded_bytes,
)


@pytest.fixture(autouse=True)
def empty_memo() -> Iterator[None]:
    clear_decode_memo()
    with plain_path(False):  # the memo is part of the fast path, whatever CIVID_FASTPATH says
        yield
    clear_decode_memo()


def _list_with(*indices: int, length: int = MIN_LENGTH) -> str:
    bits = Bitstring(length)
    for index in indices:
        bits.set(index)
    return bits.encode()


def _u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize("indices", [(), (0,), (7, 8, 131_071), tuple(range(0, MIN_LENGTH, 997))])
def test_memoized_decoding_gives_the_plain_decoding(indices: tuple[int, ...]) -> None:
    encoded = _list_with(*indices)
    with plain_path():
        plain = Bitstring.decode(encoded)
    first = Bitstring.decode(encoded)
    second = Bitstring.decode(encoded)
    assert first == second == plain
    assert list(second.set_indices()) == list(indices)
    assert decode_memo_size() == 1


@pytest.mark.parametrize(
    "encoded",
    [
        "u!!!!",
        _u(b"not gzip at all"),
        _u(gzip.compress(bytes(1024), mtime=0)),  # too short: 8,192 bits
    ],
    ids=["bad-chars", "not-gzip", "too-short"],
)
def test_invalid_list_fails_the_same_way_on_every_read(encoded: str) -> None:
    with plain_path(), pytest.raises(CividError) as plain:
        Bitstring.decode(encoded)
    for _ in range(2):
        with pytest.raises(CividError) as memoized:
            Bitstring.decode(encoded)
        assert (memoized.value.code, str(memoized.value)) == (plain.value.code, str(plain.value))


def test_changing_a_decoded_bitstring_does_not_change_the_next_decoding() -> None:
    encoded = _list_with(5)
    changed = Bitstring.decode(encoded)
    changed.set(6)
    changed.clear(5)
    again = Bitstring.decode(encoded)
    assert list(again.set_indices()) == [5]
    assert isinstance(decoded_bytes(encoded), bytes)  # immutable: no caller can write into the memo


def test_memo_holds_at_most_its_bound_of_lists() -> None:
    for index in range(MEMO_ENTRIES + 5):
        Bitstring.decode(_list_with(index))
    assert decode_memo_size() == MEMO_ENTRIES


def test_least_recently_read_list_is_forgotten_first() -> None:
    lists = [_list_with(index) for index in range(MEMO_ENTRIES)]
    for encoded in lists:
        Bitstring.decode(encoded)
    Bitstring.decode(lists[0])  # now the most recently read
    Bitstring.decode(_list_with(MEMO_ENTRIES))
    assert decoded_bytes(lists[0]) is decoded_bytes(lists[0])  # still held
    assert decode_memo_size() == MEMO_ENTRIES


def test_list_bigger_than_the_memo_limit_is_decoded_but_not_kept() -> None:
    length = (MEMO_MAX_BYTES + 1024) * 8
    bits = Bitstring.decode(_list_with(length - 1, length=length))
    assert list(bits.set_indices()) == [length - 1]
    assert decode_memo_size() == 0


def test_plain_path_neither_reads_nor_fills_the_memo() -> None:
    with plain_path():
        Bitstring.decode(_list_with(3))
    assert decode_memo_size() == 0


def test_threads_reading_the_same_lists_get_the_same_answers() -> None:
    lists = [_list_with(index, index + 1000) for index in range(8)]

    def read(number: int) -> list[int]:
        return list(Bitstring.decode(lists[number % 8]).set_indices())

    with ThreadPoolExecutor(max_workers=4) as pool:  # each task runs in a copy of this (fast path) context
        answers = [f.result() for f in [pool.submit(copy_context().run, read, n) for n in range(64)]]
    assert decode_memo_size() == 8
    assert answers == [[n % 8, n % 8 + 1000] for n in range(64)]
