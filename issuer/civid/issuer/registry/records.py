"""JSON form of registry records (one JSON Lines row each) and its strict parsing.

A row is ``{"kind": "citizen", ...}`` (the default kind) or ``{"kind": "house", ...}``. Dates are
ISO ``YYYY-MM-DD``. A citizen's ``photo`` is one of ``{"base64": ...}``, ``{"file": "relative/path.jpg"}``
(relative to the JSON Lines file) or ``{"name": "obama.jpg"}`` (resolved by a callable at import time).
A free-text ``note`` is allowed on any row and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from civid.core.errors import CividError, ErrorCode
from civid.issuer.registry.model import Address, Citizen, House, PersonName, Sex

_NAME_KEYS: Final = frozenset({"title", "given", "family"})
_ADDRESS_REQUIRED: Final = frozenset(
    {"house_number", "sub_district", "district", "province", "postal_code", "house_code"}
)
_ADDRESS_OPTIONAL: Final = frozenset({"moo", "soi", "road"})
_HOUSE_REQUIRED: Final = _ADDRESS_REQUIRED
_HOUSE_OPTIONAL: Final = frozenset({"kind", "note", "owner_national_id", "moo", "village", "soi", "road"})
_CITIZEN_REQUIRED: Final = frozenset(
    {
        "national_id",
        "laser_code",
        "name_th",
        "name_en",
        "birth_date",
        "sex",
        "religion",
        "address",
        "card_issued",
        "card_expires",
        "issuing_office",
        "photo",
    }
)
_CITIZEN_OPTIONAL: Final = frozenset({"kind", "note"})
PHOTO_KINDS: Final = ("base64", "file", "name")


@dataclass(frozen=True)
class PhotoRef:
    """Where a row's photo comes from: ``kind`` is one of :data:`PHOTO_KINDS`."""

    kind: str
    value: str


@dataclass(frozen=True)
class CitizenRow:
    """A parsed citizen row whose photo is not loaded yet."""

    fields: dict[str, Any]
    photo: PhotoRef


def _fail(message: str) -> CividError:
    return CividError(ErrorCode.INVALID_RECORD, message)


def _check_keys(obj: Any, required: frozenset[str], optional: frozenset[str], what: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _fail(f"{what} must be a JSON object")
    missing = sorted(required - obj.keys())
    unknown = sorted(obj.keys() - required - optional)
    problems = [f"missing {', '.join(missing)}"] if missing else []
    problems += [f"unknown {', '.join(unknown)}"] if unknown else []
    if problems:
        raise _fail(f"{what}: {'; '.join(problems)}")
    return obj


def _text(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise _fail(f"{what}.{key} must be a string")
    return value


def _optional_text(obj: dict[str, Any], key: str, what: str) -> str | None:
    return None if obj.get(key) is None else _text(obj, key, what)


def _date(obj: dict[str, Any], key: str) -> date:
    try:
        return date.fromisoformat(_text(obj, key, "row"))
    except ValueError as exc:
        raise _fail(f"{key} must be a date YYYY-MM-DD") from exc


def parse_name(obj: Any, what: str) -> PersonName:
    o = _check_keys(obj, _NAME_KEYS, frozenset(), what)
    return PersonName(_text(o, "title", what), _text(o, "given", what), _text(o, "family", what))


def parse_address(obj: Any) -> Address:
    o = _check_keys(obj, _ADDRESS_REQUIRED, _ADDRESS_OPTIONAL, "address")
    values: dict[str, str | None] = {k: _text(o, k, "address") for k in _ADDRESS_REQUIRED}
    values |= {k: _optional_text(o, k, "address") for k in _ADDRESS_OPTIONAL}
    return Address(**values)  # type: ignore[arg-type]


def parse_house(obj: Any) -> House:
    o = _check_keys(obj, _HOUSE_REQUIRED, _HOUSE_OPTIONAL, "house")
    values: dict[str, str | None] = {k: _text(o, k, "house") for k in _HOUSE_REQUIRED}
    optional = _HOUSE_OPTIONAL - {"kind", "note"}
    values |= {k: _optional_text(o, k, "house") for k in optional}
    return House(**values)  # type: ignore[arg-type]


def parse_photo_ref(obj: Any) -> PhotoRef:
    if not isinstance(obj, dict) or len(obj) != 1 or next(iter(obj)) not in PHOTO_KINDS:
        raise _fail('photo must be one of {"base64": ...}, {"file": ...}, {"name": ...}')
    kind, value = next(iter(obj.items()))
    if not isinstance(value, str) or not value:
        raise _fail(f"photo.{kind} must be a non-empty string")
    return PhotoRef(kind, value)


def parse_citizen_row(obj: Any) -> CitizenRow:
    """Check a citizen row's shape and parse its fields; the photo is loaded later."""
    o = _check_keys(obj, _CITIZEN_REQUIRED, _CITIZEN_OPTIONAL, "citizen")
    try:
        sex = Sex(_text(o, "sex", "citizen"))
    except ValueError as exc:
        raise _fail("sex must be 'male' or 'female'") from exc
    fields: dict[str, Any] = {
        "national_id": _text(o, "national_id", "citizen"),
        "laser_code": _text(o, "laser_code", "citizen"),
        "name_th": parse_name(o["name_th"], "name_th"),
        "name_en": parse_name(o["name_en"], "name_en"),
        "birth_date": _date(o, "birth_date"),
        "sex": sex,
        "religion": _text(o, "religion", "citizen"),
        "address": parse_address(o["address"]),
        "card_issued": _date(o, "card_issued"),
        "card_expires": _date(o, "card_expires"),
        "issuing_office": _text(o, "issuing_office", "citizen"),
    }
    return CitizenRow(fields, parse_photo_ref(o["photo"]))


def build_citizen(row: CitizenRow, photo_jpeg: bytes, face_template: bytes | None) -> Citizen:
    """The validated :class:`Citizen` for a parsed row and its loaded photo."""
    return Citizen(**row.fields, photo_jpeg=photo_jpeg, face_template=face_template)


def name_to_json(name: PersonName) -> dict[str, str]:
    return {"title": name.title, "given": name.given, "family": name.family}


def address_to_json(address: Address) -> dict[str, str | None]:
    keys = sorted(_ADDRESS_REQUIRED | _ADDRESS_OPTIONAL)
    return {k: getattr(address, k) for k in keys if getattr(address, k) is not None}


def house_to_json(house: House) -> dict[str, Any]:
    keys = sorted(_HOUSE_REQUIRED | _HOUSE_OPTIONAL - {"kind", "note"})
    return {"kind": "house"} | {k: getattr(house, k) for k in keys if getattr(house, k) is not None}
