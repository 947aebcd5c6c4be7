"""One presentation judged under one policy: the core's checks, the policy's checks, the claims released.

The claims are released only when everything else verified: a relying party never receives a value
from a presentation that failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civid.core.errors import CividError
from civid.core.presentation import credentials_of
from civid.core.result import ResultBuilder, VerificationResult
from civid.verifier.config.policies import Policy
from civid.verifier.domain.freshness import DEFAULT_CLOCK_SKEW_S
from civid.verifier.domain.policy_checks import apply_suspension_rule, policy_checks, presentation_checks
from civid.verifier.domain.release import CLAIMS_CHECK, check_and_release


@dataclass(frozen=True)
class Judgement:
    """The full result for the relying party and the claims it may see (empty unless verified)."""

    result: VerificationResult
    released_claims: Mapping[str, Any] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        return self.result.verified


def judge(
    vp: Mapping[str, Any],
    core_result: VerificationResult,
    policy: Policy,
    claims: Sequence[str],
    now: datetime,
    clock_skew_s: int = DEFAULT_CLOCK_SKEW_S,
) -> Judgement:
    """Add the policy's checks to ``core_result`` (from ``verify_presentation``) and release claims.

    ``clock_skew_s``: how far the holder's clock may be from ``now`` (the verifier's ``clock_skew_s``)."""
    out = ResultBuilder()
    out.extend(apply_suspension_rule(core_result, policy))
    out.extend(presentation_checks(vp if isinstance(vp, Mapping) else {}, policy, now, clock_skew_s))
    try:
        credentials = credentials_of(vp) if isinstance(vp, Mapping) else []
    except CividError:  # a malformed presentation: the core result already says why
        credentials = []
    out.extend(policy_checks(credentials, policy, now))
    if not out.build().verified or not credentials:
        out.not_checked(CLAIMS_CHECK, "no claims are released from a presentation that did not verify")
        return Judgement(out.build())
    released = check_and_release(credentials[0], policy, claims, out)
    result = out.build()
    return Judgement(result, released if result.verified else {})
