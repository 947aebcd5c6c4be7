"""Domain values → civid.verifier.v1 / civid.common.v1 messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from google.protobuf import duration_pb2, timestamp_pb2

from civid.common.v1 import localized_text_pb2, verification_pb2
from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.policies import Policy
from civid.verifier.domain.relying_parties import RelyingParty
from civid.verifier.domain.requests import PresentationRequest, PresentationResult, RequestState
from civid.verifier.v1 import policy_pb2, presentation_pb2, relying_party_pb2

_OUTCOMES: Final = {
    "passed": verification_pb2.CHECK_OUTCOME_PASSED,
    "failed": verification_pb2.CHECK_OUTCOME_FAILED,
    "not_checked": verification_pb2.CHECK_OUTCOME_NOT_CHECKED,
}
_STATES: Final[dict[RequestState, presentation_pb2.PresentationRequestState]] = {
    RequestState.PENDING: presentation_pb2.PRESENTATION_REQUEST_STATE_PENDING,
    RequestState.COMPLETED: presentation_pb2.PRESENTATION_REQUEST_STATE_COMPLETED,
    RequestState.EXPIRED: presentation_pb2.PRESENTATION_REQUEST_STATE_EXPIRED,
}


def text(value: LocalizedText) -> localized_text_pb2.LocalizedText:
    return localized_text_pb2.LocalizedText(en=value.en, th=value.th)


def timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


def duration(seconds: int) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=seconds)


def state(value: RequestState) -> presentation_pb2.PresentationRequestState:
    return _STATES[value]


def claim_label(name: str) -> localized_text_pb2.LocalizedText:
    """A readable label from a claim path (``givenNameEn`` → "Given name en")."""
    words: list[str] = []
    for char in name.replace(".", " ").replace("_", " "):
        if char.isupper() and words and words[-1] != " ":
            words.append(" ")
        words.append(char.lower())
    label = "".join(words).strip()
    return localized_text_pb2.LocalizedText(en=label[:1].upper() + label[1:], th="")


def requested_claims(names: tuple[str, ...]) -> list[policy_pb2.RequestedClaim]:
    return [policy_pb2.RequestedClaim(name=n, label=claim_label(n)) for n in names]


def policy(value: Policy) -> policy_pb2.Policy:
    message = policy_pb2.Policy(
        policy_id=value.id,
        display_name=localized_text_pb2.LocalizedText(en=value.id.replace("-", " ").capitalize(), th=""),
        purpose=text(value.purpose),
        accepted_credential_types=list(value.credential_types),
        claims=requested_claims(value.claims),
        suspension_blocks=value.suspension_blocks,
        status_freshness=duration(value.status_freshness_s),
        fail_closed_on_status_unavailable=value.fail_closed_when_status_unavailable,
        presentation_max_age=duration(value.presentation_max_age_s),
    )
    if value.max_credential_age_s is not None:
        message.max_credential_age.CopyFrom(duration(value.max_credential_age_s))
    return message


def verification(result: Mapping[str, Any]) -> verification_pb2.VerificationResult:
    """A ``VerificationResult.to_json()`` document as the proto message."""
    checks = [
        verification_pb2.Check(
            name=c["name"],
            outcome=_OUTCOMES[c["outcome"]],
            code=c.get("code", "") if c["outcome"] == "failed" else "",
            message=c.get("message", ""),
        )
        for c in result.get("checks", ())
    ]
    errors = [
        verification_pb2.VerificationError(code=e["code"], message=e["message"])
        for e in result.get("errors", ())
    ]
    return verification_pb2.VerificationResult(
        verified=bool(result.get("verified")), checks=checks, errors=errors
    )


def verification_of(stored: PresentationResult) -> verification_pb2.VerificationResult:
    return verification({"verified": stored.verified, "checks": stored.checks, "errors": stored.errors})


def claim_strings(claims: Mapping[str, Any]) -> dict[str, str]:
    """Strings as they are; numbers, booleans and objects as their JSON text (the proto's rule)."""
    return {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in claims.items()}


def claims_json(claims: Mapping[str, Any]) -> str:
    """The released claims nested again in the credential's own structure."""
    nested: dict[str, Any] = {}
    for path, value in claims.items():
        *parents, leaf = path.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return json.dumps(nested, ensure_ascii=False, sort_keys=True)


def relying_party(rp: RelyingParty, key_prefix: str = "") -> relying_party_pb2.RelyingParty:
    message = relying_party_pb2.RelyingParty(
        relying_party_id=rp.id,
        display_name=text(rp.display_name),
        policy_ids=list(rp.policy_ids),
        state=relying_party_pb2.RELYING_PARTY_STATE_ACTIVE
        if rp.active
        else relying_party_pb2.RELYING_PARTY_STATE_REVOKED,
        certificate_fingerprints=list(rp.certificate_fingerprints),
        api_key_prefix=key_prefix,
        create_time=timestamp(rp.created_at),
        update_time=timestamp(rp.updated_at),
    )
    if rp.rate_per_s is not None and rp.burst is not None:  # else unset: the server's default
        message.rate_limit.calls_per_second = rp.rate_per_s
        message.rate_limit.burst = rp.burst
    return message


def request_message(
    request: PresentationRequest, rp: Any, policy_value: Policy, now: datetime, compact: str
) -> presentation_pb2.PresentationRequest:
    return presentation_pb2.PresentationRequest(
        presentation_request_id=request.id,
        state=state(request.state_at(now)),
        relying_party_id=request.rp_id,
        relying_party_display_name=text(rp.display_name),
        policy_id=request.policy_id,
        purpose=text(policy_value.purpose),
        requested_claims=requested_claims(request.requested_claims),
        accepted_credential_types=list(policy_value.credential_types),
        challenge=request.nonce,
        domain=request.domain,
        create_time=timestamp(request.created_at),
        expire_time=timestamp(request.expires_at),
        compact=compact,
    )
