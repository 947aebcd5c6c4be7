"""Safe mode (VC Data Integrity §2.4.3): nothing in a document may be lost or bent silently."""

from __future__ import annotations

from typing import Any

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld import expand
from civid.core.jsonld.contexts import CIVID_V1, CREDENTIALS_EXAMPLES_V2, CREDENTIALS_V2
from civid.core.jsonld.safe import (
    check_expanded,
    check_id_value,
    check_language,
    check_property,
    check_type_value,
    is_absolute_iri,
    refuse_dropped_property,
)


def credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_V2, CIVID_V1],
        "type": ["VerifiableCredential", "NationalIdCredential"],
        "issuer": "did:web:id.dopa.go.th",
        "credentialSubject": {"id": "did:example:holder", "type": "Citizen", "givenNameEn": "Somchai"},
        **extra,
    }


def code_of(document: Any) -> ErrorCode:
    with pytest.raises(CividError) as caught:
        expand(document)
    return caught.value.code


@pytest.mark.parametrize(
    ("value", "absolute"),
    [
        ("https://w3id.org/civid#x", True),
        ("did:key:z6Mk", True),
        ("urn:uuid:1", True),
        ("data:image/png;base64,AA+/=", True),
        ("relative/path", False),
        ("Term", False),
        ("http://a b", False),
        ("http://a>b", False),
        ("", False),
    ],
)
def test_is_absolute_iri(value: str, absolute: bool) -> None:
    assert is_absolute_iri(value) is absolute


def test_check_type_value_calls_a_bare_word_an_undefined_term() -> None:
    with pytest.raises(CividError) as caught:
        check_type_value("CitizenX")
    assert caught.value.code is ErrorCode.UNDEFINED_TERM


def test_check_type_value_calls_a_path_a_relative_iri() -> None:
    with pytest.raises(CividError) as caught:
        check_type_value("types/Citizen")
    assert caught.value.code is ErrorCode.RELATIVE_IRI


def test_check_id_value_accepts_blank_nodes_and_refuses_relative_iris() -> None:
    check_id_value("_:b0")
    check_id_value("did:example:1")
    with pytest.raises(CividError) as caught:
        check_id_value("people/1")
    assert caught.value.code is ErrorCode.RELATIVE_IRI


def test_check_property_refuses_a_blank_node_predicate() -> None:
    check_property("@type")
    with pytest.raises(CividError) as caught:
        check_property("_:p")
    assert caught.value.code is ErrorCode.UNDEFINED_TERM


def test_check_language_refuses_a_malformed_tag() -> None:
    check_language("th-TH")
    with pytest.raises(CividError) as caught:
        check_language("th TH")
    assert caught.value.code is ErrorCode.JSONLD_ERROR


def test_refuse_dropped_property_names_the_property() -> None:
    with pytest.raises(CividError) as caught:
        refuse_dropped_property("nickname")
    assert caught.value.code is ErrorCode.UNDEFINED_TERM
    assert "nickname" in caught.value.message


def test_check_expanded_walks_into_reverse_lists_and_graphs() -> None:
    nested = [{"@graph": [{"http://ex/p": [{"@list": [{"@id": "relative"}]}]}]}]
    with pytest.raises(CividError) as caught:
        check_expanded(nested)
    assert caught.value.code is ErrorCode.RELATIVE_IRI
    reverse = [{"@reverse": {"http://ex/p": [{"@type": ["Undefined"]}]}}]
    with pytest.raises(CividError) as caught:
        check_expanded(reverse)
    assert caught.value.code is ErrorCode.UNDEFINED_TERM


def test_a_well_formed_credential_expands() -> None:
    expanded = expand(credential())
    assert expanded[0]["@type"] == [
        "https://www.w3.org/2018/credentials#VerifiableCredential",
        "https://w3id.org/civid#NationalIdCredential",
    ]


def test_expand_does_not_modify_the_document() -> None:
    document = credential()
    before = repr(document)
    expand(document)
    assert repr(document) == before


def test_undefined_property_fails_with_undefined_term() -> None:
    document = credential()
    document["credentialSubject"]["nickname"] = "Chai"
    assert code_of(document) is ErrorCode.UNDEFINED_TERM


def test_undefined_type_value_fails_with_undefined_term() -> None:
    assert code_of(credential(type=["VerifiableCredential", "DriverLicense"])) is ErrorCode.UNDEFINED_TERM


def test_keyword_like_key_fails_with_undefined_term() -> None:
    assert code_of(credential(**{"@comment": "dropped by JSON-LD"})) is ErrorCode.UNDEFINED_TERM


def test_relative_credential_id_fails_with_relative_iri() -> None:
    assert code_of(credential(id="credentials/1")) is ErrorCode.RELATIVE_IRI


def test_relative_iri_valued_property_fails_with_relative_iri() -> None:
    assert code_of(credential(issuer="issuers/dopa")) is ErrorCode.RELATIVE_IRI


def test_iri_with_a_space_fails_with_relative_iri() -> None:
    assert code_of(credential(issuer="https://issuer.example/a b")) is ErrorCode.RELATIVE_IRI


def test_redefining_a_protected_v2_term_fails_with_protected_term_redefinition() -> None:
    document = {"@context": [CREDENTIALS_V2, {"name": "https://evil.example/name"}], "name": "x"}
    assert code_of(document) is ErrorCode.PROTECTED_TERM_REDEFINITION


def test_unknown_remote_context_fails_with_unknown_context() -> None:
    assert code_of(credential(**{"@context": [CREDENTIALS_V2, "https://w3id.org/civid/v2"]})) is (
        ErrorCode.UNKNOWN_CONTEXT
    )


def test_malformed_context_fails_with_invalid_context() -> None:
    document = {"@context": [CREDENTIALS_V2, 42], "type": "VerifiableCredential"}
    assert code_of(document) is ErrorCode.INVALID_CONTEXT


def test_invalid_term_definition_fails_with_invalid_context() -> None:
    document = {"@context": [CREDENTIALS_V2, {"bad": {"@id": 5}}], "type": "VerifiableCredential"}
    assert code_of(document) is ErrorCode.INVALID_CONTEXT


def test_a_document_that_is_not_an_object_fails_with_malformed_document() -> None:
    assert code_of(["not", "an", "object"]) is ErrorCode.MALFORMED_DOCUMENT


def test_vocab_context_defines_everything_so_nothing_is_undefined() -> None:
    document = {
        "@context": [CREDENTIALS_V2, CREDENTIALS_EXAMPLES_V2],
        "type": ["VerifiableCredential", "AnythingCredential"],
        "credentialSubject": {"whatever": 1},
    }
    assert expand(document)
