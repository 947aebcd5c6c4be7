"""The status bitstring of Bitstring Status List v1.0.

Index ``i`` is bit ``i`` counted from the most significant bit of byte 0 (byte ``i // 8``, mask
``0x80 >> (i % 8)``). The wire form is ``encodedList`` = ``u`` + base64url-nopad(GZIP(bytes)); GZIP output
is not canonical, so compare decoded bitstrings, never encodings.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from enum import StrEnum
from typing import Final

from civid.core.crypto.multibase import MultibaseError, decode_base64url, encode_base64url
from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld.fastpath import fastpath_enabled
from civid.core.jsonld.memo import LockedLru

MIN_LENGTH: Final = 131_072  # bits (16 KiB): the REC's minimum, for group privacy
MAX_LENGTH: Final = 1 << 27  # bits (16 MiB decompressed): refuse bigger lists (gzip bombs)
MEMO_ENTRIES: Final = 32  # decoded lists kept, keyed by their exact encodedList string
MEMO_MAX_BYTES: Final = 1 << 20  # a decoded list bigger than this (8 Mbit) is never kept

# encodedList -> its decoded bytes (immutable; every Bitstring made from them owns a copy).
_DECODED: Final[LockedLru[str, bytes]] = LockedLru(MEMO_ENTRIES)


class StatusPurpose(StrEnum):
    """What a set bit means: the credential is revoked (permanent) or suspended (reversible)."""

    REVOCATION = "revocation"
    SUSPENSION = "suspension"


class Bitstring:
    """A mutable, fixed-length bitstring of at least 131,072 entries."""

    __slots__ = ("_bytes",)
    __hash__ = None  # type: ignore[assignment]  # mutable

    def __init__(self, length: int = MIN_LENGTH) -> None:
        if length % 8 or not MIN_LENGTH <= length <= MAX_LENGTH:
            raise ValueError(f"length must be a multiple of 8 in [{MIN_LENGTH}, {MAX_LENGTH}], got {length}")
        self._bytes = bytearray(length // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> Bitstring:
        """A bitstring holding a copy of ``data`` (at least 16 KiB)."""
        bits = len(data) * 8
        if not MIN_LENGTH <= bits <= MAX_LENGTH:
            raise CividError(
                ErrorCode.STATUS_LIST_INVALID,
                f"a status list must hold {MIN_LENGTH} to {MAX_LENGTH} bits, got {bits}",
            )
        bitstring = cls(bits)
        bitstring._bytes[:] = data
        return bitstring

    @classmethod
    def decode(cls, encoded: str) -> Bitstring:
        """Parse an ``encodedList``; STATUS_LIST_INVALID when it is not multibase-base64url GZIP data.

        The result is a fresh bitstring the caller may change; the decoded bytes of recently seen
        lists are memoized (the same list is read for every credential it covers).
        """
        return cls.from_bytes(decoded_bytes(encoded))

    @classmethod
    def bit_of(cls, encoded: str, index: int) -> bool:
        """``Bitstring.decode(encoded).get(index)`` (the same answer and errors), reading the bit
        from the decoded bytes without making a bitstring of them (a copy of the whole list)."""
        data = decoded_bytes(encoded)
        bits = len(data) * 8
        if not MIN_LENGTH <= bits <= MAX_LENGTH:
            return cls.from_bytes(data).get(index)  # raises what from_bytes raises
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < bits:
            raise CividError(
                ErrorCode.STATUS_INDEX_OUT_OF_RANGE, f"status index {index!r} is outside 0..{bits - 1}"
            )
        return bool(data[index >> 3] & (0x80 >> (index & 7)))

    @property
    def length(self) -> int:
        """Number of bits."""
        return len(self._bytes) * 8

    def get(self, index: int) -> bool:
        """The bit at ``index``."""
        byte, mask = self._locate(index)
        return bool(self._bytes[byte] & mask)

    def set(self, index: int) -> None:
        """Set the bit at ``index`` to 1."""
        byte, mask = self._locate(index)
        self._bytes[byte] |= mask

    def clear(self, index: int) -> None:
        """Set the bit at ``index`` to 0."""
        byte, mask = self._locate(index)
        self._bytes[byte] &= ~mask & 0xFF

    def get_entry(self, index: int, status_size: int = 1) -> int:
        """The ``status_size``-bit value of entry ``index``, read most significant bit first."""
        if status_size < 1:
            raise ValueError("status_size must be at least 1")
        value = 0
        for bit in range(index * status_size, (index + 1) * status_size):
            value = (value << 1) | self.get(bit)
        return value

    def set_indices(self) -> Iterator[int]:
        """The indices of the bits that are 1, in increasing order."""
        for byte_index, byte in enumerate(self._bytes):
            if byte:
                yield from (byte_index * 8 + i for i in range(8) if byte & (0x80 >> i))

    def to_bytes(self) -> bytes:
        """The raw bitstring."""
        return bytes(self._bytes)

    def encode(self) -> str:
        """``u`` + base64url-nopad(GZIP(bytes)).

        zlib's own GZIP framing at level 6 (zero timestamp) makes the output reproducible and, with
        stock zlib, byte-identical to Digital Bazaar's (pako) encoder and the REC's example.
        """
        deflater = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        return encode_base64url(deflater.compress(self._bytes) + deflater.flush())

    def copy(self) -> Bitstring:
        """An independent copy."""
        return Bitstring.from_bytes(bytes(self._bytes))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bitstring):
            return NotImplemented
        return self._bytes == other._bytes

    def __repr__(self) -> str:
        return f"Bitstring(length={self.length}, set={sum(bin(b).count('1') for b in self._bytes)})"

    def _locate(self, index: int) -> tuple[int, int]:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self.length:
            raise CividError(
                ErrorCode.STATUS_INDEX_OUT_OF_RANGE, f"status index {index!r} is outside 0..{self.length - 1}"
            )
        return index >> 3, 0x80 >> (index & 7)


def decoded_bytes(encoded: str) -> bytes:
    """The raw bitstring of an ``encodedList``, from the memo when this exact string was seen."""
    if type(encoded) is not str or not fastpath_enabled():
        return _decode(encoded)
    data = _DECODED.get(encoded)
    if data is None:
        data = _decode(encoded)
        if len(data) <= MEMO_MAX_BYTES:
            _DECODED.put(encoded, data)
    return data


def clear_decode_memo() -> None:
    """Forget every memoized decoding."""
    _DECODED.clear()


def decode_memo_size() -> int:
    """How many decoded lists the memo holds now."""
    return len(_DECODED)


def _decode(encoded: str) -> bytes:
    try:
        compressed = decode_base64url(encoded)
    except MultibaseError as exc:
        raise CividError(ErrorCode.STATUS_LIST_INVALID, f"encodedList: {exc}") from exc
    return _gunzip(compressed)


def _gunzip(data: bytes) -> bytes:
    """Decompress exactly one GZIP member, refusing more than MAX_LENGTH bits of output."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_LENGTH // 8 + 1)
    except zlib.error as exc:
        raise CividError(ErrorCode.STATUS_LIST_INVALID, f"encodedList is not GZIP data: {exc}") from exc
    if len(out) > MAX_LENGTH // 8:
        raise CividError(ErrorCode.STATUS_LIST_INVALID, "encodedList decompresses beyond the maximum size")
    if not inflater.eof:
        raise CividError(ErrorCode.STATUS_LIST_INVALID, "encodedList GZIP data is truncated")
    if inflater.unused_data:
        raise CividError(ErrorCode.STATUS_LIST_INVALID, "encodedList has data after the GZIP member")
    return out
