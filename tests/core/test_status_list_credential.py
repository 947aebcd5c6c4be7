"""Status list credentials, status entries and reading a status (civid.core.statuslist.credential)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.core.statuslist.bitstring import Bitstring, StatusPurpose
from civid.core.statuslist.credential import (
    StatusEntry,
    parse_status_entry,
    read_status,
    status_entry,
    status_list_credential,
)

STATUS = Path(__file__).parents[1] / "fixtures" / "vectors" / "status-list"
LIST_URL = "https://example.com/credentials/status/3"


def _json(name: str) -> Any:
    return json.loads((STATUS / name).read_text(encoding="utf-8"))


def _list(purpose: StatusPurpose = StatusPurpose.REVOCATION, *revoked: int) -> dict[str, Any]:
    bits = Bitstring()
    for index in revoked:
        bits.set(index)
    return status_list_credential(LIST_URL, "did:example:12345", purpose, bits, "2021-04-05T14:27:40Z")


def _code(entry: Any, list_credential: Any) -> ErrorCode:
    with pytest.raises(CividError) as info:
        read_status(entry, list_credential)
    return info.value.code


def test_list_credential_matches_the_rec_example() -> None:
    made = status_list_credential(
        LIST_URL,
        "did:example:12345",
        StatusPurpose.REVOCATION,
        Bitstring(),
        "2021-04-05T14:27:40Z",
        subject_id="https://example.com/status/3#list",
    )
    example = _json("rec-2.2-example-bitstringstatuslistcredential.json")
    encoded = made["credentialSubject"].pop("encodedList")
    assert Bitstring.decode(encoded) == Bitstring.decode(example["credentialSubject"].pop("encodedList"))
    assert made == example


def test_list_subject_id_defaults_to_the_list_id_with_fragment_list() -> None:
    assert _list()["credentialSubject"]["id"] == f"{LIST_URL}#list"


def test_entries_match_the_rec_simple_entry_example() -> None:
    example = _json("rec-2.1-example-simple-entry.json")["credentialStatus"]
    assert status_entry(LIST_URL, StatusPurpose.REVOCATION, 94567) == example[0]
    url4 = "https://example.com/credentials/status/4"
    assert status_entry(url4, StatusPurpose.SUSPENSION, 23452) == example[1]


def test_rec_example_entry_reads_not_revoked_from_the_rec_example_list() -> None:
    entry = _json("rec-2.1-example-simple-entry.json")["credentialStatus"][0]
    assert read_status(entry, _json("rec-2.2-example-bitstringstatuslistcredential.json")) is False


def test_revoked_index_reads_true_and_its_neighbours_false() -> None:
    list_vc = _list(StatusPurpose.REVOCATION, 94567)
    assert read_status(status_entry(LIST_URL, StatusPurpose.REVOCATION, 94567), list_vc) is True
    assert read_status(status_entry(LIST_URL, StatusPurpose.REVOCATION, 94566), list_vc) is False
    assert read_status(status_entry(LIST_URL, StatusPurpose.REVOCATION, 94568), list_vc) is False


def test_suspension_list_is_read_for_suspension_entries() -> None:
    list_vc = _list(StatusPurpose.SUSPENSION, 7)
    assert read_status(status_entry(LIST_URL, StatusPurpose.SUSPENSION, 7), list_vc) is True


def test_purpose_mismatch_fails_with_status_purpose_mismatch() -> None:
    entry = status_entry(LIST_URL, StatusPurpose.SUSPENSION, 7)
    assert _code(entry, _list(StatusPurpose.REVOCATION, 7)) is ErrorCode.STATUS_PURPOSE_MISMATCH


def test_list_with_several_purposes_serves_each_of_them() -> None:
    list_vc = _list(StatusPurpose.REVOCATION, 3)
    list_vc["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    assert read_status(status_entry(LIST_URL, StatusPurpose.SUSPENSION, 3), list_vc) is True


def test_index_beyond_the_list_fails_with_status_index_out_of_range() -> None:
    entry = status_entry(LIST_URL, StatusPurpose.REVOCATION, 131_072)
    assert _code(entry, _list()) is ErrorCode.STATUS_INDEX_OUT_OF_RANGE


def test_negative_index_cannot_be_issued() -> None:
    with pytest.raises(CividError) as info:
        status_entry(LIST_URL, StatusPurpose.REVOCATION, -1)
    assert info.value.code is ErrorCode.STATUS_INDEX_OUT_OF_RANGE


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c.update(type=["VerifiableCredential"]),
        lambda c: c.update(type="BitstringStatusListCredential"),
        lambda c: c["credentialSubject"].update(type="StatusList2021"),
        lambda c: c.update(credentialSubject=[c["credentialSubject"]]),
        lambda c: c["credentialSubject"].pop("encodedList"),
        lambda c: c["credentialSubject"].update(encodedList="zNotBase64url"),
        lambda c: c.update(id="https://example.com/credentials/status/4"),
    ],
    ids=["no-list-type", "type-not-array", "old-type", "subject-array", "no-list", "base58", "other-list"],
)
def test_a_list_credential_that_is_not_the_named_bitstring_list_is_status_list_invalid(mutate: Any) -> None:
    list_vc = _list()
    mutate(list_vc)
    entry = status_entry(LIST_URL, StatusPurpose.REVOCATION, 1)
    assert _code(entry, list_vc) is ErrorCode.STATUS_LIST_INVALID


@pytest.mark.parametrize(
    "change",
    [
        {"type": "StatusList2021Entry"},
        {"statusPurpose": "message"},
        {"statusListIndex": 5},
        {"statusListIndex": "-5"},
        {"statusListIndex": "05"},
        {"statusListIndex": "5.0"},
        {"statusListCredential": None},
        {"statusSize": 2},
    ],
    ids=lambda change: f"{next(iter(change))}={next(iter(change.values()))!r}",
)
def test_an_entry_we_cannot_check_is_malformed_document(change: dict[str, Any]) -> None:
    entry: dict[str, Any] = {**status_entry(LIST_URL, StatusPurpose.REVOCATION, 5), **change}
    assert _code(entry, _list()) is ErrorCode.MALFORMED_DOCUMENT


def test_parse_status_entry_gives_url_purpose_and_index() -> None:
    entry = status_entry(LIST_URL, StatusPurpose.SUSPENSION, 42)
    assert parse_status_entry(entry) == StatusEntry(LIST_URL, StatusPurpose.SUSPENSION, 42)


def test_explicit_status_size_of_one_is_accepted() -> None:
    entry = {**status_entry(LIST_URL, StatusPurpose.REVOCATION, 5), "statusSize": 1}
    assert read_status(entry, _list(StatusPurpose.REVOCATION, 5)) is True


def test_datetimes_are_written_in_utc_and_valid_until_and_ttl_are_optional() -> None:
    bangkok = timezone(timedelta(hours=7))
    list_vc = status_list_credential(
        LIST_URL,
        "did:web:id.example.go.th",
        StatusPurpose.SUSPENSION,
        Bitstring(),
        datetime(2026, 1, 1, 7, 0, tzinfo=bangkok),
        datetime(2026, 1, 2, tzinfo=UTC),
        ttl_ms=300_000,
    )
    assert list_vc["validFrom"] == "2026-01-01T00:00:00Z"
    assert list_vc["validUntil"] == "2026-01-02T00:00:00Z"
    assert list_vc["credentialSubject"]["ttl"] == 300_000
    assert list_vc["credentialSubject"]["statusPurpose"] == "suspension"
    assert "validUntil" not in _list()


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        naive = datetime(2026, 1, 1)
        status_list_credential(LIST_URL, "did:example:1", StatusPurpose.REVOCATION, Bitstring(), naive)


def test_reading_does_not_change_the_list_credential() -> None:
    list_vc = _list(StatusPurpose.REVOCATION, 1)
    before = copy.deepcopy(list_vc)
    read_status(status_entry(LIST_URL, StatusPurpose.REVOCATION, 1), list_vc)
    assert list_vc == before
