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
        "eservice.none_chosen": ("ยังไม่มีรายการให้เลือก", "Nothing to choose yet: refresh or create one first"),
        "eservice.reason": ("เหตุผล (Enter เพื่อยืนยัน)", "Reason (Enter confirms)"),
        "eservice.confirm_keys": ("y/Enter = ยืนยัน · n/Esc = ยกเลิก", "y/Enter = yes · n/Esc = no"),
        "move.house_prompt": ("รหัสประจำบ้านที่จะย้ายเข้า แล้วกด Enter", "House code to move into, then Enter"),
        "move.loading": ("กำลังโหลดคำขอย้ายที่อยู่", "loading your address changes"),
        "move.count": ("คำขอย้ายที่อยู่ {count} รายการ", "{count} address change(s)"),
        "move.requesting": ("กำลังส่งคำขอย้าย", "asking the house owner"),
        "move.requested": (
            "ส่งคำขอย้ายเข้าบ้าน {house} แล้ว รอเจ้าบ้านยินยอม",
            "Asked to move into {house}; waiting for the owner",
        ),
        "move.role": ("บทบาท", "Role"),
        "move.role.owner": ("เจ้าบ้าน", "owner"),
        "move.role.applicant": ("ผู้ขอย้าย", "applicant"),
        "move.role.unspecified": ("-", "-"),
        "move.state": ("สถานะ", "State"),
        "move.house": ("รหัสบ้าน", "House"),
        "move.applicant": ("ผู้ขอย้าย", "Applicant"),
        "move.expires": ("หมดเขต", "Expires"),
        "move.confirm.consent": (
            "ยินยอมให้ {applicant} ย้ายเข้าบ้าน {house}?",
            "Let {applicant} move into {house}?",
        ),
        "move.confirm.refuse": (
            "ปฏิเสธคำขอของ {applicant} ย้ายเข้าบ้าน {house}?",
            "Refuse {applicant} moving into {house}?",
        ),
        "move.confirm.cancel": ("ยกเลิกคำขอย้ายเข้าบ้าน {house}?", "Cancel the move into {house}?"),
        "move.doing.consent": ("กำลังลงนามยินยอม", "signing your consent"),
        "move.doing.refuse": ("กำลังปฏิเสธ", "refusing"),
        "move.doing.cancel": ("กำลังยกเลิก", "cancelling"),
        "move.collecting": ("กำลังรับบัตรใหม่", "collecting your new card"),
        "move.collected": (
            "ได้รับบัตรที่อยู่ใหม่แล้ว บัตรเดิมถูกเพิกถอน",
            "Your card with the new address is in the wallet; the old one is revoked",
        ),
        "copies.household": ("สำเนาทะเบียนบ้าน", "Household registration extract"),
        "copies.birth": ("สำเนาสูติบัตร", "Birth record"),
        "copies.path_prompt": (
            "บันทึกเป็นไฟล์ (Ctrl+T JSON · Ctrl+G หน้าพิมพ์ HTML)",
            "Save to (Ctrl+T JSON · Ctrl+G printable HTML)",
        ),
        "copies.requesting": ("กำลังขอสำเนารับรอง", "requesting the certified copy"),
        "copies.received": (
            "ได้รับสำเนาแล้ว รหัสตรวจสอบ {reference}",
            "Copy received; verification reference {reference}",
        ),
        "copies.exporting": ("กำลังบันทึก", "saving"),
        "copies.saved": ("บันทึกแล้วที่ {path}", "Saved to {path}"),
        "copies.record": ("เอกสาร", "Record"),
        "copies.received_at": ("ได้รับเมื่อ", "Received"),
        "copies.id": ("รหัส", "Id"),
        "house.intro": ("คำขอเลขที่บ้าน (Ctrl+N ยื่นคำขอใหม่)", "House-number applications (Ctrl+N to apply)"),
        "house.loading": ("กำลังโหลดคำขอ", "loading your applications"),
        "house.count": ("คำขอ {count} รายการ", "{count} application(s)"),
        "house.state": ("สถานะ", "State"),
        "house.where": ("ที่ตั้ง", "Where"),
        "house.house": ("รหัสบ้าน", "House"),
        "house.submitted": ("ยื่นเมื่อ", "Submitted"),
        "house.confirm.cancel": ("ถอนคำขอเลขที่บ้านนี้?", "Withdraw this application?"),
        "house.cancelling": ("กำลังถอนคำขอ", "withdrawing"),
        "house.collecting": ("กำลังรับทะเบียนบ้าน", "collecting the house registration"),
        "house.collected": ("ได้รับทะเบียนบ้านแล้ว", "The house registration is in the wallet"),
        "house.applying": ("กำลังยื่นคำขอ", "sending the application"),
        "house.applied": ("ยื่นคำขอแล้ว ({state})", "Application sent ({state})"),
        "house.field.sub_district": ("ตำบล/แขวง *", "Sub-district *"),
        "house.field.district": ("อำเภอ/เขต *", "District *"),
        "house.field.province": ("จังหวัด *", "Province *"),
        "house.field.postal_code": ("รหัสไปรษณีย์ *", "Postal code *"),
        "house.field.land_title_number": ("เลขที่โฉนด *", "Land title number *"),
        "house.field.building_permit_number": ("เลขที่ใบอนุญาตก่อสร้าง *", "Building permit number *"),
        "house.field.moo": ("หมู่ที่", "Moo"),
        "house.field.village": ("หมู่บ้าน", "Village"),
        "house.field.soi": ("ซอย", "Soi"),
        "house.field.road": ("ถนน", "Road"),
        "house.field.latitude": ("ละติจูด", "Latitude"),
        "house.field.longitude": ("ลองจิจูด", "Longitude"),
        "house.field.photos": (
            "รูปถ่าย (ไม่บังคับ คั่นด้วย ,) Ctrl+S ยื่น",
            "Photos (optional, comma-separated); Ctrl+S applies",
        ),
        "booking.loading": ("กำลังโหลดสำนักงานและนัดหมาย", "loading offices and bookings"),
        "booking.count": (
            "นัดหมาย {count} รายการ · Enter ที่สำนักงานเพื่อดูช่วงเวลา",
            "{count} booking(s) · Enter on an office shows its slots",
        ),
        "booking.finding": ("กำลังหาช่วงเวลาว่าง", "finding free slots"),
        "booking.slots": ("ช่วงเวลาว่าง {count} ช่วง · Enter เพื่อจอง", "{count} free slot(s) · Enter books one"),
        "booking.booking": ("กำลังจอง", "booking"),
        "booking.booked": ("จองแล้ว บัตรนัดอยู่ในกระเป๋า", "Booked; the ticket is in the wallet"),
        "booking.cancelling": ("กำลังยกเลิกนัด", "cancelling"),
        "booking.cancelled": ("ยกเลิกนัดแล้ว", "Booking cancelled"),
        "booking.confirm.book": ("จองวันที่ {when} ที่ {where}?", "Book {when} at {where}?"),
        "booking.confirm.cancel": ("ยกเลิกนัดหมายนี้?", "Cancel this booking?"),
        "booking.office": ("สำนักงาน", "Office"),
        "booking.province": ("จังหวัด", "Province"),
        "booking.start": ("เริ่ม", "Starts"),
        "booking.end": ("ถึง", "Ends"),
        "booking.available": ("ว่าง", "Free"),
        "booking.state": ("สถานะ", "State"),
        "booking.when": ("เวลา", "When"),
        "booking.where": ("ที่", "Where"),
        "booking.service": ("บริการ", "Service"),
        "booking.service.ID_CARD": ("ทำบัตรประชาชน", "ID card"),
        "booking.service.DIGITAL_ID": ("ยืนยันตัวตนดิจิทัล", "Digital ID"),
        "booking.service.ADDRESS_CHANGE": ("ย้ายที่อยู่", "Address change"),
        "booking.service.CIVIL_REGISTRATION": ("งานทะเบียนราษฎร", "Civil registration"),
        "booking.service.HOUSE_REGISTRATION": ("ทะเบียนบ้าน", "House registration"),
        "booking.service.CERTIFIED_COPY": ("คัดรับรองเอกสาร", "Certified copy"),
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
