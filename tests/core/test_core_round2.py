"""Round-2 fast paths of the core: each gives exactly the answer (and error) of the plain code it stands for."""

from __future__ import annotations

import base64
import gzip
import os
from collections.abc import Callable, Mapping
from typing import Any

import base58
import pytest

from civid.core import credential
from civid.core.crypto import multibase
from civid.core.crypto.multibase import decode_base58btc
from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld.fastpath import ENVIRONMENT_VARIABLE, decided, fastpath_enabled, plain_path
from civid.core.result import Check, Outcome, ResultBuilder
from civid.core.statuslist.bitstring import MIN_LENGTH, Bitstring


def test_decided_keeps_the_environments_choice_for_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "0")
    with decided():
        assert not fastpath_enabled()
        monkeypatch.setenv(ENVIRONMENT_VARIABLE, "1")
        assert not fastpath_enabled()  # read once, on entry
        with plain_path(False):
            assert fastpath_enabled()  # an explicit switch inside still switches
    assert fastpath_enabled()


def test_decided_inside_plain_path_keeps_the_plain_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    with plain_path(), decided():
        assert not fastpath_enabled()


@pytest.mark.parametrize("size", [0, 1, 10, 32, 34, 64, 93, 94, 95, 120, 400])
def test_base58_decoding_matches_the_base58_package_at_every_length(size: int) -> None:
    for zeros in (0, 1, 3):
        data = bytes(zeros) + os.urandom(size)
        body = base58.b58encode(data).decode()
        assert decode_base58btc("z" + body) == data
        assert multibase._base58_int(body) == (base58.b58decode_int(body) if body else 0)


def _encoded(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(data, mtime=0)).rstrip(b"=").decode()


def _outcome(read: Callable[[], bool]) -> tuple[str, Any]:
    try:
        return "bit", read()
    except CividError as exc:
        return "error", (exc.code, exc.message)


@pytest.mark.parametrize("index", [0, 7, 8, 9, MIN_LENGTH - 1, MIN_LENGTH, -1, True, "3", 2**70])
def test_bit_of_answers_and_refuses_as_decode_then_get(index: Any) -> None:
    bits = Bitstring()
    for i in (0, 9, MIN_LENGTH - 1):
        bits.set(i)
    encoded = bits.encode()
    assert _outcome(lambda: Bitstring.bit_of(encoded, index)) == _outcome(
        lambda: Bitstring.decode(encoded).get(index)
    )


@pytest.mark.parametrize("data", [b"\x00" * 100, b"\x01" * (MIN_LENGTH // 8 - 1)])
def test_bit_of_refuses_a_too_short_list_as_decode_does(data: bytes) -> None:
    encoded = _encoded(data)
    with pytest.raises(CividError) as plain:
        Bitstring.decode(encoded).get(0)
    with pytest.raises(CividError) as fast:
        Bitstring.bit_of(encoded, 0)
    assert (fast.value.code, fast.value.message) == (plain.value.code, plain.value.message)
    assert fast.value.code is ErrorCode.STATUS_LIST_INVALID


def test_builder_checks_equal_those_made_by_the_dataclass() -> None:
    out = ResultBuilder().under("credential[0].")
    out.passed("proof.signature", "ok")
    out.not_checked("status.revocation")
    out.failed("validity.window", ErrorCode.EXPIRED, "expired")
    assert out.build().checks == (
        Check("credential[0].proof.signature", Outcome.PASSED, None, "ok"),
        Check("credential[0].status.revocation", Outcome.NOT_CHECKED),
        Check("credential[0].validity.window", Outcome.FAILED, ErrorCode.EXPIRED, "expired"),
    )
    assert [hash(c) for c in out.checks] == [
        hash(Check(c.name, c.outcome, c.code, c.message)) for c in out.checks
    ]
    assert [repr(c) for c in out.checks] == [
        repr(Check(c.name, c.outcome, c.code, c.message)) for c in out.checks
    ]


def test_check_json_holds_the_enum_values() -> None:
    check = Check("proof", Outcome.FAILED, ErrorCode.MISSING_PROOF, "none")
    assert check.to_json() == {
        "name": "proof",
        "outcome": "failed",
        "code": "MISSING_PROOF",
        "message": "none",
    }
    assert type(check.to_json()["outcome"]) is type(Outcome.FAILED.value)
    assert type(check.to_json()["code"]) is type(ErrorCode.MISSING_PROOF.value)


class _Verifying:
    def status_list(self, url: str) -> Mapping[str, Any]:
        raise NotImplementedError

    def verified_document(self, url: str, verify: Callable[[Mapping[str, Any]], None]) -> Mapping[str, Any]:
        raise NotImplementedError


class _Plain:
    def status_list(self, url: str) -> Mapping[str, Any]:
        raise NotImplementedError


def test_a_verifying_source_is_told_apart_as_the_protocol_check_does() -> None:
    attached = _Plain()
    attached.verified_document = lambda url, verify: {}  # type: ignore[attr-defined]
    nulled = _Verifying()
    nulled.verified_document = None  # type: ignore[assignment,method-assign]
    for source in (_Verifying(), _Plain(), attached, nulled):
        assert credential._verifying(source) == isinstance(source, credential.VerifyingStatusListSource)
