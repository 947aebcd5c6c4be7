"""Checks a policy adds to the core's verification of a presentation.

Of the presentation itself: ``presentation.proof.created`` (its proof was created within the
policy's ``presentation_max_age_s``, allowing the verifier's clock skew either way; see
:mod:`civid.verifier.domain.freshness`).

For each credential ``i`` of the presentation: ``credential[i].policy.type`` (an accepted type),
``credential[i].policy.issuer`` (a trusted issuer DID), ``credential[i].policy.age`` (not older
than the policy allows), ``credential[i].policy.schema`` (names the required credentialSchema).

A policy with ``suspension_blocks = false`` turns the core's failed ``…status.suspension`` check
into a passed check whose message starts with "warning:", and adds a passed
``credential[i].policy.suspension`` check saying so: accepted, never hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from civid.core.credential import issuer_id, types_of
from civid.core.datetimes import parse_datetime
from civid.core.errors import CividError, ErrorCode
from civid.core.result import Check, Outcome, ResultBuilder, VerificationResult
from civid.verifier.config.policies import Policy
from civid.verifier.domain.freshness import accepted_created

SUSPENSION_SUFFIX: Final = ".status.suspension"
PRESENTATION_CREATED_CHECK: Final = "presentation.proof.created"


def _label(index: int) -> str:
    return f"credential[{index}]."


def check_type(credential: Mapping[str, Any], policy: Policy) -> None:
    types = types_of(credential)
    if not any(t in policy.credential_types for t in types):
        raise CividError(
            ErrorCode.CREDENTIAL_TYPE_NOT_ACCEPTED,
            f"policy {policy.id!r} accepts {', '.join(policy.credential_types)}, not {', '.join(types)}",
        )


def check_issuer(credential: Mapping[str, Any], policy: Policy) -> None:
    issuer = issuer_id(credential)
    if issuer not in policy.trusted_issuers:
        raise CividError(ErrorCode.UNTRUSTED_ISSUER, f"{issuer!r} is not a trusted issuer for {policy.id!r}")


def issued_at(credential: Mapping[str, Any]) -> datetime | None:
    """When the credential was issued: validFrom, else the earliest proof ``created``."""
    if "validFrom" in credential:
        return parse_datetime(credential["validFrom"], "validFrom")
    proofs = credential.get("proof")
    proof_list = proofs if isinstance(proofs, list) else [proofs]
    created = [
        parse_datetime(p["created"], "proof.created")
        for p in proof_list
        if isinstance(p, Mapping) and "created" in p
    ]
    return min(created) if created else None


def check_age(credential: Mapping[str, Any], policy: Policy, now: datetime) -> None:
    if policy.max_credential_age_s is None:
        return
    issued = issued_at(credential)
    if issued is None:
        raise CividError(
            ErrorCode.CREDENTIAL_TOO_OLD, "the credential states no issuance time to check its age"
        )
    if now - issued > timedelta(seconds=policy.max_credential_age_s):
        raise CividError(
            ErrorCode.CREDENTIAL_TOO_OLD,
            f"issued {issued.isoformat()}: older than the {policy.max_credential_age_s} s "
            f"that policy {policy.id!r} allows",
        )


def presentation_created(vp: Mapping[str, Any]) -> tuple[datetime, ...]:
    """The ``created`` time of each of the presentation's proofs (every proof must state one)."""
    proofs = vp.get("proof")
    proof_list = proofs if isinstance(proofs, list) else [proofs]
    stated = [p["created"] for p in proof_list if isinstance(p, Mapping) and "created" in p]
    if not stated or len(stated) != len(proof_list):
        raise CividError(
            ErrorCode.PRESENTATION_TOO_OLD, "the presentation's proof states no created time to check its age"
        )
    return tuple(parse_datetime(value, "proof.created") for value in stated)


def check_presentation_fresh(vp: Mapping[str, Any], policy: Policy, now: datetime, clock_skew_s: int) -> None:
    created = presentation_created(vp)
    after, until = accepted_created(now, policy.presentation_max_age_s, clock_skew_s)
    if min(created) <= after:
        raise CividError(
            ErrorCode.PRESENTATION_TOO_OLD,
            f"created {min(created).isoformat()}: older than the {policy.presentation_max_age_s} s "
            f"that policy {policy.id!r} allows (with {clock_skew_s} s of clock skew); present again",
        )
    if max(created) > until:
        raise CividError(
            ErrorCode.PRESENTATION_CREATED_IN_FUTURE,
            f"created {max(created).isoformat()}: more than {clock_skew_s} s after the verifier's "
            "clock; check the device's clock",
        )


def check_schema(credential: Mapping[str, Any], policy: Policy) -> None:
    if policy.schema_id is None:
        return
    schemas = credential.get("credentialSchema")
    schema_list = schemas if isinstance(schemas, list) else [schemas]
    ids = [s.get("id") for s in schema_list if isinstance(s, Mapping)]
    if policy.schema_id not in ids:
        raise CividError(
            ErrorCode.SCHEMA_MISMATCH, f"the credential does not name the schema {policy.schema_id}"
        )


def _run(name: str, out: ResultBuilder, check: Any, *args: Any) -> None:
    try:
        check(*args)
        out.passed(name)
    except CividError as exc:
        out.failed_with(name, exc)


def presentation_checks(
    vp: Mapping[str, Any], policy: Policy, now: datetime, clock_skew_s: int
) -> VerificationResult:
    """The policy's own checks of the presentation (not of the credentials in it)."""
    out = ResultBuilder()
    _run(PRESENTATION_CREATED_CHECK, out, check_presentation_fresh, vp, policy, now, clock_skew_s)
    return out.build()


def policy_checks(
    credentials: Sequence[Mapping[str, Any]], policy: Policy, now: datetime
) -> VerificationResult:
    """The policy's own checks of every credential (a presentation with none fails ``policy.credentials``)."""
    out = ResultBuilder()
    if not credentials:
        out.failed(
            "policy.credentials",
            ErrorCode.CREDENTIAL_TYPE_NOT_ACCEPTED,
            "the presentation holds no credential",
        )
    for index, credential in enumerate(credentials):
        label = _label(index) + "policy."
        _run(label + "type", out, check_type, credential, policy)
        _run(label + "issuer", out, check_issuer, credential, policy)
        if policy.max_credential_age_s is not None:
            _run(label + "age", out, check_age, credential, policy, now)
        if policy.schema_id is not None:
            _run(label + "schema", out, check_schema, credential, policy)
    return out.build()


def apply_suspension_rule(result: VerificationResult, policy: Policy) -> VerificationResult:
    """When the policy does not block suspension, a SUSPENDED failure becomes a visible warning."""
    if policy.suspension_blocks:
        return result
    checks: list[Check] = []
    for check in result.checks:
        if check.outcome is Outcome.FAILED and check.code is ErrorCode.SUSPENDED:
            warning = f"warning: the credential is suspended; accepted because policy {policy.id!r} allows it"
            checks.append(Check(check.name, Outcome.PASSED, None, warning))
            prefix = check.name[: -len(SUSPENSION_SUFFIX)] if check.name.endswith(SUSPENSION_SUFFIX) else ""
            checks.append(Check(f"{prefix}.policy.suspension".lstrip("."), Outcome.PASSED, None, warning))
        else:
            checks.append(check)
    still_failing = {c.code for c in checks if c.outcome is Outcome.FAILED}
    errors = tuple(e for e in result.errors if e.code is not ErrorCode.SUSPENDED or e.code in still_failing)
    return VerificationResult(tuple(checks), errors)
