"""Shared fixtures for the core tests: published vectors and small signed documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "vectors"


def load_vector(relative: str) -> Any:
    path = VECTORS / relative
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text.strip()


@pytest.fixture
def vector():
    return load_vector


CIVID_V1 = "https://w3id.org/civid/v1"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"


def citizen_subject(holder_did: str) -> dict[str, Any]:
    return {
        "id": holder_did,
        "type": "Citizen",
        "nationalIdNumber": "1101700203450",
        "titleTh": "นาย",
        "givenNameTh": "สมชาย",
        "familyNameTh": "ใจดี",
        "titleEn": "Mr.",
        "givenNameEn": "Somchai",
        "familyNameEn": "Jaidee",
        "birthDate": "1985-01-15",
    }


def unsigned_national_id(issuer_did: str, holder_did: str, **extra: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, CIVID_V1],
        "id": "urn:uuid:0b9d6f8e-5f2f-4f6f-9a43-7e3f0c4c5a11",
        "type": ["VerifiableCredential", "NationalIdCredential"],
        "issuer": issuer_did,
        "validFrom": "2024-01-01T00:00:00Z",
        "validUntil": "2032-01-14T23:59:59Z",
        "credentialSubject": citizen_subject(holder_did),
    }
    credential.update(extra)
    return credential
