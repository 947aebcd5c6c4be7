"""Generate the synthetic demo registry: ``python -m civid.issuer.demo_registry.generate [DIR]``.

Twelve invented Thai citizens (every name, ID and laser code here is made up; the IDs carry valid
check digits) at real provinces, districts and postal codes, and their houses:

* DEMO ENROLLEE — นายสมชาย ใจดี (Somchai Jaidee): his registry photo is ``obama.jpg``; the demo
  enrols him with the selfie ``obama2.jpg`` (another photo of the same man), so the face match succeeds.
* Somchai and his wife Somsri live in one house (two citizens, one house) which Somchai owns.
* Another citizen, Prasert, owns a house in Chiang Mai that Somchai asks to move into (address-change
  flow: Prasert consents from his wallet).
* ``biden.jpg``, ``astronaut.png`` and ``grace_hopper.jpg`` are registry photos of three more citizens
  (negatives for the face match: a different person). The others have a drawn silhouette — no face,
  so no template: they can enrol only at a district office.

Photos named in a row (``{"name": ...}``) are not shipped: they are taken from installed packages at
set-up time and resolved when the file is imported. The silhouettes are ours, drawn here.
"""

from __future__ import annotations

import io
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from PIL import Image, ImageDraw

from civid.issuer.registry.national_id import check_digit

DEMO_DIR: Final = Path(__file__).parent
SEED: Final = 20261126


@dataclass(frozen=True)
class Place:
    province: str
    district: str
    sub_district: str
    postal_code: str
    office_code: str  # 4 digits: province + district registration office
    office: str


PLACES: Final = {
    "bkk": Place("กรุงเทพมหานคร", "จตุจักร", "ลาดยาว", "10900", "1030", "สำนักงานเขตจตุจักร"),
    "cnx": Place("เชียงใหม่", "เมืองเชียงใหม่", "ศรีภูมิ", "50200", "5001", "ที่ว่าการอำเภอเมืองเชียงใหม่"),
    "kkn": Place("ขอนแก่น", "เมืองขอนแก่น", "ในเมือง", "40000", "4001", "ที่ว่าการอำเภอเมืองขอนแก่น"),
    "hkt": Place("ภูเก็ต", "เมืองภูเก็ต", "ตลาดใหญ่", "83000", "8301", "ที่ว่าการอำเภอเมืองภูเก็ต"),
    "hdy": Place("สงขลา", "หาดใหญ่", "หาดใหญ่", "90110", "9011", "ที่ว่าการอำเภอหาดใหญ่"),
    "nma": Place("นครราชสีมา", "เมืองนครราชสีมา", "ในเมือง", "30000", "3001", "ที่ว่าการอำเภอเมืองนครราชสีมา"),
}

# key, place, house number, moo, village, soi, road, owner key
HOUSES: Final = [
    ("h1", "bkk", "99/12", None, "หมู่บ้านสวนลาดยาว", "พหลโยธิน 32", "พหลโยธิน", "somchai"),
    ("h2", "cnx", "45", "2", "บ้านศรีภูมิ", None, "มูลเมือง", "prasert"),
    ("h3", "kkn", "123", "5", None, None, "มิตรภาพ", "wanida"),
    ("h4", "hkt", "8", None, None, "รมณีย์", "ถลาง", "anan"),
    ("h5", "hdy", "270", None, None, "ธรรมนูญวิถี 7", "ธรรมนูญวิถี", "kanya"),
    ("h6", "nma", "56", "9", "บ้านโพธิ์กลาง", None, "ราชดำเนิน", "chatchai"),
]

# key, house, sex, th (title, given, family), en (title, given, family), birth, religion, photo
PEOPLE: Final = [
    (
        "somchai",
        "h1",
        "male",
        ("นาย", "สมชาย", "ใจดี"),
        ("Mr.", "Somchai", "Jaidee"),
        "1984-06-12",
        "พุทธ",
        "obama.jpg",
    ),
    (
        "somsri",
        "h1",
        "female",
        ("นาง", "สมศรี", "ใจดี"),
        ("Mrs.", "Somsri", "Jaidee"),
        "1986-02-03",
        "พุทธ",
        None,
    ),
    (
        "prasert",
        "h2",
        "male",
        ("นาย", "ประเสริฐ", "ศรีสุข"),
        ("Mr.", "Prasert", "Srisuk"),
        "1962-11-20",
        "พุทธ",
        "biden.jpg",
    ),
    ("malee", "h2", "female", ("นาง", "มาลี", "ศรีสุข"), ("Mrs.", "Malee", "Srisuk"), "1965-04-09", "พุทธ", None),
    (
        "wanida",
        "h3",
        "female",
        ("นางสาว", "วนิดา", "บุญมา"),
        ("Miss", "Wanida", "Boonma"),
        "1990-09-30",
        "พุทธ",
        "astronaut.png",
    ),
    ("anan", "h4", "male", ("นาย", "อนันต์", "ทองคำ"), ("Mr.", "Anan", "Thongkham"), "1978-01-15", "พุทธ", None),
    (
        "kanya",
        "h5",
        "female",
        ("นาง", "กันยา", "หวันหลี"),
        ("Mrs.", "Kanya", "Wanlee"),
        "1969-12-09",
        "อิสลาม",
        "grace_hopper.jpg",
    ),
    ("arif", "h5", "male", ("นาย", "อารีฟ", "หวันหลี"), ("Mr.", "Arif", "Wanlee"), "1995-07-21", "อิสลาม", None),
    (
        "chatchai",
        "h6",
        "male",
        ("นาย", "ชาติชาย", "พรหมมา"),
        ("Mr.", "Chatchai", "Promma"),
        "1972-03-03",
        "พุทธ",
        None,
    ),
    (
        "nittaya",
        "h6",
        "female",
        ("นางสาว", "นิตยา", "พรหมมา"),
        ("Miss", "Nittaya", "Promma"),
        "2001-05-17",
        "คริสต์",
        None,
    ),
    (
        "somkiat",
        "h3",
        "male",
        ("นาย", "สมเกียรติ", "บุญมา"),
        ("Mr.", "Somkiat", "Boonma"),
        "1958-08-08",
        "พุทธ",
        None,
    ),
    (
        "pim",
        "h4",
        "female",
        ("เด็กหญิง", "พิมพ์", "ทองคำ"),
        ("Miss", "Pim", "Thongkham"),
        "2013-10-01",
        "พุทธ",
        None,
    ),
]

DEMO_ENROLLEE: Final = "somchai"
ENROLLEE_NOTE: Final = (
    "DEMO ENROLLEE: registry photo obama.jpg; the demo's selfie is obama2.jpg (same person)"
)


def _national_id(rng: random.Random, birth_year: int, office_code: str) -> str:
    first = "1" if birth_year >= 1984 else "3"
    first12 = f"{first}{office_code}{rng.randrange(100000):05d}{rng.randrange(100):02d}"
    return first12 + str(check_digit(first12))


def _laser_code(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
    return f"{letters}{rng.randrange(10)}-{rng.randrange(10**7):07d}-{rng.randrange(100):02d}"


def _house_code(rng: random.Random, place: Place) -> str:
    return f"{place.office_code}{rng.randrange(10**7):07d}"


def build_rows(seed: int = SEED) -> list[dict[str, Any]]:
    """The demo registry as JSON Lines rows: citizens first, then houses (deterministic for a seed)."""
    rng = random.Random(seed)
    codes = {key: _house_code(rng, PLACES[place]) for key, place, *_ in HOUSES}
    houses = {h[0]: h for h in HOUSES}
    ids: dict[str, str] = {}
    citizens = []
    for key, house_key, sex, th, en, birth, religion, photo in PEOPLE:
        _, place_key, number, moo, _village, soi, road, _owner = houses[house_key]
        place = PLACES[place_key]
        ids[key] = _national_id(rng, int(birth[:4]), place.office_code)
        issued_year = 2020 + rng.randrange(5)
        address = {
            "house_number": number,
            "moo": moo,
            "soi": soi,
            "road": road,
            "sub_district": place.sub_district,
            "district": place.district,
            "province": place.province,
            "postal_code": place.postal_code,
            "house_code": codes[house_key],
        }
        row: dict[str, Any] = {
            "kind": "citizen",
            "national_id": ids[key],
            "laser_code": _laser_code(rng),
            "name_th": dict(zip(("title", "given", "family"), th, strict=True)),
            "name_en": dict(zip(("title", "given", "family"), en, strict=True)),
            "birth_date": birth,
            "sex": sex,
            "religion": religion,
            "address": {k: v for k, v in address.items() if v is not None},
            "card_issued": f"{issued_year}-{birth[5:]}",
            "card_expires": f"{issued_year + 8}-{birth[5:]}",
            "issuing_office": place.office,
            "photo": {"name": photo} if photo else {"file": f"photos/{key}.jpg"},
        }
        if key == DEMO_ENROLLEE:
            row["note"] = ENROLLEE_NOTE
        citizens.append(row)
    return citizens + [_house_row(h, codes[h[0]], ids) for h in HOUSES]


def _house_row(house: tuple[Any, ...], code: str, ids: dict[str, str]) -> dict[str, Any]:
    _key, place_key, number, moo, village, soi, road, owner = house
    place = PLACES[place_key]
    row = {
        "kind": "house",
        "house_code": code,
        "house_number": number,
        "moo": moo,
        "village": village,
        "soi": soi,
        "road": road,
        "sub_district": place.sub_district,
        "district": place.district,
        "province": place.province,
        "postal_code": place.postal_code,
        "owner_national_id": ids[owner],
    }
    return {k: v for k, v in row.items() if v is not None}


def silhouette(seed: int) -> bytes:
    """A drawn head-and-shoulders silhouette (no face): the photo of citizens without a real one."""
    rng = random.Random(seed)
    background = tuple(rng.randrange(150, 230) for _ in range(3))
    image = Image.new("RGB", (160, 200), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((50, 30, 110, 100), fill=(70, 70, 80))
    draw.ellipse((20, 110, 140, 260), fill=(70, 70, 80))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def write_demo_registry(directory: Path = DEMO_DIR, seed: int = SEED) -> Path:
    """Write ``citizens.jsonl`` and the silhouette photos into ``directory``; the JSONL's path."""
    rows = build_rows(seed)
    (directory / "photos").mkdir(parents=True, exist_ok=True)
    for n, row in enumerate(rows):
        photo = row.get("photo", {})
        if "file" in photo:
            (directory / photo["file"]).write_bytes(silhouette(seed + n))
    path = directory / "citizens.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    print(write_demo_registry(Path(args[0]) if args else DEMO_DIR))


if __name__ == "__main__":
    main()
