"""Adding and verifying Data Integrity proofs, including proof sets and proof chains (VC-DI §4.3–4.5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.crypto.multibase import MultibaseError, decode_base58btc, encode_base58btc
from civid.core.datetimes import format_datetime, parse_datetime, utc_now
from civid.core.did.resolver import DidResolver, ResolvedMethod
from civid.core.errors import CividError, ErrorCode
from civid.core.proofs.suites import Cryptosuite, suite_for_proof, suite_for_signing
from civid.core.result import ResultBuilder

PROOF_PURPOSES = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")


@dataclass(frozen=True)
class ProofOptions:
    """What a signer chooses for a new proof."""

    verification_method: str
    proof_purpose: str = "assertionMethod"
    cryptosuite: str = "eddsa-rdfc-2022"
    created: datetime | None = None
    challenge: str | None = None
    domain: str | None = None
    proof_id: str | None = None
    previous_proof: str | Sequence[str] | None = None
    expires: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        if self.proof_purpose not in PROOF_PURPOSES:
            raise CividError(ErrorCode.WRONG_PROOF_PURPOSE, f"unknown proof purpose {self.proof_purpose!r}")
        proof: dict[str, Any] = {"type": "DataIntegrityProof"}
        if self.proof_id:
            proof["id"] = self.proof_id
        proof["cryptosuite"] = self.cryptosuite
        proof["created"] = format_datetime(self.created or utc_now())
        if self.expires:
            proof["expires"] = format_datetime(self.expires)
        proof["verificationMethod"] = self.verification_method
        proof["proofPurpose"] = self.proof_purpose
        if self.challenge is not None:
            proof["challenge"] = self.challenge
        if self.domain is not None:
            proof["domain"] = self.domain
        if self.previous_proof is not None:
            proof["previousProof"] = (
                self.previous_proof if isinstance(self.previous_proof, str) else list(self.previous_proof)
            )
        return proof


@dataclass(frozen=True)
class ProofExpectations:
    """What a verifier requires of every proof on a document."""

    purpose: str
    challenge: str | None = None  # None: not checked (reported as such)
    domain: str | None = None
    now: datetime | None = None


def proofs_of(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    proof = document.get("proof")
    if proof is None:
        return []
    proofs = proof if isinstance(proof, list) else [proof]
    if not all(isinstance(p, dict) for p in proofs):
        raise CividError(ErrorCode.MALFORMED_PROOF, "every proof must be a JSON object")
    return proofs


def _unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "proof"}


def _chained_document(
    unsecured: Mapping[str, Any], proof: Mapping[str, Any], all_proofs: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The document a proof covers: with the proofs its ``previousProof`` names attached (VC-DI §4.5)."""
    previous = proof.get("previousProof")
    if previous is None:
        return dict(unsecured)
    wanted = [previous] if isinstance(previous, str) else previous
    if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
        raise CividError(ErrorCode.MALFORMED_PROOF, "previousProof must be a string or a list of strings")
    by_id = {p.get("id"): p for p in all_proofs if p.get("id") is not None}
    missing = [w for w in wanted if w not in by_id]
    if missing:
        raise CividError(ErrorCode.PREVIOUS_PROOF_NOT_FOUND, f"previousProof not found: {', '.join(missing)}")
    attached = [by_id[w] for w in wanted]
    document = dict(unsecured)
    document["proof"] = attached[0] if len(attached) == 1 else attached
    return document


def add_proof(document: Mapping[str, Any], key: Ed25519KeyPair, options: ProofOptions) -> dict[str, Any]:
    """Return a copy of ``document`` with a new proof added (to a proof set if it already has proofs)."""
    if not isinstance(document, Mapping):
        raise CividError(ErrorCode.MALFORMED_DOCUMENT, "the document must be a JSON object")
    suite = suite_for_signing(options.cryptosuite)
    existing = proofs_of(document)
    unsecured = _unsecured(document)
    config = suite.signing_config(unsecured, options.to_json())
    covered = _chained_document(unsecured, config, existing)
    signature = key.sign(suite.hash_data(covered, config))
    proof = {**config, "proofValue": encode_base58btc(signature)}
    secured = dict(unsecured)
    secured["proof"] = [*existing, proof] if existing else proof
    return secured


def _decode_signature(proof: Mapping[str, Any]) -> bytes:
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value:
        raise CividError(ErrorCode.MALFORMED_PROOF, "the proof has no proofValue")
    if not value.startswith("z"):
        raise CividError(
            ErrorCode.INVALID_PROOF_VALUE_ENCODING,
            f"proofValue must be multibase base58btc ('z' prefix), found prefix {value[:1]!r}",
        )
    try:
        signature = decode_base58btc(value)
    except MultibaseError as exc:
        raise CividError(
            ErrorCode.INVALID_PROOF_VALUE_ENCODING, f"proofValue is not base58btc: {exc}"
        ) from exc
    if len(signature) != 64:
        raise CividError(
            ErrorCode.INVALID_PROOF_VALUE_ENCODING,
            f"an Ed25519 signature has 64 bytes, found {len(signature)}",
        )
    return signature


def _check_options(
    proof: Mapping[str, Any], expect: ProofExpectations, label: str, out: ResultBuilder
) -> bool:
    """Purpose, created/expires, challenge and domain. Returns False when a check failed."""
    ok = True
    purpose = proof.get("proofPurpose")
    if purpose != expect.purpose:
        out.failed(
            f"{label}.purpose",
            ErrorCode.WRONG_PROOF_PURPOSE,
            f"proofPurpose is {purpose!r}, {expect.purpose!r} is required",
        )
        ok = False
    else:
        out.passed(f"{label}.purpose")
    try:
        if "created" in proof:
            parse_datetime(proof["created"], "proof.created")
        if "expires" in proof:
            expires = parse_datetime(proof["expires"], "proof.expires")
            if expires < (expect.now or utc_now()):
                raise CividError(ErrorCode.PROOF_EXPIRED, f"the proof expired at {proof['expires']}")
    except CividError as exc:
        out.failed_with(f"{label}.dates", exc)
        ok = False
    for field, expected, code in (
        ("challenge", expect.challenge, ErrorCode.CHALLENGE_MISMATCH),
        ("domain", expect.domain, ErrorCode.DOMAIN_MISMATCH),
    ):
        if expected is None:
            continue
        found = proof.get(field)
        found_values = found if isinstance(found, list) else [found]
        if expected in found_values:
            out.passed(f"{label}.{field}")
        else:
            out.failed(f"{label}.{field}", code, f"the proof's {field} {found!r} is not the expected one")
            ok = False
    return ok


def _verify_one(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    all_proofs: Sequence[Mapping[str, Any]],
    resolver: DidResolver,
    expect: ProofExpectations,
    label: str,
    out: ResultBuilder,
) -> ResolvedMethod | None:
    try:
        suite: Cryptosuite = suite_for_proof(proof)
        out.passed(f"{label}.cryptosuite", suite.name)
    except CividError as exc:
        out.failed_with(f"{label}.cryptosuite", exc)
        return None
    if not _check_options(proof, expect, label, out):
        return None
    try:
        signature = _decode_signature(proof)
        vm = proof.get("verificationMethod")
        if not isinstance(vm, str):
            raise CividError(ErrorCode.MALFORMED_PROOF, "verificationMethod must be a URL string")
        method = resolver.resolve_verification_method(vm, expect.purpose)
        out.passed(f"{label}.verification_method", method.id)
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        covered = _chained_document(_unsecured(document), config, all_proofs)
        hash_data = suite.hash_data(covered, config)
    except CividError as exc:
        out.failed_with(f"{label}.signature", exc)
        return None
    if not method.public_key.verify(hash_data, signature):
        out.failed(
            f"{label}.signature", ErrorCode.INVALID_SIGNATURE, "the signature does not match the document"
        )
        return None
    out.passed(f"{label}.signature")
    return method


def verify_proofs(
    document: Mapping[str, Any], resolver: DidResolver, expect: ProofExpectations, out: ResultBuilder
) -> list[ResolvedMethod]:
    """Verify every proof on ``document`` (all must pass); returns the methods that signed."""
    try:
        proofs = proofs_of(document)
    except CividError as exc:
        out.failed_with("proof", exc)
        return []
    if not proofs:
        out.failed("proof", ErrorCode.MISSING_PROOF, "the document has no proof")
        return []
    methods: list[ResolvedMethod] = []
    for index, proof in enumerate(proofs):
        label = "proof" if len(proofs) == 1 else f"proof[{index}]"
        method = _verify_one(document, proof, proofs, resolver, expect, label, out)
        if method is not None:
            methods.append(method)
    return methods
