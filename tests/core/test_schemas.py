"""JSON Schemas of the civid credential types."""

from __future__ import annotations

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.core.schemas import NATIONAL_ID_V1, SCHEMA_BY_CREDENTIAL_TYPE, schema_for, validate_credential


@pytest.mark.parametrize("url", sorted(SCHEMA_BY_CREDENTIAL_TYPE.values()))
def test_schema_id_is_its_url_and_its_example_is_accepted(url: str) -> None:
    schema = schema_for(url)
    assert schema["$id"] == url
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validate_credential(schema["examples"][0], url)


def good() -> dict:  # type: ignore[type-arg]
    return schema_for(NATIONAL_ID_V1)["examples"][0]  # type: ignore[no-any-return]


def mismatch_message(credential: dict) -> str:  # type: ignore[type-arg]
    with pytest.raises(CividError) as caught:
        validate_credential(credential, NATIONAL_ID_V1)
    assert caught.value.code is ErrorCode.SCHEMA_MISMATCH
    return caught.value.message


def test_bad_national_id_number_is_rejected_naming_its_path() -> None:
    credential = good()
    credential["credentialSubject"]["nationalIdNumber"] = "12345"
    assert "$.credentialSubject.nationalIdNumber" in mismatch_message(credential)


def test_missing_claim_is_rejected() -> None:
    credential = good()
    del credential["credentialSubject"]["birthDate"]
    assert "birthDate" in mismatch_message(credential)


def test_unexpected_subject_claim_is_rejected() -> None:
    credential = good()
    credential["credentialSubject"]["bloodType"] = "O"
    assert "bloodType" in mismatch_message(credential)


def test_wrong_credential_type_is_rejected() -> None:
    credential = good()
    credential["type"] = ["VerifiableCredential", "BirthRecordCredential"]
    assert "$.type" in mismatch_message(credential)


def test_credentials_v2_must_come_first_in_context() -> None:
    credential = good()
    credential["@context"] = list(reversed(credential["@context"]))
    assert "@context" in mismatch_message(credential)


def test_impossible_date_is_rejected() -> None:
    credential = good()
    credential["credentialSubject"]["cardExpiryDate"] = "2033-02-30"
    assert "cardExpiryDate" in mismatch_message(credential)


def test_schema_for_returns_a_copy() -> None:
    schema_for(NATIONAL_ID_V1)["properties"].clear()
    assert schema_for(NATIONAL_ID_V1)["properties"]


def test_unknown_schema_url_is_a_schema_mismatch() -> None:
    with pytest.raises(CividError) as caught:
        validate_credential(good(), "https://example.com/schema.json")
    assert caught.value.code is ErrorCode.SCHEMA_MISMATCH
