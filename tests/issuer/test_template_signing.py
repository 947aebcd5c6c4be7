"""The issuer's own credentials, canonicalized from the core's shape templates, give byte-for-byte the
plain path's canonical form and proof (moved equivalence tests: tests/core/test_templates.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld import canonicalize, templates
from civid.core.jsonld.contexts import CIVID_V1
from civid.core.jsonld.fastpath import plain_path
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.core.schemas import NATIONAL_ID_V1
from civid.core.statuslist.bitstring import StatusPurpose
from civid.core.statuslist.credential import status_entry
from civid.issuer.domain.issuance import CREDENTIALS_V2, national_id_claims
from civid.issuer.registry.model import PersonName
from tests.issuer.db_fixtures import CitizenFactory

HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
OPTIONS = ProofOptions(
    verification_method="did:web:issuer.civid.example#key-1",
    created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
)
# Names the registry accepts (controls and characters above U+FFFF are refused at import: see
# civid.core.text; the canonical forms of such literals are compared in tests/core/test_templates.py).
AWKWARD_NAMES = [
    'quote " and \\ backslash',
    "ใจดี",
    "a:b c",
    "urn:x",
]


@pytest.fixture(autouse=True)
def fresh_shapes() -> Iterator[None]:
    templates.clear()
    with plain_path(False):
        yield


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


def plain_canonical(document: dict[str, Any]) -> str:
    with plain_path():
        return canonicalize(document)


def test_the_issued_credential_shape_gets_a_template(citizen_factory: CitizenFactory) -> None:
    for n in (1, 2):
        canonicalize(credential(citizen_factory, n))
    assert templates.admitted(credential(citizen_factory, 3))


@pytest.mark.parametrize("family", AWKWARD_NAMES)
def test_awkward_names_canonicalize_as_on_the_plain_path(
    citizen_factory: CitizenFactory, family: str
) -> None:
    for n in (1, 2):
        canonicalize(credential(citizen_factory, n))
    document = credential(citizen_factory, 3, family=family, given=family)
    assert canonicalize(document) == plain_canonical(document)


def test_the_proof_is_identical_to_the_plain_path_proof(citizen_factory: CitizenFactory) -> None:
    key = Ed25519KeyPair.generate()
    for n in range(1, 5):
        document = credential(citizen_factory, n)
        with plain_path():
            expected = add_proof(document, key, OPTIONS)
        assert add_proof(document, key, OPTIONS) == expected


def test_an_iri_the_plain_path_refuses_is_refused_the_same_way(citizen_factory: CitizenFactory) -> None:
    for n in (1, 2):
        canonicalize(credential(citizen_factory, n))
    document = credential(citizen_factory, 3, holder="did:example:a{b}")
    with pytest.raises(CividError) as fast:
        canonicalize(document)
    with pytest.raises(CividError) as plain, plain_path():
        canonicalize(document)
    assert fast.value.code is plain.value.code is ErrorCode.RELATIVE_IRI
