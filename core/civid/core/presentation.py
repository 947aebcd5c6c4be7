"""Verifiable Presentations: a holder signs its credentials for one verifier (challenge + domain).

Verification checks the presentation's proof (purpose ``authentication``, the expected challenge and
domain), that the signer is the ``holder``, every embedded credential, and that the holder is the
subject of each credential.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from civid.core.credential import CredentialChecks, check_context, check_credential, types_of
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.datetimes import utc_now
from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld.canonical import check_safe_mode
from civid.core.jsonld.contexts import CREDENTIALS_V2
from civid.core.jsonld.fastpath import decided
from civid.core.jsonld.subtree_memo import verification_scope
from civid.core.jsonld.templates import one_verification
from civid.core.proofs.dataintegrity import ProofExpectations, ProofOptions, add_proof, verify_proofs
from civid.core.result import ResultBuilder, VerificationResult


def create_presentation(
    credentials: Sequence[Mapping[str, Any]],
    holder_key: Ed25519KeyPair,
    holder_did: str,
    verification_method: str,
    *,
    challenge: str,
    domain: str,
    created: datetime | None = None,
    cryptosuite: str = "eddsa-rdfc-2022",
) -> dict[str, Any]:
    """Build and sign a presentation of ``credentials`` for one verifier's challenge and domain."""
    presentation: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder_did,
        "verifiableCredential": [dict(c) for c in credentials],
    }
    options = ProofOptions(
        verification_method=verification_method,
        proof_purpose="authentication",
        cryptosuite=cryptosuite,
        created=created,
        challenge=challenge,
        domain=domain,
    )
    return add_proof(presentation, holder_key, options)


def credentials_of(vp: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    value = vp.get("verifiableCredential", [])
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, Mapping) for item in items):
        raise CividError(ErrorCode.MALFORMED_DOCUMENT, "verifiableCredential must hold credential objects")
    return list(items)


def _check_shape(vp: Mapping[str, Any], out: ResultBuilder) -> bool:
    try:
        if not isinstance(vp, Mapping):
            raise CividError(ErrorCode.MALFORMED_DOCUMENT, "a presentation must be a JSON object")
        check_context(vp)
        if "VerifiablePresentation" not in types_of(vp):
            raise CividError(ErrorCode.NOT_A_PRESENTATION, "type does not include VerifiablePresentation")
        if not isinstance(vp.get("holder"), str):
            raise CividError(ErrorCode.MALFORMED_DOCUMENT, "the presentation has no holder")
        credentials_of(vp)
        out.passed("presentation.shape")
    except CividError as exc:
        out.failed_with("presentation.shape", exc)
        return False
    try:
        check_safe_mode({k: v for k, v in vp.items() if k not in ("verifiableCredential", "proof")})
        out.passed("presentation.jsonld")
    except CividError as exc:
        out.failed_with("presentation.jsonld", exc)
        return False
    return True


def _subject_ids(credential: Mapping[str, Any]) -> list[Any]:
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return [s.get("id") if isinstance(s, Mapping) else None for s in subjects]


def verify_presentation(
    vp: Mapping[str, Any],
    checks: CredentialChecks,
    *,
    challenge: str | None,
    domain: str | None,
) -> VerificationResult:
    """Every check of a presentation and of each credential in it (``credential[i].…``).

    ``challenge``/``domain`` None means the caller did not ask for that check; it is then
    reported as not checked, never silently passed.
    """
    # the embedded credentials are expanded once, not twice; each document is taken apart once;
    # the environment's choice of path is read once
    with decided(), verification_scope(), one_verification():
        return _verify_presentation(vp, checks, challenge, domain)


def _verify_presentation(
    vp: Mapping[str, Any], checks: CredentialChecks, challenge: str | None, domain: str | None
) -> VerificationResult:
    out = ResultBuilder()
    if not _check_shape(vp, out):
        return out.build()
    now = checks.now or utc_now()
    holder = vp["holder"]
    for field, expected in (("challenge", challenge), ("domain", domain)):
        if expected is None:
            out.not_checked(f"presentation.proof.{field}", f"no expected {field} was given")
    expect = ProofExpectations("authentication", challenge=challenge, domain=domain, now=now)
    methods = verify_proofs(vp, checks.resolver, expect, out.under("presentation."))
    if methods:
        strangers = [m.controller for m in methods if m.controller != holder]
        if strangers:
            out.failed(
                "presentation.holder_binding",
                ErrorCode.HOLDER_MISMATCH,
                f"the presentation is signed by {strangers[0]!r}, not by its holder {holder!r}",
            )
        else:
            out.passed("presentation.holder_binding")
    for index, credential in enumerate(credentials_of(vp)):
        label = f"credential[{index}]."
        check_credential(
            credential, CredentialChecks(checks.resolver, now, checks.status_lists), out.under(label)
        )
        if all(subject == holder for subject in _subject_ids(credential)):
            out.passed(label + "subject_binding")
        else:
            out.failed(
                label + "subject_binding",
                ErrorCode.SUBJECT_NOT_HOLDER,
                "the holder of the presentation is not the subject of this credential",
            )
    return out.build()
