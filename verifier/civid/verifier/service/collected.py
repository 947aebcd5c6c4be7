"""The relying party's VerifyPresentationResponse for a judged presentation, built where it was judged.

With the process engine this runs in the verification worker, which hands the server the serialized
message: the server neither unpickles a result nor converts it check by check. The message equals what
:func:`civid.verifier.service.convert.verification` and friends make from the same result's JSON
(``tests/verifier/test_collected_response.py`` compares them).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from civid.common.v1 import verification_pb2
from civid.core.errors import ErrorCode
from civid.core.result import Outcome, VerificationResult
from civid.verifier.service import convert
from civid.verifier.v1 import presentation_pb2
from civid.verifier.v1 import verifier_service_pb2 as pb

CHECKS_KEPT: Final = 4096  # distinct checks whose encoding is kept (a bound: the messages vary little)
_OUTCOMES: Final = {
    Outcome.PASSED: verification_pb2.CHECK_OUTCOME_PASSED,
    Outcome.FAILED: verification_pb2.CHECK_OUTCOME_FAILED,
    Outcome.NOT_CHECKED: verification_pb2.CHECK_OUTCOME_NOT_CHECKED,
}
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class ClaimsView(enum.IntEnum):
    """Which forms of the released claims an answer carries: the proto's ClaimsView, whose numbers these
    are (its UNSPECIFIED means BOTH)."""

    MAP = 1  # only released_claims
    JSON = 2  # only released_claims_json
    BOTH = 3

    @property
    def fills_map(self) -> bool:
        return self is not ClaimsView.JSON

    @property
    def fills_json(self) -> bool:
        return self is not ClaimsView.MAP


@dataclass(frozen=True)
class Verdict:
    """A judged presentation: the full result, the claims released (empty unless verified), the signers."""

    result: VerificationResult
    released_claims: Mapping[str, Any]
    holder_did: str
    issuer_did: str

    @functools.cached_property
    def verified(self) -> bool:
        return self.result.verified


@functools.lru_cache(maxsize=CHECKS_KEPT)
def _check_bytes(name: str, outcome: Outcome, code: ErrorCode | None, message: str) -> bytes:
    """One check as a serialized VerificationResult holding only it (the same checks recur)."""
    failed = outcome is Outcome.FAILED
    check = verification_pb2.Check(
        name=name,
        outcome=_OUTCOMES[outcome],
        code=code.value if failed and code is not None else "",
        message=message,
    )
    return verification_pb2.VerificationResult(checks=[check]).SerializeToString()


def response(
    verdict: Verdict, verify_time: datetime, view: ClaimsView = ClaimsView.BOTH
) -> pb.VerifyPresentationResponse:
    """The answer to VerifyPresentation (a completed PresentationResult), its claims in ``view``'s forms.

    ``verify_time``: timezone-aware."""
    message = pb.VerifyPresentationResponse()
    result = message.result
    result.state = presentation_pb2.PRESENTATION_REQUEST_STATE_COMPLETED
    verification = result.verification
    # the checks' encodings, concatenated, parse as the list of checks (a repeated field appends)
    verification.MergeFromString(
        b"".join([_check_bytes(c.name, c.outcome, c.code, c.message) for c in verdict.result.checks])
    )
    verification.verified = verdict.verified
    errors = verification.errors
    for error in verdict.result.errors:
        errors.add(code=error.code.value, message=error.message)
    release(result, verdict.released_claims, view)
    result.holder_did = verdict.holder_did
    result.issuer_did = verdict.issuer_did
    # what Timestamp.FromDatetime sets, without its helper's cost (some 6 µs): whole seconds since the
    # epoch, rounded down, and the microseconds as nanos
    since = verify_time - _EPOCH
    stamp = result.verify_time
    stamp.seconds = since.days * 86_400 + since.seconds
    stamp.nanos = since.microseconds * 1_000
    return message


def release(result: presentation_pb2.PresentationResult, claims: Mapping[str, Any], view: ClaimsView) -> None:
    """Fill the released claims in the forms ``view`` asks for (the other is left empty)."""
    if view.fills_map and claims:
        result.released_claims.update(convert.claim_strings(claims))
    if view.fills_json:
        result.released_claims_json = convert.claims_json(claims)
