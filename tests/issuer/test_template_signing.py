"""Template signing gives byte-for-byte the canonical form and proof of the core canonicalizer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld import canonicalize
from civid.core.jsonld.contexts import CIVID_V1
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.core.schemas import NATIONAL_ID_V1
from civid.core.statuslist.bitstring import StatusPurpose
from civid.core.statuslist.credential import status_entry
from civid.issuer.domain.issuance import CREDENTIALS_V2, national_id_claims
from civid.issuer.domain.template_signing import TemplateSigner
from civid.issuer.registry.model import PersonName
from tests.issuer.db_fixtures import CitizenFactory

HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
OPTIONS = ProofOptions(
    verification_method="did:web:issuer.civid.example#key-1",
    created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
)
AWKWARD_NAMES = [
    'quote " and \\ backslash',
    "line\nbreak\ttab\r",
    "ctrl \x01\x7f",
    "ใจดี 😀",
    "a:b c",
    "urn:x",
]


def credential(
    citizen_factory: CitizenFactory, n: int = 1, holder: str = HOLDER, **names: str
) -> dict[str, Any]:
    citizen = citizen_factory(
        n, name_en=PersonName("Mr.", names.get("given", "Somchai"), names.get("family", "J"))
    )
    return {
        "@context": [CREDENTIALS_V2, CIVID_V1],
        "id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "type": ["VerifiableCredential", "NationalIdCredential"],
        "issuer": "did:web:issuer.civid.example",
        "validFrom": "2026-01-02T03:04:05Z",
        "validUntil": "2031-03-13T16:59:59Z",
        "credentialSubject": national_id_claims(citizen, holder),
        "credentialSchema": {"id": NATIONAL_ID_V1, "type": "JsonSchema"},
        "credentialStatus": [
            status_entry(
                "https://issuer.civid.example/status/revocation/1", StatusPurpose.REVOCATION, 17 + n
            ),
            status_entry("https://issuer.civid.example/status/suspension/1", StatusPurpose.SUSPENSION, 3 * n),
        ],
    }


@pytest.mark.parametrize("family", AWKWARD_NAMES)
def test_canonical_form_equals_the_core_canonicalizer_for_awkward_values(
    citizen_factory: CitizenFactory, family: str
) -> None:
    signer = TemplateSigner()
    signer.canonical(credential(citizen_factory, 1))  # the shape is now templated
    document = credential(citizen_factory, 2, family=family, given=family)
    assert signer.canonical(document) == canonicalize(document)


def test_a_recurring_credential_shape_is_served_from_its_template(citizen_factory: CitizenFactory) -> None:
    signer = TemplateSigner()
    signer.canonical(credential(citizen_factory, 1))
    template = next(iter(signer._shapes.values()))
    assert template is not None  # the national-ID credential is templatable
    document = credential(citizen_factory, 9)
    assert signer.canonical(document) == canonicalize(document)


def test_the_proof_is_identical_to_the_core_add_proof(citizen_factory: CitizenFactory) -> None:
    key, signer = Ed25519KeyPair.generate(), TemplateSigner()
    for n in range(1, 4):
        document = credential(citizen_factory, n)
        assert signer.add_proof(document, key, OPTIONS) == add_proof(document, key, OPTIONS)


def test_an_iri_the_core_refuses_is_refused_the_same_way(citizen_factory: CitizenFactory) -> None:
    signer = TemplateSigner()
    signer.canonical(credential(citizen_factory, 1))
    document = credential(citizen_factory, 2, holder="did:example:a{b}")
    with pytest.raises(CividError) as ours:
        signer.canonical(document)
    with pytest.raises(CividError) as core:
        canonicalize(document)
    assert ours.value.code is core.value.code is ErrorCode.RELATIVE_IRI


def test_a_document_with_several_blank_nodes_is_never_templated() -> None:
    signer = TemplateSigner()
    document = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:web:issuer.civid.example",
        "credentialSubject": [{"name": "one"}, {"name": "two"}],
    }
    assert signer.canonical(document) == canonicalize(document)
    assert list(signer._shapes.values()) == [None]
    swapped = document | {"credentialSubject": [{"name": "two"}, {"name": "zero"}]}
    assert signer.canonical(swapped) == canonicalize(swapped)
