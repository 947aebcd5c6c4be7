"""Which claims a relying party receives: only the paths its policy names, nothing else.

Claims are dotted paths into ``credentialSubject`` (``givenNameEn``, ``address.province``); the
released claims are a flat mapping from path to value. A request may ask for a subset of the
policy's claims (none named: all of them); a claim outside the policy is refused when the request is
created (CLAIM_NOT_ALLOWED), never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from civid.core.errors import CividError, ErrorCode
from civid.core.result import ResultBuilder
from civid.verifier.config.policies import Policy
from civid.verifier.domain.errors import DomainError, DomainErrorCode

_MISSING = object()
CLAIMS_CHECK = "policy.claims"


def requested_claims(policy: Policy, asked: Sequence[str]) -> tuple[str, ...]:
    """The claims a new request asks for: ``asked`` (or all the policy's claims when empty)."""
    for claim in asked:
        if claim not in policy.claims:
            raise DomainError(
                DomainErrorCode.CLAIM_NOT_ALLOWED,
                f"policy {policy.id!r} does not release {claim!r}",
                {"policy_id": policy.id, "claim": claim},
            )
    if len(set(asked)) != len(asked):
        raise DomainError(DomainErrorCode.FIELD_INVALID, "a claim is asked twice", {"field": "claims"})
    return tuple(asked) if asked else policy.claims


def subject_of(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    """The credential's subject (the first one when there are several)."""
    subject = credential.get("credentialSubject")
    first = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(first, Mapping):
        raise CividError(ErrorCode.MALFORMED_DOCUMENT, "the credential has no credentialSubject object")
    return first


def _lookup(subject: Mapping[str, Any], path: str) -> Any:
    value: Any = subject
    for segment in path.split("."):
        if not isinstance(value, Mapping) or segment not in value:
            return _MISSING
        value = value[segment]
    return value


def release_claims(credential: Mapping[str, Any], policy: Policy, claims: Sequence[str]) -> dict[str, Any]:
    """The values of ``claims`` (a subset of the policy's) in ``credential``.

    Raises CLAIM_MISSING when a claim the policy requires is absent; optional claims that are
    absent are left out.
    """
    outside = [c for c in claims if c not in policy.claims]
    if outside:  # a request is checked at creation; this guards against a changed policy file
        raise DomainError(
            DomainErrorCode.CLAIM_NOT_ALLOWED,
            f"policy {policy.id!r} does not release {outside[0]!r}",
            {"policy_id": policy.id, "claim": outside[0]},
        )
    subject = subject_of(credential)
    released: dict[str, Any] = {}
    missing: list[str] = []
    for claim in claims:
        value = _lookup(subject, claim)
        if value is _MISSING:
            if claim in policy.required_claims:
                missing.append(claim)
        else:
            released[claim] = value
    if missing:
        raise CividError(
            ErrorCode.CLAIM_MISSING, f"the credential lacks required claims: {', '.join(missing)}"
        )
    return released


def check_and_release(
    credential: Mapping[str, Any], policy: Policy, claims: Sequence[str], out: ResultBuilder
) -> dict[str, Any]:
    """``release_claims`` recorded as the ``policy.claims`` check; empty when the check fails."""
    try:
        released = release_claims(credential, policy, claims)
    except CividError as exc:
        out.failed_with(CLAIMS_CHECK, exc)
        return {}
    out.passed(CLAIMS_CHECK, f"{len(released)} claims released")
    return released
