"""What a person is told for each :class:`FaceReason`, in English and Thai (the one place for them)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

from civid.issuer.face.types import FaceReason

Language = Literal["en", "th"]

_MESSAGES: MappingProxyType[FaceReason, dict[Language, str]] = MappingProxyType(
    {
        FaceReason.MATCH: {
            "en": "Your face matches the photo on record.",
            "th": "ใบหน้าของคุณตรงกับรูปถ่ายในทะเบียน",
        },
        FaceReason.NO_FACE: {
            "en": "We could not find a face in the photo. Face the camera in good light and try again.",
            "th": "ไม่พบใบหน้าในภาพ กรุณาหันหน้าเข้าหากล้องในที่ที่มีแสงสว่างเพียงพอ แล้วลองอีกครั้ง",
        },
        FaceReason.SEVERAL_FACES: {
            "en": "There is more than one face in the photo. Make sure only you are in the picture.",
            "th": "พบใบหน้ามากกว่าหนึ่งคนในภาพ กรุณาถ่ายภาพให้มีเพียงใบหน้าของคุณเท่านั้น",
        },
        FaceReason.FACE_TOO_SMALL: {
            "en": "Your face is too small in the photo. Move closer to the camera and try again.",
            "th": "ใบหน้าในภาพมีขนาดเล็กเกินไป กรุณาขยับเข้าใกล้กล้องมากขึ้น แล้วลองอีกครั้ง",
        },
        FaceReason.LOW_CONFIDENCE: {
            "en": "Your face is not clear enough. Use more light, uncover your face, hold the camera still.",
            "th": "ภาพใบหน้าไม่ชัดเจนพอ กรุณาถ่ายในที่ที่มีแสงสว่าง ไม่มีสิ่งใดบังใบหน้า และถือกล้องให้นิ่ง",
        },
        FaceReason.UNREADABLE_IMAGE: {
            "en": "The photo could not be read. Please send a JPEG or PNG photo.",
            "th": "ไม่สามารถอ่านไฟล์ภาพได้ กรุณาส่งภาพถ่ายชนิด JPEG หรือ PNG",
        },
        FaceReason.IMAGE_TOO_LARGE: {
            "en": "The photo is too large. Please send a smaller photo.",
            "th": "ไฟล์ภาพมีขนาดใหญ่เกินไป กรุณาส่งภาพที่มีขนาดเล็กลง",
        },
        FaceReason.NO_MATCH: {
            "en": "Your face does not match the photo on record. Try again, or visit a district office.",
            "th": "ใบหน้าของคุณไม่ตรงกับรูปถ่ายในทะเบียน กรุณาลองอีกครั้ง หรือติดต่อสำนักงานเขตหรือที่ว่าการอำเภอ",
        },
    }
)


def person_message(reason: FaceReason, language: Language = "en") -> str:
    """The sentence shown to the citizen for ``reason`` (never any registry data)."""
    return _MESSAGES[reason][language]
