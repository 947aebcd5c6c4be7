"""Claims flattening for "My data": a credentialSubject as ordered, labelled, readable lines."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from civid.core.errors import CividError
from civid.wallet.domain.models import Language
from civid.wallet.thai_dates import format_card_date, format_english

# Vocabulary terms in the order the card and the registry print them: (Thai label, English label).
LABELS: Final[Mapping[str, tuple[str, str]]] = {
    "nationalIdNumber": ("เลขประจำตัวประชาชน", "Identification Number"),
    "titleTh": ("คำนำหน้าชื่อ", "Title (Thai)"),
    "givenNameTh": ("ชื่อ", "Given name (Thai)"),
    "middleNameTh": ("ชื่อกลาง", "Middle name (Thai)"),
    "familyNameTh": ("นามสกุล", "Family name (Thai)"),
    "titleEn": ("คำนำหน้าชื่อ (อังกฤษ)", "Title"),
    "givenNameEn": ("ชื่อ (อังกฤษ)", "Given name"),
    "middleNameEn": ("ชื่อกลาง (อังกฤษ)", "Middle name"),
    "familyNameEn": ("นามสกุล (อังกฤษ)", "Last name"),
    "birthDate": ("วันเกิด", "Date of birth"),
    "sex": ("เพศ", "Sex"),
    "nationality": ("สัญชาติ", "Nationality"),
    "religion": ("ศาสนา", "Religion"),
    "address": ("ที่อยู่", "Address"),
    "address.houseNumber": ("บ้านเลขที่", "House number"),
    "address.moo": ("หมู่ที่", "Moo (village no.)"),
    "address.village": ("หมู่บ้าน", "Village"),
    "address.soi": ("ซอย", "Soi"),
    "address.road": ("ถนน", "Road"),
    "address.subDistrict": ("ตำบล/แขวง", "Sub-district"),
    "address.district": ("อำเภอ/เขต", "District"),
    "address.province": ("จังหวัด", "Province"),
    "address.postalCode": ("รหัสไปรษณีย์", "Postal code"),
    "address.houseCode": ("รหัสประจำบ้าน", "House code"),
    "photo": ("รูปถ่าย", "Photo"),
    "cardIssueDate": ("วันออกบัตร", "Date of issue"),
    "cardExpiryDate": ("วันบัตรหมดอายุ", "Date of expiry"),
    "cardIssuingOffice": ("สถานที่ออกบัตร", "Issuing office"),
    "laserCode": ("เลขหลังบัตร (Laser code)", "Laser code"),
    "id": ("ผู้ถือ (DID)", "Holder (DID)"),
}
DATE_TERMS: Final = frozenset({"birthDate", "cardIssueDate", "cardExpiryDate"})
_ORDER: Final = {key: rank for rank, key in enumerate(LABELS)}
_DATA_URI: Final = re.compile(r"data:image/(?P<kind>[a-z0-9.+-]+)(?:;[^,]*)?,(?P<data>.*)", re.DOTALL)


@dataclass(frozen=True)
class ClaimLine:
    """One readable claim: its dotted path, a label in the chosen language, and a display value."""

    key: str
    label: str
    value: str


def claim_label(key: str, language: Language) -> str:
    """The human label of a vocabulary term (dotted path); unknown terms keep their own name."""
    labels = LABELS.get(key) or LABELS.get(key.split("[")[0])
    if labels is None:
        return key
    return labels[0] if language is Language.TH else labels[1]


def flatten_claims(subject: Mapping[str, Any], language: Language = Language.TH) -> tuple[ClaimLine, ...]:
    """Every claim of ``subject``: vocabulary terms in card order, then others in document order."""
    leaves = list(_leaves(subject, ""))
    ranked = sorted(enumerate(leaves), key=lambda item: (_ORDER.get(item[1][0], len(_ORDER)), item[0]))
    return tuple(
        ClaimLine(key, claim_label(key, language), display_value(key, value, language))
        for _, (key, value) in ranked
    )


def _leaves(node: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for name, value in node.items():
        if name in ("type", "@context"):
            continue
        path = f"{prefix}{name}"
        yield from _value_leaves(path, value)


def _value_leaves(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        yield from _leaves(value, path + ".")
    elif isinstance(value, list) and any(isinstance(v, Mapping | list) for v in value):
        for index, item in enumerate(value):
            yield from _value_leaves(f"{path}[{index}]", item)
    else:
        yield path, value


def display_value(key: str, value: Any, language: Language) -> str:
    """A claim value as a person reads it: card-style dates, spaced ID numbers, image summaries."""
    if isinstance(value, bool):
        return ("ใช่" if value else "ไม่ใช่") if language is Language.TH else ("yes" if value else "no")
    if isinstance(value, list):
        return ", ".join(display_value(key, v, language) for v in value)
    if not isinstance(value, str):
        return "" if value is None else str(value)
    if key in DATE_TERMS:
        return _date(value, language)
    if key == "nationalIdNumber" and len(value) == 13 and value.isdigit():
        return format_national_id(value)
    image = _DATA_URI.fullmatch(value)
    if image:
        return _image_summary(image["kind"], len(image["data"]), language)
    return value


def format_national_id(number: str) -> str:
    """``1101700203451`` → ``1 1017 00203 45 1``, grouped as printed on the card."""
    return f"{number[0]} {number[1:5]} {number[5:10]} {number[10:12]} {number[12]}"


def _date(value: str, language: Language) -> str:
    try:
        return format_card_date(value) if language is Language.TH else format_english(value)
    except CividError:
        return value


def _image_summary(kind: str, encoded_length: int, language: Language) -> str:
    kib = max(1, round(encoded_length * 3 / 4 / 1024))
    name = kind.upper()
    return f"รูปภาพ {name} {kib} KB" if language is Language.TH else f"{name} image, {kib} KB"
