"""Pytest plugin: the issuer store on SQLite and on PostgreSQL, and registry test data.

``store`` (and ``database_url``) are parametrized over ``sqlite`` (a file in tmp_path) and
``postgres`` (a fresh database ``civid_test_<random>`` on 127.0.0.1:5432 as user postgres, dropped
afterwards; marked ``postgres``).
Register in tests/conftest.py: ``pytest_plugins = ["tests.issuer.db_fixtures"]``.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from PIL import Image

from civid.core.crypto.sealed import new_key
from civid.issuer.registry.model import Address, Citizen, PersonName, Sex
from civid.issuer.registry.national_id import check_digit
from civid.issuer.storage import Store, open_store

PG_ADMIN_DSN = os.environ.get("CIVID_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")
PG_URL = os.environ.get("CIVID_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/{name}")

CitizenFactory = Callable[..., Citizen]


def _pg_admin() -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_DSN}: {exc}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A URL of an empty database on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'issuer.db'}"
        return
    name = f"civid_test_{secrets.token_hex(6)}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def template_key() -> bytes:
    return new_key()


@pytest.fixture
def store(database_url: str, template_key: bytes) -> Iterator[Store]:
    """A migrated store on each engine."""
    opened = open_store(database_url, template_key=template_key)
    try:
        yield opened
    finally:
        opened.close()


def jpeg_bytes(width: int = 120, height: int = 150, colour: tuple[int, int, int] = (200, 160, 120)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG", quality=80)
    return out.getvalue()


def national_id(serial: int, prefix: str = "1") -> str:
    """A valid national ID built from a serial number (computes the check digit)."""
    first12 = f"{prefix}{serial:011d}"
    return first12 + str(check_digit(first12))


@pytest.fixture
def citizen_factory() -> CitizenFactory:
    """``citizen_factory(serial, **overrides)`` → a valid :class:`Citizen`."""

    def make(serial: int = 1, **overrides: Any) -> Citizen:
        values: dict[str, Any] = {
            "national_id": national_id(serial),
            "laser_code": f"JT0-{serial:07d}-01",
            "name_th": PersonName("นาย", "สมชาย", "ใจดี"),
            "name_en": PersonName("Mr.", "Somchai", "Jaidee"),
            "birth_date": date(1985, 3, 14),
            "sex": Sex.MALE,
            "religion": "พุทธ",
            "address": Address("99", "ลาดยาว", "จตุจักร", "กรุงเทพมหานคร", "10900", "10300123456", moo="3"),
            "card_issued": date(2022, 3, 14),
            "card_expires": date(2031, 3, 13),
            "issuing_office": "สำนักงานเขตจตุจักร",
            "photo_jpeg": jpeg_bytes(),
        }
        return Citizen(**(values | overrides))

    return make


@pytest.fixture
def make_jpeg() -> Callable[..., bytes]:
    """``make_jpeg(width, height, colour)`` → JPEG bytes of a plain image."""
    return jpeg_bytes


@pytest.fixture
def make_national_id() -> Callable[..., str]:
    """``make_national_id(serial)`` → a valid 13-digit national ID."""
    return national_id
