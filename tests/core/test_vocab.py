"""Our vocabulary context https://w3id.org/civid/v1: every term defined, protected, typed."""

from __future__ import annotations

from typing import Any

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld import canonicalize, expand, load_context
from civid.core.jsonld.contexts import CIVID_V1, CIVID_VOCAB, CREDENTIALS_V2
from civid.core.schemas import SCHEMA_BY_CREDENTIAL_TYPE, schema_for

XSD = "http://www.w3.org/2001/XMLSchema#"


def example(credential_type: str) -> dict[str, Any]:
    example: dict[str, Any] = schema_for(SCHEMA_BY_CREDENTIAL_TYPE[credential_type])["examples"][0]
    return example


def test_context_is_json_ld_1_1_and_protected() -> None:
    context = load_context(CIVID_V1)["@context"]
    assert context["@version"] == 1.1
    assert context["@protected"] is True


def test_every_term_maps_to_an_absolute_iri_in_our_namespace() -> None:
    context = load_context(CIVID_V1)["@context"]
    for term, definition in context.items():
        if term.startswith("@"):
            continue
        iri = definition if isinstance(definition, str) else definition["@id"]
        assert iri == CIVID_VOCAB + term


def test_a_full_national_id_credential_has_no_undefined_term() -> None:
    expanded = expand(example("NationalIdCredential"))
    subject = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    assert subject[CIVID_VOCAB + "birthDate"] == [{"@type": XSD + "date", "@value": "1990-04-13"}]
    assert subject[CIVID_VOCAB + "photo"][0]["@id"].startswith("data:image/png;base64,")
    assert subject["@type"] == [CIVID_VOCAB + "Citizen"]
    address = subject[CIVID_VOCAB + "address"][0]
    assert address["@type"] == [CIVID_VOCAB + "ThaiAddress"]


@pytest.mark.parametrize("credential_type", sorted(SCHEMA_BY_CREDENTIAL_TYPE))
def test_each_credential_type_example_canonicalizes_in_safe_mode(credential_type: str) -> None:
    canonical = canonicalize(example(credential_type))
    assert f"<{CIVID_VOCAB}{credential_type}>" in canonical


def test_household_member_flags_are_booleans_and_times_are_datetimes() -> None:
    canonical = canonicalize(example("HouseholdRegistrationCredential"))
    assert f'"true"^^<{XSD}boolean>' in canonical
    assert f'"2025-03-01T10:15:00+07:00"^^<{XSD}dateTime>' in canonical


def test_coordinates_are_decimals() -> None:
    canonical = canonicalize(example("HouseRegistrationCredential"))
    assert f'"13.7380"^^<{XSD}decimal>' in canonical


def test_redefining_one_of_our_terms_in_a_later_context_fails() -> None:
    credential = example("NationalIdCredential")
    credential["@context"] = [CREDENTIALS_V2, CIVID_V1, {"nationalIdNumber": "https://evil.example/id"}]
    with pytest.raises(CividError) as caught:
        expand(credential)
    assert caught.value.code is ErrorCode.PROTECTED_TERM_REDEFINITION


def test_a_misspelt_claim_is_an_undefined_term() -> None:
    credential = example("NationalIdCredential")
    credential["credentialSubject"]["nationalIDNumber"] = "1101700230708"
    with pytest.raises(CividError) as caught:
        expand(credential)
    assert caught.value.code is ErrorCode.UNDEFINED_TERM
