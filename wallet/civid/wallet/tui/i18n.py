"""The app's own labels in Thai and English (claim labels live in :mod:`civid.wallet.domain.claims`)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from civid.wallet.domain import Language

_LABELS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "app.title": ("กระเป๋าบัตรประชาชนดิจิทัล", "civid wallet"),
        "pin.choose": ("ตั้งรหัส PIN 6 หลัก", "Choose a 6-digit PIN"),
        "pin.again": ("ใส่รหัส PIN อีกครั้ง", "Enter the PIN again"),
        "pin.enter": ("ใส่รหัส PIN", "Enter your PIN"),
        "pin.mismatch": ("รหัส PIN ทั้งสองไม่ตรงกัน", "The two PINs differ; type them again"),
        "card.title": ("บัตรประจำตัวประชาชน", "Thai National ID Card"),
        "card.id": ("เลขประจำตัวประชาชน", "Identification Number"),
        "card.name": ("ชื่อตัวและชื่อสกุล", "Name"),
        "card.birth": ("เกิดวันที่", "Date of Birth"),
        "card.issue": ("วันออกบัตร", "Date of Issue"),
        "card.expiry": ("วันบัตรหมดอายุ", "Date of Expiry"),
        "card.laser": ("เลขหลังบัตร", "Laser code"),
        "card.issuer": ("ผู้ออกบัตร", "Issuer"),
        "card.status": ("สถานะ", "Status"),
        "card.checked": ("ตรวจสอบล่าสุด", "Last checked"),
        "card.never": ("ยังไม่ได้ตรวจสอบ", "never checked"),
        "card.none": ("ยังไม่มีบัตร กด e เพื่อลงทะเบียน", "No card yet: press e to enrol"),
        "consent.asks": ("ผู้ขอข้อมูล", "Who asks"),
        "consent.why": ("วัตถุประสงค์", "Why"),
        "consent.claims": ("ข้อมูลที่จะได้รับ", "They will receive"),
        "consent.approve": ("ยินยอม", "Approve"),
        "consent.decline": ("ปฏิเสธ", "Decline"),
        "state.valid": ("ใช้งานได้", "valid"),
        "state.suspended": ("ระงับชั่วคราว", "suspended"),
        "state.revoked": ("ถูกเพิกถอน", "revoked"),
        "state.expired": ("หมดอายุ", "expired"),
        "state.unknown": ("ไม่ทราบ", "unknown"),
        "requests.connecting": ("กำลังเชื่อมต่อผู้ออกบัตร…", "Connecting to the issuer…"),
        "requests.reconnecting": ("กำลังเชื่อมต่อใหม่…", "Reconnecting…"),
        "requests.disconnected": ("ขาดการเชื่อมต่อ: {reason}", "Disconnected: {reason}"),
        "requests.stopped": ("หยุดติดตามคำขอแล้ว", "Stopped following the requests"),
        "requests.count": (
            "คำขอ {count} รายการ การเปลี่ยนแปลงจะแสดงทันที",
            "{count} request(s); changes appear as they happen",
        ),
        "requests.changed": ("คำขอเปลี่ยนสถานะ", "Request changed"),
        "requests.kind": ("ประเภท", "Kind"),
        "requests.state": ("สถานะ", "State"),
        "requests.details": ("รายละเอียด", "Details"),
        "requests.event": ("เหตุการณ์ล่าสุด", "Last event"),
        "requests.kind.address_change": ("ย้ายที่อยู่", "address change"),
        "requests.kind.house_number_application": ("ขอเลขที่บ้าน", "house number application"),
        "requests.kind.appointment": ("นัดหมาย", "appointment"),
    }
)


def t(key: str, language: Language) -> str:
    """The label ``key`` in ``language`` (the key itself when unknown)."""
    pair = _LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if language is Language.TH else pair[1]


def both(key: str) -> str:
    """Thai and English together, as the physical card prints them."""
    pair = _LABELS.get(key, (key, key))
    return f"{pair[0]} {pair[1]}"


def stacked(key: str) -> str:
    """Thai above English, as the card prints its field labels."""
    pair = _LABELS.get(key, (key, key))
    return f"{pair[0]}\n{pair[1]}"
