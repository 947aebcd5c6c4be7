"""URLs of the JSON-LD contexts civid ships and serves offline (files in ``contexts/``)."""

from __future__ import annotations

from typing import Final

CREDENTIALS_V2: Final = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1: Final = "https://www.w3.org/2018/credentials/v1"
CREDENTIALS_EXAMPLES_V2: Final = "https://www.w3.org/ns/credentials/examples/v2"
DATA_INTEGRITY_V2: Final = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1: Final = "https://w3id.org/security/multikey/v1"
DID_V1: Final = "https://www.w3.org/ns/did/v1"
DID_V1_1: Final = "https://www.w3.org/ns/did/v1.1"
ED25519_2020_V1: Final = "https://w3id.org/security/suites/ed25519-2020/v1"
STATUS_V1: Final = "https://www.w3.org/ns/credentials/status/v1"
CITIZENSHIP_V4RC1: Final = "https://w3id.org/citizenship/v4rc1"
CIVID_V1: Final = "https://w3id.org/civid/v1"
"""Our own vocabulary: the national-ID and civil-registry credential terms (``@protected``)."""

CIVID_VOCAB: Final = "https://w3id.org/civid#"
"""Namespace of every term and class that ``CIVID_V1`` defines."""
