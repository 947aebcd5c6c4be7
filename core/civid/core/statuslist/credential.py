"""Status list credentials and status entries (Bitstring Status List v1.0, VC Data Model 2.0).

:func:`status_list_credential` builds the *unsigned* list credential (sign it like any credential);
:func:`status_entry` builds a credential's ``credentialStatus``; :func:`read_status` reads one entry's
bit from a list credential whose proof the caller has already verified.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from civid.core.errors import CividError, ErrorCode
from civid.core.statuslist.bitstring import Bitstring, StatusPurpose

CREDENTIALS_V2: Final = "https://www.w3.org/ns/credentials/v2"
ENTRY_TYPE: Final = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
LIST_TYPE: Final = "BitstringStatusList"
_LIST_TYPES: Final = ("VerifiableCredential", LIST_CREDENTIAL_TYPE)
_INDEX: Final = re.compile(r"0|[1-9][0-9]*")


_PURPOSES: Final = frozenset(p.value for p in StatusPurpose)


@dataclass(frozen=True)
class StatusEntry:
    """A parsed ``BitstringStatusListEntry`` (``statusSize`` 1)."""

    list_credential: str
    purpose: StatusPurpose
    index: int


def status_list_credential(
    id: str,
    issuer: str,
    purpose: StatusPurpose,
    bitstring: Bitstring,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    *,
    ttl_ms: int | None = None,
    subject_id: str | None = None,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` for ``bitstring``.

    The subject id defaults to ``<id>#list``; ``ttl_ms`` is the optional cache hint in milliseconds.
    """
    subject: dict[str, Any] = {
        "id": subject_id if subject_id is not None else f"{id}#list",
        "type": LIST_TYPE,
        "statusPurpose": StatusPurpose(purpose).value,
        "encodedList": bitstring.encode(),
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "id": id,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": xsd_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    credential["credentialSubject"] = subject
    return credential


def status_entry(list_credential_url: str, purpose: StatusPurpose, index: int) -> dict[str, str]:
    """A ``credentialStatus`` entry pointing at bit ``index`` of a list; ``id`` is ``url#index``."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise CividError(ErrorCode.STATUS_INDEX_OUT_OF_RANGE, f"status index must be ≥ 0, got {index!r}")
    return {
        "id": f"{list_credential_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": StatusPurpose(purpose).value,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
    }


def parse_status_entry(entry: Mapping[str, Any]) -> StatusEntry:
    """Parse a ``BitstringStatusListEntry``; MALFORMED_DOCUMENT when it is not one we can check."""
    if not isinstance(entry, Mapping) or entry.get("type") != ENTRY_TYPE:
        raise _malformed(f"credentialStatus is not a {ENTRY_TYPE}")
    purpose_value = entry.get("statusPurpose")
    if not isinstance(purpose_value, str) or purpose_value not in _PURPOSES:
        raise _malformed(f"unsupported statusPurpose {purpose_value!r}")
    purpose = StatusPurpose(purpose_value)
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not _INDEX.fullmatch(index):
        raise _malformed(f"statusListIndex must be a base-10 integer string, got {index!r}")
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or ":" not in url:
        raise _malformed("statusListCredential must be a URL")
    if entry.get("statusSize", 1) != 1:
        raise _malformed(f"statusSize {entry.get('statusSize')!r} is not supported for {purpose.value}")
    return StatusEntry(url, purpose, int(index))


def read_status(entry: Mapping[str, Any], list_credential: Mapping[str, Any]) -> bool:
    """The bit for ``entry`` in ``list_credential``: True means revoked / suspended.

    Checks the list credential's types, that it is the list the entry names, the purpose
    (STATUS_PURPOSE_MISMATCH) and the index range (STATUS_INDEX_OUT_OF_RANGE). The caller verifies
    the list credential's proof, issuer and validity period separately.
    """
    parsed = parse_status_entry(entry)
    subject = _list_subject(list_credential)
    if list_credential.get("id") != parsed.list_credential:
        raise CividError(
            ErrorCode.STATUS_LIST_INVALID,
            f"status list {list_credential.get('id')!r} is not the entry's {parsed.list_credential!r}",
        )
    _check_purpose(parsed.purpose, subject.get("statusPurpose"))
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise CividError(ErrorCode.STATUS_LIST_INVALID, "status list has no encodedList string")
    return Bitstring.bit_of(encoded, parsed.index)


def xsd_datetime(value: datetime | str) -> str:
    """An XML Schema dateTime string; datetimes must be timezone-aware and are written in UTC."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _list_subject(list_credential: Mapping[str, Any]) -> Mapping[str, Any]:
    types = list_credential.get("type") if isinstance(list_credential, Mapping) else None
    if not isinstance(types, list) or any(t not in types for t in _LIST_TYPES):
        raise CividError(ErrorCode.STATUS_LIST_INVALID, f"not a {LIST_CREDENTIAL_TYPE}")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != LIST_TYPE:
        raise CividError(ErrorCode.STATUS_LIST_INVALID, f"credentialSubject is not a {LIST_TYPE}")
    return subject


def _check_purpose(purpose: StatusPurpose, list_purpose: Any) -> None:
    purposes = [list_purpose] if isinstance(list_purpose, str) else list_purpose
    if not isinstance(purposes, list) or purpose.value not in purposes:
        raise CividError(
            ErrorCode.STATUS_PURPOSE_MISMATCH,
            f"entry purpose {purpose.value!r} does not match the list's {list_purpose!r}",
        )


def _malformed(message: str) -> CividError:
    return CividError(ErrorCode.MALFORMED_DOCUMENT, message)
