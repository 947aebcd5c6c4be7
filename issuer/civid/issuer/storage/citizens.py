"""Citizens and houses of the civil registry. Face templates are sealed before they are stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, select, update

from civid.core.crypto.sealed import open_sealed, seal
from civid.core.errors import CividError, ErrorCode
from civid.issuer.registry.model import Address, Citizen, House, PersonName, Sex
from civid.issuer.storage.common import Clock
from civid.issuer.storage.schema import citizens, houses
from civid.service.db.tx import joined, read

_ADDRESS_COLUMNS = (
    "house_number",
    "moo",
    "soi",
    "road",
    "sub_district",
    "district",
    "province",
    "postal_code",
    "house_code",
)
_HOUSE_COLUMNS = (
    "house_code",
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "sub_district",
    "district",
    "province",
    "postal_code",
    "owner_national_id",
)


class CitizenRepository:
    """The registry's people. ``template_key`` seals face templates (needed only to store or read them)."""

    def __init__(self, engine: Engine, clock: Clock, template_key: bytes | None = None) -> None:
        self._engine = engine
        self._clock = clock
        self._template_key = template_key

    def add_many(self, people: Sequence[Citizen], conn: Connection | None = None) -> None:
        """Insert new citizens (ALREADY_EXISTS-style IntegrityError if one is there already)."""
        if not people:
            return
        now = self._clock()
        rows = [self._to_row(c) | {"created_at": now, "updated_at": now} for c in people]
        with joined(self._engine, conn) as c:
            c.execute(citizens.insert(), rows)

    def get(self, national_id: str, *, with_template: bool = False) -> Citizen | None:
        """The citizen, or None; ``with_template`` unseals the face template (needs the key)."""
        with read(self._engine) as conn:
            row = conn.execute(select(citizens).where(citizens.c.national_id == national_id)).first()
        return None if row is None else self._from_row(row, with_template)

    def require(self, national_id: str, *, with_template: bool = False) -> Citizen:
        citizen = self.get(national_id, with_template=with_template)
        if citizen is None:
            raise CividError(ErrorCode.NOT_FOUND, "no such citizen")
        return citizen

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(set(ids))
        with read(self._engine) as conn:
            found = conn.execute(select(citizens.c.national_id).where(citizens.c.national_id.in_(wanted)))
            return set(found.scalars())

    def members_of_house(self, house_code: str) -> list[Citizen]:
        """Everyone registered at ``house_code`` (the household registration extract), by ID."""
        query = select(citizens).where(citizens.c.house_code == house_code).order_by(citizens.c.national_id)
        with read(self._engine) as conn:
            return [self._from_row(r, False) for r in conn.execute(query)]

    def count(self) -> int:
        with read(self._engine) as conn:
            return int(conn.execute(select(func.count()).select_from(citizens)).scalar_one())

    def move(self, national_id: str, address: Address, conn: Connection | None = None) -> None:
        """Register the citizen at a new address."""
        values = {k: getattr(address, k) for k in _ADDRESS_COLUMNS} | {"updated_at": self._clock()}
        self._update(national_id, values, conn)

    def set_face_template(self, national_id: str, template: bytes, conn: Connection | None = None) -> None:
        self._update(
            national_id, {"face_template_sealed": self._seal(template), "updated_at": self._clock()}, conn
        )

    def _update(self, national_id: str, values: dict[str, Any], conn: Connection | None) -> None:
        with joined(self._engine, conn) as c:
            result = c.execute(update(citizens).where(citizens.c.national_id == national_id).values(**values))
        if result.rowcount != 1:
            raise CividError(ErrorCode.NOT_FOUND, "no such citizen")

    def _seal(self, template: bytes) -> bytes:
        if self._template_key is None:
            raise CividError(
                ErrorCode.STORAGE_CONFIG, "no template key configured: cannot store face templates"
            )
        return seal(self._template_key, template)

    def _to_row(self, c: Citizen) -> dict[str, Any]:
        row: dict[str, Any] = {k: getattr(c.address, k) for k in _ADDRESS_COLUMNS}
        for lang, name in (("th", c.name_th), ("en", c.name_en)):
            row |= {f"title_{lang}": name.title, f"given_{lang}": name.given, f"family_{lang}": name.family}
        return row | {
            "national_id": c.national_id,
            "laser_code": c.laser_code,
            "birth_date": c.birth_date,
            "sex": c.sex.value,
            "religion": c.religion,
            "card_issued": c.card_issued,
            "card_expires": c.card_expires,
            "issuing_office": c.issuing_office,
            "photo_jpeg": c.photo_jpeg,
            "face_template_sealed": None if c.face_template is None else self._seal(c.face_template),
        }

    def _from_row(self, row: Row[Any], with_template: bool) -> Citizen:
        m = row._mapping
        template = None
        if with_template and m["face_template_sealed"] is not None:
            if self._template_key is None:
                raise CividError(
                    ErrorCode.STORAGE_CONFIG, "no template key configured: cannot read templates"
                )
            template = open_sealed(self._template_key, bytes(m["face_template_sealed"]))
        return Citizen(
            national_id=m["national_id"],
            laser_code=m["laser_code"],
            name_th=PersonName(m["title_th"], m["given_th"], m["family_th"]),
            name_en=PersonName(m["title_en"], m["given_en"], m["family_en"]),
            birth_date=m["birth_date"],
            sex=Sex(m["sex"]),
            religion=m["religion"],
            address=Address(**{k: m[k] for k in _ADDRESS_COLUMNS}),
            card_issued=m["card_issued"],
            card_expires=m["card_expires"],
            issuing_office=m["issuing_office"],
            photo_jpeg=bytes(m["photo_jpeg"]),
            face_template=template,
        )


class HouseRepository:
    """House registrations and their owners."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def add_many(self, items: Sequence[House], conn: Connection | None = None) -> None:
        if not items:
            return
        now = self._clock()
        rows = [{k: getattr(h, k) for k in _HOUSE_COLUMNS} | {"created_at": now} for h in items]
        with joined(self._engine, conn) as c:
            c.execute(houses.insert(), rows)

    def get(self, house_code: str) -> House | None:
        with read(self._engine) as conn:
            row = conn.execute(select(houses).where(houses.c.house_code == house_code)).first()
        return None if row is None else House(**{k: row._mapping[k] for k in _HOUSE_COLUMNS})

    def existing_codes(self, codes: Iterable[str]) -> set[str]:
        wanted = list(set(codes))
        with read(self._engine) as conn:
            return set(
                conn.execute(select(houses.c.house_code).where(houses.c.house_code.in_(wanted))).scalars()
            )

    def set_owner(self, house_code: str, owner_national_id: str, conn: Connection | None = None) -> None:
        stmt = (
            update(houses)
            .where(houses.c.house_code == house_code)
            .values(owner_national_id=owner_national_id)
        )
        with joined(self._engine, conn) as c:
            if c.execute(stmt).rowcount != 1:
                raise CividError(ErrorCode.NOT_FOUND, "no such house")

    def next_house_number(
        self, province: str, district: str, sub_district: str, moo: str | None, conn: Connection | None = None
    ) -> str:
        """The next free plain house number in a village (1 + the highest all-digit number there)."""
        where = [
            houses.c.province == province,
            houses.c.district == district,
            houses.c.sub_district == sub_district,
        ]
        where.append(houses.c.moo.is_(None) if moo is None else houses.c.moo == moo)
        with joined(self._engine, conn) as c:
            numbers = c.execute(select(houses.c.house_number).where(*where)).scalars()
            plain = [int(n) for n in numbers if n.isascii() and n.isdigit()]
        return str(max(plain, default=0) + 1)
