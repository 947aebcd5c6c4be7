"""Load a civil-registry export (JSON Lines) into the store: all rows or none.

Every row is validated first — shape, national ID check digit, laser code, dates, the photo (decoded
and re-encoded small), duplicates within the file and against the registry, house owners — and every
bad row is reported with its line number. Only a file without a single bad row is written, in one
transaction. Row format: :mod:`civid.issuer.registry.records`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from civid.core.errors import CividError, ErrorCode
from civid.issuer.registry.model import Citizen, House
from civid.issuer.registry.photo import normalize_photo
from civid.issuer.registry.records import CitizenRow, PhotoRef, build_citizen, parse_citizen_row, parse_house

if TYPE_CHECKING:
    from civid.issuer.storage.store import Store

TemplateFn = Callable[[bytes], bytes | None]
"""Computes a face template from a photo (supplied by the face module); None: no template for this
photo (the citizen can then enrol only at a district office). Raising makes the row bad."""
PhotoResolver = Callable[[str], Path | bytes]
"""Finds a photo named in a row (``{"name": "obama.jpg"}``): its path or its bytes."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ImportReport:
    citizens_loaded: int = 0
    houses_loaded: int = 0
    errors: tuple[RowError, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Parsed:
    citizens: list[tuple[int, Citizen]]
    houses: list[tuple[int, House]]
    errors: list[RowError]


def import_jsonl(
    path: Path,
    store: Store,
    *,
    template_fn: TemplateFn | None = None,
    photo_resolver: PhotoResolver | None = None,
    actor: str | None = None,
) -> ImportReport:
    """Validate every row of ``path``; load all of them in one transaction, or none if any is bad.

    ``actor`` (e.g. ``admin:somchai``) adds a ``registry.import`` entry to the audit log in the same
    transaction.
    """
    parsed = _parse_file(path, template_fn, photo_resolver)
    errors = parsed.errors + _conflicts(parsed, store)
    if errors:
        return ImportReport(errors=tuple(sorted(errors, key=lambda e: e.line)))
    people, houses = [c for _, c in parsed.citizens], [h for _, h in parsed.houses]
    with store.write() as conn:
        store.citizens.add_many(people, conn)
        store.houses.add_many(houses, conn)
        if actor is not None:
            details = {"citizens": len(people), "houses": len(houses)}
            store.audit.append(
                actor, "registry.import", f"file:{path.name}", "registry import", details, conn
            )
    return ImportReport(citizens_loaded=len(people), houses_loaded=len(houses))


def _parse_file(path: Path, template_fn: TemplateFn | None, resolver: PhotoResolver | None) -> _Parsed:
    parsed = _Parsed([], [], [])
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                kind = obj.get("kind", "citizen") if isinstance(obj, dict) else None
                if kind == "house":
                    parsed.houses.append((number, parse_house(obj)))
                elif kind == "citizen":
                    row = parse_citizen_row(obj)
                    parsed.citizens.append((number, _citizen(row, path.parent, template_fn, resolver)))
                else:
                    parsed.errors.append(
                        RowError(number, "a row is a JSON object of kind 'citizen' or 'house'")
                    )
            except json.JSONDecodeError as exc:
                parsed.errors.append(RowError(number, f"not valid JSON: {exc.msg}"))
            except CividError as exc:
                parsed.errors.append(RowError(number, f"{exc.code.value}: {exc.message}"))
    return parsed


def _citizen(
    row: CitizenRow, base: Path, template_fn: TemplateFn | None, resolver: PhotoResolver | None
) -> Citizen:
    original = _load_photo(row.photo, base, resolver)
    template = None
    if template_fn is not None:
        try:
            template = template_fn(original)
        except CividError:
            raise
        except Exception as exc:  # the face module's own refusal (no face, ...) makes the row bad
            raise CividError(ErrorCode.INVALID_PHOTO, f"no face template from the photo: {exc}") from exc
    return build_citizen(row, normalize_photo(original), template)


def _load_photo(ref: PhotoRef, base: Path, resolver: PhotoResolver | None) -> bytes:
    if ref.kind == "base64":
        try:
            return base64.b64decode(ref.value, validate=True)
        except binascii.Error as exc:
            raise CividError(ErrorCode.INVALID_PHOTO, "photo.base64 is not valid base64") from exc
    if ref.kind == "file":
        file = (base / ref.value).resolve()
        if not file.is_relative_to(base.resolve()) or not file.is_file():
            raise CividError(ErrorCode.INVALID_PHOTO, f"photo file {ref.value!r} not found beside the export")
        return file.read_bytes()
    if resolver is None:
        raise CividError(
            ErrorCode.INVALID_PHOTO, f"photo {ref.value!r} is named but no photo resolver was given"
        )
    try:
        found = resolver(ref.value)
    except (OSError, LookupError) as exc:
        raise CividError(ErrorCode.INVALID_PHOTO, f"photo {ref.value!r} could not be found: {exc}") from exc
    return found if isinstance(found, bytes) else found.read_bytes()


def _conflicts(parsed: _Parsed, store: Store) -> list[RowError]:
    """Duplicates within the file or with the registry, and houses whose owner is unknown."""
    errors: list[RowError] = []
    errors += _duplicates([(n, c.national_id) for n, c in parsed.citizens], "national ID")
    errors += _duplicates([(n, h.house_code) for n, h in parsed.houses], "house code")
    in_db = store.citizens.existing_ids(c.national_id for _, c in parsed.citizens)
    errors += [
        RowError(n, "national ID is already in the registry")
        for n, c in parsed.citizens
        if c.national_id in in_db
    ]
    houses_in_db = store.houses.existing_codes(h.house_code for _, h in parsed.houses)
    errors += [
        RowError(n, "house code is already in the registry")
        for n, h in parsed.houses
        if h.house_code in houses_in_db
    ]
    owners = {h.owner_national_id for _, h in parsed.houses if h.owner_national_id}
    known = {c.national_id for _, c in parsed.citizens} | store.citizens.existing_ids(owners)
    errors += [
        RowError(n, "the house owner is not a citizen in this file or the registry")
        for n, h in parsed.houses
        if h.owner_national_id and h.owner_national_id not in known
    ]
    return errors


def _duplicates(keyed: list[tuple[int, str]], what: str) -> list[RowError]:
    first: dict[str, int] = {}
    errors: list[RowError] = []
    for number, key in keyed:
        if key in first:
            errors.append(RowError(number, f"{what} already given on line {first[key]}"))
        else:
            first[key] = number
    return errors
