import json
from collections.abc import Callable
from pathlib import Path

from civid.issuer.demo_registry import DEMO_FILE, DEMO_PHOTO_NAMES
from civid.issuer.demo_registry.generate import build_rows, write_demo_registry
from civid.issuer.registry import import_jsonl, is_valid_national_id
from civid.issuer.storage import Store


def test_shipped_demo_file_is_what_the_generator_writes(tmp_path: Path) -> None:
    regenerated = write_demo_registry(tmp_path)
    assert regenerated.read_text(encoding="utf-8") == DEMO_FILE.read_text(encoding="utf-8")
    for photo in (tmp_path / "photos").iterdir():
        assert photo.read_bytes() == (DEMO_FILE.parent / "photos" / photo.name).read_bytes()


def test_demo_registry_imports_with_photos_resolved_by_name(
    store: Store, make_jpeg: Callable[..., bytes]
) -> None:
    asked: list[str] = []

    def resolve(name: str) -> bytes:
        asked.append(name)
        return make_jpeg(400, 500)

    report = import_jsonl(DEMO_FILE, store, photo_resolver=resolve)

    assert report.ok, report.errors
    assert (report.citizens_loaded, report.houses_loaded) == (12, 6)
    assert sorted(asked) == sorted(DEMO_PHOTO_NAMES)


def test_demo_has_the_roles_the_demo_flows_need() -> None:
    rows = build_rows()
    people = [r for r in rows if r["kind"] == "citizen"]
    houses = {r["house_code"]: r for r in rows if r["kind"] == "house"}
    assert all(is_valid_national_id(p["national_id"]) for p in people)
    [enrollee] = [p for p in people if "DEMO ENROLLEE" in p.get("note", "")]
    assert enrollee["photo"] == {"name": "obama.jpg"} and "obama2.jpg" in enrollee["note"]
    home = enrollee["address"]["house_code"]
    assert houses[home]["owner_national_id"] == enrollee["national_id"]
    assert sum(p["address"]["house_code"] == home for p in people) == 2  # two citizens in one house
    others = [h for code, h in houses.items() if code != home]
    assert all(h["owner_national_id"] != enrollee["national_id"] for h in others)  # a house to move into
    assert json.dumps(rows, ensure_ascii=False).count('"name": "') == 4
