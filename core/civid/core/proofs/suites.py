"""The cryptosuites: how a document and its proof configuration become the 64 bytes Ed25519 signs.

* ``eddsa-rdfc-2022`` — RDFC-1.0 canonical N-Quads (create and verify).
* ``eddsa-jcs-2022`` — RFC 8785 JCS (create and verify); the proof keeps its ``@context``.
* ``Ed25519Signature2020`` — the legacy suite, verify only.

In all three the signed bytes are ``SHA-256(canonical proof config) ‖ SHA-256(canonical document)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from civid.core import jcs
from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld.canonical import canonicalize_utf8

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"


class Cryptosuite(Protocol):
    """One way of turning (document, proof options) into the bytes that are signed."""

    @property
    def name(self) -> str: ...

    @property
    def proof_type(self) -> str: ...

    @property
    def can_sign(self) -> bool: ...

    def signing_config(self, document: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
        """The proof as it is embedded after signing (without proofValue)."""
        ...

    def hash_data(self, unsecured: Mapping[str, Any], proof: Mapping[str, Any]) -> bytes:
        """The 64 bytes to sign or verify, for ``proof`` (without proofValue) over ``unsecured``."""
        ...


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _with_context(options: Mapping[str, Any], context: Any) -> dict[str, Any]:
    config = {k: v for k, v in options.items() if k not in ("proofValue", "@context")}
    config["@context"] = context
    return config


@dataclass(frozen=True)
class EddsaRdfc2022:
    name: str = EDDSA_RDFC_2022
    proof_type: str = DATA_INTEGRITY_PROOF
    can_sign: bool = True

    def signing_config(self, document: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in options.items() if k != "proofValue"}

    def hash_data(self, unsecured: Mapping[str, Any], proof: Mapping[str, Any]) -> bytes:
        config = _with_context(proof, unsecured.get("@context"))
        return _sha256(canonicalize_utf8(config)) + _sha256(canonicalize_utf8(unsecured))


@dataclass(frozen=True)
class Ed25519Signature2020:
    """Legacy suite (verify only): the same hashing as eddsa-rdfc-2022 with its own proof type."""

    name: str = ED25519_SIGNATURE_2020
    proof_type: str = ED25519_SIGNATURE_2020
    can_sign: bool = False

    def signing_config(self, document: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
        raise CividError(
            ErrorCode.UNSUPPORTED_CRYPTOSUITE,
            "Ed25519Signature2020 is supported for verifying legacy credentials only",
        )

    def hash_data(self, unsecured: Mapping[str, Any], proof: Mapping[str, Any]) -> bytes:
        config = _with_context(proof, unsecured.get("@context"))
        return _sha256(canonicalize_utf8(config)) + _sha256(canonicalize_utf8(unsecured))


@dataclass(frozen=True)
class EddsaJcs2022:
    name: str = EDDSA_JCS_2022
    proof_type: str = DATA_INTEGRITY_PROOF
    can_sign: bool = True

    def signing_config(self, document: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
        return _with_context(options, document.get("@context"))

    def hash_data(self, unsecured: Mapping[str, Any], proof: Mapping[str, Any]) -> bytes:
        document = dict(unsecured)
        if "@context" in proof:
            document["@context"] = _require_context_prefix(proof["@context"], unsecured.get("@context"))
        config = _with_context(proof, document.get("@context"))
        return _sha256(jcs.canonicalize(config)) + _sha256(jcs.canonicalize(document))


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _require_context_prefix(proof_context: Any, document_context: Any) -> Any:
    """eddsa-jcs-2022 §3.3.2: the document's @context must start with the proof's @context."""
    prefix, full = _as_list(proof_context), _as_list(document_context)
    if full[: len(prefix)] != prefix:
        raise CividError(
            ErrorCode.PROOF_CONTEXT_MISMATCH,
            "the proof's @context is not a prefix of the document's @context",
        )
    return proof_context


_SUITES: dict[tuple[str, str | None], Cryptosuite] = {
    (DATA_INTEGRITY_PROOF, EDDSA_RDFC_2022): EddsaRdfc2022(),
    (DATA_INTEGRITY_PROOF, EDDSA_JCS_2022): EddsaJcs2022(),
    (ED25519_SIGNATURE_2020, None): Ed25519Signature2020(),
}

SIGNING_SUITES = (EDDSA_RDFC_2022, EDDSA_JCS_2022)


def suite_for_proof(proof: Mapping[str, Any]) -> Cryptosuite:
    """The suite that verifies ``proof``, or UNSUPPORTED_CRYPTOSUITE naming what was found."""
    proof_type = proof.get("type")
    cryptosuite = proof.get("cryptosuite")
    suite: Cryptosuite | None = None
    if isinstance(proof_type, str):
        suite_name = (
            cryptosuite if proof_type == DATA_INTEGRITY_PROOF and isinstance(cryptosuite, str) else None
        )
        suite = _SUITES.get((proof_type, suite_name))
    if suite is None:
        found = f"type={proof_type!r}" + (f", cryptosuite={cryptosuite!r}" if cryptosuite else "")
        raise CividError(ErrorCode.UNSUPPORTED_CRYPTOSUITE, f"unsupported proof ({found})")
    return suite


def suite_for_signing(name: str) -> Cryptosuite:
    if name not in SIGNING_SUITES:
        raise CividError(
            ErrorCode.UNSUPPORTED_CRYPTOSUITE,
            f"cannot sign with {name!r}; supported: {', '.join(SIGNING_SUITES)}",
        )
    return _SUITES[(DATA_INTEGRITY_PROOF, name)]
