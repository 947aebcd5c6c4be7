"""The civil registry's records: citizens and houses (ทะเบียนราษฎร / ทะเบียนบ้าน).

Values are frozen and validate themselves on construction, so a ``Citizen`` that exists is well formed.
The face template is held here in plain form; storage seals it before it touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final

from civid.core.errors import CividError, ErrorCode
from civid.core.text import claim_text
from civid.issuer.registry.laser_code import parse_laser_code
from civid.issuer.registry.national_id import is_valid_national_id

_POSTAL_CODE: Final = re.compile(r"[1-9][0-9]{4}")
_HOUSE_CODE: Final = re.compile(r"[0-9]{11}")
JPEG_MAGIC: Final = b"\xff\xd8\xff"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CividError(ErrorCode.INVALID_RECORD, message)


def _require_text(value: str, what: str) -> None:
    _require(bool(value and value.strip()), f"{what} must not be empty")
    claim_text(value, what)  # it becomes a claim: UNSUPPORTED_CHARACTER for what cannot be one


def _require_bare_national_id(value: str, what: str) -> None:
    if not (len(value) == 13 and is_valid_national_id(value)):
        raise CividError(ErrorCode.INVALID_NATIONAL_ID, f"{what} is not a valid 13-digit national ID")


@dataclass(frozen=True)
class PersonName:
    """A name as printed on the card, e.g. ``PersonName("นาย", "สมชาย", "ใจดี")``."""

    title: str
    given: str
    family: str

    def __post_init__(self) -> None:
        _require_text(self.given, "given name")
        _require_text(self.family, "family name")

    def full(self) -> str:
        return " ".join(p for p in (self.title, self.given, self.family) if p)


@dataclass(frozen=True)
class Address:
    """A registered address; ``house_code`` is the 11-digit code of the house registration."""

    house_number: str
    sub_district: str
    district: str
    province: str
    postal_code: str
    house_code: str
    moo: str | None = None
    soi: str | None = None
    road: str | None = None

    def __post_init__(self) -> None:
        for what in ("house_number", "sub_district", "district", "province"):
            _require_text(getattr(self, what), what.replace("_", " "))
        _require(_POSTAL_CODE.fullmatch(self.postal_code) is not None, "postal code must be 5 digits")
        _require(_HOUSE_CODE.fullmatch(self.house_code) is not None, "house code must be 11 digits")


@dataclass(frozen=True)
class House:
    """A house registration (ทะเบียนบ้าน); the owner is a citizen whose consent moves people in."""

    house_code: str
    house_number: str
    sub_district: str
    district: str
    province: str
    postal_code: str
    owner_national_id: str | None = None
    moo: str | None = None
    village: str | None = None
    soi: str | None = None
    road: str | None = None

    def __post_init__(self) -> None:
        self.address()  # validates the shared fields
        if self.owner_national_id is not None:
            _require_bare_national_id(self.owner_national_id, "house owner")

    def address(self) -> Address:
        """The address of someone registered in this house."""
        return Address(
            house_number=self.house_number,
            sub_district=self.sub_district,
            district=self.district,
            province=self.province,
            postal_code=self.postal_code,
            house_code=self.house_code,
            moo=self.moo,
            soi=self.soi,
            road=self.road,
        )


@dataclass(frozen=True)
class Citizen:
    """One person in the civil registry, with the data printed on (and engraved in) their ID card."""

    national_id: str
    laser_code: str
    name_th: PersonName
    name_en: PersonName
    birth_date: date
    sex: Sex
    religion: str
    address: Address
    card_issued: date
    card_expires: date
    issuing_office: str
    photo_jpeg: bytes = field(repr=False)
    face_template: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _require_bare_national_id(self.national_id, "national ID")
        if parse_laser_code(self.laser_code) != self.laser_code:
            raise CividError(ErrorCode.INVALID_LASER_CODE, "laser code must be in the form JT0-1234567-89")
        _require(self.birth_date <= self.card_issued, "card issue date is before the birth date")
        _require(self.card_issued < self.card_expires, "card expiry date must be after its issue date")
        _require_text(self.issuing_office, "issuing office")
        _require(self.photo_jpeg.startswith(JPEG_MAGIC), "photo must be a JPEG image")
        _require(self.face_template is None or len(self.face_template) > 0, "face template is empty")
