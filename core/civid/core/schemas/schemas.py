"""JSON Schemas (draft 2020-12) of civid's credential types, shipped in this folder.

``$ref`` between our schemas resolve from this folder only; no schema is ever fetched.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any, Final

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from civid.core.errors import CividError, ErrorCode
from civid.core.schemas.fastcheck import fast_validator
from civid.core.schemas.inline import inline_refs

_BASE: Final = "https://w3id.org/civid/schemas/"
COMMON_V1: Final = _BASE + "common/v1.json"
NATIONAL_ID_V1: Final = _BASE + "national-id/v1.json"
HOUSEHOLD_REGISTRATION_V1: Final = _BASE + "household-registration/v1.json"
BIRTH_RECORD_V1: Final = _BASE + "birth-record/v1.json"
HOUSE_REGISTRATION_V1: Final = _BASE + "house-registration/v1.json"
APPOINTMENT_TICKET_V1: Final = _BASE + "appointment-ticket/v1.json"

SCHEMA_BY_CREDENTIAL_TYPE: Final[Mapping[str, str]] = {
    "NationalIdCredential": NATIONAL_ID_V1,
    "HouseholdRegistrationCredential": HOUSEHOLD_REGISTRATION_V1,
    "BirthRecordCredential": BIRTH_RECORD_V1,
    "HouseRegistrationCredential": HOUSE_REGISTRATION_V1,
    "AppointmentTicketCredential": APPOINTMENT_TICKET_V1,
}


def _file_for(url: str) -> str:
    """``…/schemas/national-id/v1.json`` is shipped as ``national-id-v1.json``."""
    return url.removeprefix(_BASE).replace("/", "-")


@functools.cache
def _schemas() -> Mapping[str, Mapping[str, Any]]:
    urls = (COMMON_V1, *SCHEMA_BY_CREDENTIAL_TYPE.values())
    folder = resources.files(__package__ or "civid.core.schemas")
    return {url: json.loads((folder / _file_for(url)).read_bytes()) for url in urls}


@functools.cache
def _validator(url: str) -> Draft202012Validator:
    """Built once per schema, with every ``$ref`` inlined (a reference lookup per use was a third of
    an issuance); the registry stays for completeness, nothing is left to resolve through it."""
    schemas = _schemas()
    registry: Registry[Any] = Registry().with_resources(
        (known, Resource.from_contents(dict(contents))) for known, contents in schemas.items()
    )
    return Draft202012Validator(
        inline_refs(url, schemas), registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@functools.cache
def _fits(url: str) -> Callable[[Any], bool]:
    """The quick check for the schema (:mod:`.fastcheck`): True only where jsonschema agrees."""
    found = fast_validator(inline_refs(url, _schemas()))
    return found if found is not None else _never


def _never(_instance: Any) -> bool:
    return False


def known_schema_urls() -> frozenset[str]:
    return frozenset(_schemas())


def _known(url: str) -> Mapping[str, Any]:
    found = _schemas().get(url)
    if found is None:
        raise CividError(ErrorCode.SCHEMA_MISMATCH, f"no civid schema has $id {url!r}")
    return found


def schema_for(url: str) -> dict[str, Any]:
    """A copy of the schema whose ``$id`` is ``url``; ``SCHEMA_MISMATCH`` when civid has none."""
    return copy.deepcopy(dict(_known(url)))


def _describe(error: ValidationError) -> str:
    return f"{error.json_path}: {error.message}"


def validate_credential(credential: Mapping[str, Any], schema_url: str) -> None:
    """Raise ``SCHEMA_MISMATCH`` naming the first failing path unless ``credential`` fits the schema.

    jsonschema decides (and words the message); a quick check (:mod:`.fastcheck`) that can only say
    *fits* where jsonschema would spares it the common case."""
    _known(schema_url)  # unknown URL -> SCHEMA_MISMATCH
    if _fits(schema_url)(credential):
        return
    errors = list(_validator(schema_url).iter_errors(credential))
    if errors:
        first = best_match(errors)
        message = f"credential does not match {schema_url}: {_describe(first)}"
        raise CividError(ErrorCode.SCHEMA_MISMATCH, message)
