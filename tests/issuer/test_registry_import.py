import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from civid.issuer.registry import import_jsonl
from civid.issuer.storage import Store, read
from civid.issuer.storage.schema import citizens

ADDRESS = {
    "house_number": "99",
    "moo": "3",
    "sub_district": "ลาดยาว",
    "district": "จตุจักร",
    "province": "กรุงเทพมหานคร",
    "postal_code": "10900",
    "house_code": "10300123456",
}


def citizen_row(nid: str, photo: dict[str, str], **overrides: Any) -> dict[str, Any]:
    row = {
        "national_id": nid,
        "laser_code": "JT0-1234567-89",
        "name_th": {"title": "นาง", "given": "สมศรี", "family": "ใจดี"},
        "name_en": {"title": "Mrs.", "given": "Somsri", "family": "Jaidee"},
        "birth_date": "1980-01-02",
        "sex": "female",
        "religion": "พุทธ",
        "address": ADDRESS,
        "card_issued": "2021-01-02",
        "card_expires": "2030-01-01",
        "issuing_office": "สำนักงานเขตจตุจักร",
        "photo": photo,
    }
    return row | overrides


def house_row(owner: str | None) -> dict[str, Any]:
    row = {k: v for k, v in ADDRESS.items()} | {"kind": "house", "village": "หมู่บ้านสุขใจ"}
    return row | ({"owner_national_id": owner} if owner else {})


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_loads_citizens_and_houses_with_every_photo_source(
    store: Store, tmp_path: Path, make_jpeg: Callable[..., bytes], make_national_id: Callable[[int], str]
) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "b.jpg").write_bytes(make_jpeg(300, 400))
    a, b, c = make_national_id(1), make_national_id(2), make_national_id(3)
    rows = [
        citizen_row(a, {"base64": base64.b64encode(make_jpeg(200, 250)).decode()}),
        citizen_row(b, {"file": "photos/b.jpg"}),
        citizen_row(c, {"name": "obama.jpg"}, note="resolved by name"),
        house_row(owner=a),
    ]
    resolved: list[str] = []

    def resolver(name: str) -> bytes:
        resolved.append(name)
        return make_jpeg(640, 480)

    report = import_jsonl(write_jsonl(tmp_path / "export.jsonl", rows), store, photo_resolver=resolver)

    assert report.ok, report.errors
    assert (report.citizens_loaded, report.houses_loaded) == (3, 1)
    assert resolved == ["obama.jpg"]
    loaded = store.citizens.require(b)
    assert loaded.name_en.given == "Somsri" and loaded.address.house_code == "10300123456"
    assert loaded.photo_jpeg.startswith(b"\xff\xd8\xff") and len(loaded.photo_jpeg) < 16_000
    house = store.houses.get("10300123456")
    assert house is not None and house.owner_national_id == a
    assert [m.national_id for m in store.citizens.members_of_house("10300123456")] == sorted([a, b, c])


def test_face_templates_are_computed_on_import_and_stored_sealed(
    store: Store, tmp_path: Path, make_jpeg: Callable[..., bytes], make_national_id: Callable[[int], str]
) -> None:
    nid = make_national_id(7)
    photo = make_jpeg(300, 400)
    path = write_jsonl(tmp_path / "e.jsonl", [citizen_row(nid, {"base64": base64.b64encode(photo).decode()})])
    template = b"template-of-" + photo[-16:]

    report = import_jsonl(path, store, template_fn=lambda data: b"template-of-" + data[-16:])

    assert report.ok
    assert store.citizens.require(nid, with_template=True).face_template == template
    assert store.citizens.require(nid).face_template is None  # only unsealed on request
    with read(store.engine) as conn:
        sealed = conn.execute(select(citizens.c.face_template_sealed)).scalar_one()
    assert template not in bytes(sealed)


def test_bad_rows_are_all_reported_with_line_numbers_and_nothing_is_loaded(
    store: Store, tmp_path: Path, make_jpeg: Callable[..., bytes], make_national_id: Callable[[int], str]
) -> None:
    photo = {"base64": base64.b64encode(make_jpeg()).decode()}
    good = make_national_id(10)
    rows = [
        citizen_row(good, photo),  # 1 good
        citizen_row("1103702071812", photo),  # 2 bad check digit
        "{not json",  # 3
        citizen_row(make_national_id(11), photo, laser_code="XX-1"),  # 4 bad laser code
        citizen_row(good, photo),  # 5 duplicate of line 1
        citizen_row(make_national_id(12), {"base64": "not base64!"}),  # 6 bad photo
        citizen_row(make_national_id(13), photo, birth_date="14/03/1985"),  # 7 bad date
        house_row(owner=make_national_id(99)),  # 8 owner unknown
        citizen_row(make_national_id(14), {"file": "../../etc/passwd"}),  # 9 photo outside the export
        citizen_row(make_national_id(15), photo, extra="x"),  # 10 unknown field
    ]
    report = import_jsonl(write_jsonl(tmp_path / "bad.jsonl", rows), store)

    assert not report.ok
    assert [e.line for e in report.errors] == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert "INVALID_NATIONAL_ID" in str(report.errors[0])
    assert "line 1" in report.errors[3].message
    assert (report.citizens_loaded, report.houses_loaded) == (0, 0)
    assert store.citizens.count() == 0
    assert store.houses.get("10300123456") is None


def test_citizen_already_in_the_registry_is_a_bad_row(
    store: Store, tmp_path: Path, make_jpeg: Callable[..., bytes], make_national_id: Callable[[int], str]
) -> None:
    photo = {"base64": base64.b64encode(make_jpeg()).decode()}
    first = write_jsonl(tmp_path / "1.jsonl", [citizen_row(make_national_id(20), photo)])
    assert import_jsonl(first, store).ok
    second = write_jsonl(
        tmp_path / "2.jsonl",
        [citizen_row(make_national_id(21), photo), citizen_row(make_national_id(20), photo)],
    )

    report = import_jsonl(second, store)

    assert [(e.line, e.message) for e in report.errors] == [(2, "national ID is already in the registry")]
    assert store.citizens.count() == 1


def test_a_name_with_a_character_no_claim_may_hold_is_a_bad_row(
    store: Store, tmp_path: Path, make_jpeg: Callable[..., bytes], make_national_id: Callable[[int], str]
) -> None:
    photo = {"base64": base64.b64encode(make_jpeg()).decode()}
    emoji_name = {"title": "Mrs.", "given": "Somsri \U0001f600", "family": "Jaidee"}
    path = write_jsonl(tmp_path / "e.jsonl", [citizen_row(make_national_id(31), photo, name_en=emoji_name)])

    report = import_jsonl(path, store)

    assert [e.line for e in report.errors] == [1]
    assert "U+1F600" in report.errors[0].message
    assert store.citizens.count() == 0


def test_named_photo_without_a_resolver_is_a_bad_row(
    store: Store, tmp_path: Path, make_national_id: Callable[[int], str]
) -> None:
    path = write_jsonl(tmp_path / "n.jsonl", [citizen_row(make_national_id(30), {"name": "obama.jpg"})])
    report = import_jsonl(path, store)
    assert [e.line for e in report.errors] == [1]
    assert "resolver" in report.errors[0].message


def test_import_is_audited_when_an_actor_is_named(
    store: Store, tmp_path: Path, make_jpeg: Callable[..., bytes], make_national_id: Callable[[int], str]
) -> None:
    photo = {"base64": base64.b64encode(make_jpeg()).decode()}
    path = write_jsonl(tmp_path / "a.jsonl", [citizen_row(make_national_id(40), photo)])
    import_jsonl(path, store, actor="admin:root")
    [entry] = store.audit.entries()
    assert (entry.actor, entry.action, entry.details) == (
        "admin:root",
        "registry.import",
        {"citizens": 1, "houses": 0},
    )
