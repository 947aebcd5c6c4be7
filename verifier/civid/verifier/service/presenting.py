"""Verifying a submitted or RP-collected presentation: admission, nonce, engine, stored result."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import grpc

from civid.core.datetimes import utc_now
from civid.rpc import metrics
from civid.verifier.config.policies import Policy
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.nonces import InMemoryNonceStore, NonceStore
from civid.verifier.domain.requests import PresentationRequest, PresentationResult, RequestState
from civid.verifier.engine import VerifyJob, VerifyOutcome
from civid.verifier.service.collected import ClaimsView
from civid.verifier.service.deps import VerifierDeps
from civid.verifier.service.errors import failure, field_invalid
from civid.verifier.v1 import presentation_pb2
from civid.verifier.v1 import verifier_service_pb2 as pb


def check_size(deps: VerifierDeps, presentation_json: str) -> None:
    """MESSAGE_TOO_LARGE before anything is parsed."""
    size = len(presentation_json.encode("utf-8"))
    if size > deps.max_presentation_bytes:
        raise failure(
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            "MESSAGE_TOO_LARGE",
            f"the presentation is {size} bytes; the limit is {deps.max_presentation_bytes} bytes",
            limit_bytes=str(deps.max_presentation_bytes),
        )


def claims_view(value: int) -> ClaimsView:
    """The view a request's ``claims_view`` asks for (UNSPECIFIED: both); FIELD_INVALID for a number
    the proto's ClaimsView does not name."""
    if value == presentation_pb2.CLAIMS_VIEW_UNSPECIFIED:
        return ClaimsView.BOTH
    try:
        return ClaimsView(value)
    except ValueError:
        raise field_invalid(
            "claims_view", f"claims_view {value} is not a ClaimsView (MAP, JSON or BOTH)"
        ) from None


def check_json_object(presentation_json: str) -> None:
    try:
        value: Any = json.loads(presentation_json)
    except ValueError as exc:
        raise field_invalid_document("the presentation is not JSON") from exc
    if not isinstance(value, dict):
        raise field_invalid_document("the presentation is not a JSON object")


def field_invalid_document(message: str) -> Exception:
    return failure(grpc.StatusCode.INVALID_ARGUMENT, "MALFORMED_DOCUMENT", message, field="presentation_json")


async def submit(
    deps: VerifierDeps, request_id: str, presentation_json: str
) -> tuple[PresentationRequest, VerifyOutcome]:
    """The wallet's answer to a request: verified once, recorded for the RP, the nonce consumed."""
    if not request_id:
        raise field_invalid("presentation_request_id", "presentation_request_id is required")
    check_size(deps, presentation_json)
    with deps.in_flight.admit():
        check_json_object(presentation_json)
        request = await asyncio.to_thread(deps.requests.open_for_submission, request_id)
        if not await asyncio.to_thread(deps.nonces.consume, request.nonce):
            raise _replayed_or_expired(request)
        job = VerifyJob(
            presentation_json,
            request.policy_id,
            request.requested_claims,
            request.nonce,
            request.domain,
            True,
        )
        outcome = await deps.engine.verify(job)
    stored = PresentationResult(
        request.id,
        outcome.verified,
        tuple(outcome.result.get("checks", ())),
        tuple(outcome.result.get("errors", ())),
        dict(outcome.released_claims),
        utc_now(),
    )
    await asyncio.to_thread(deps.requests.record_result, stored)
    deps.results.notify()
    metrics.count_verification(request.policy_id, outcome.verified)
    return request, outcome


async def verify_collected(
    deps: VerifierDeps,
    rp_id: str,
    policy: Policy,
    presentation_json: str,
    challenge: str,
    domain: str,
    view: int,
) -> pb.VerifyPresentationResponse:
    """An RP's own presentation; its challenge is recorded as used (a second use fails the nonce check).

    The challenge is remembered for ``deps.rp_challenge_ttl_s`` (:func:`~civid.verifier.domain.freshness.
    challenge_memory_s`): after that any presentation made for it fails ``presentation.proof.created``.

    The caller holds an admission slot (``deps.in_flight.admit()``) from before authentication, so
    that over capacity a call is refused before it costs a database read. ``view``: the request's
    ``claims_view`` number (:func:`claims_view`)."""
    if not 16 <= len(challenge) <= 256:
        raise field_invalid("challenge", "challenge must be 16 to 256 characters")
    if not domain:
        raise field_invalid("domain", "domain is required")
    released_as = claims_view(view)
    check_size(deps, presentation_json)
    check_json_object(presentation_json)
    record = (deps.nonces, rp_id, challenge, deps.rp_challenge_ttl_s)
    if isinstance(deps.nonces, InMemoryNonceStore):  # a dict under a lock: no thread hop needed
        fresh = record_challenge(*record)
    else:
        fresh = await asyncio.to_thread(record_challenge, *record)
    answered = await deps.engine.respond(
        VerifyJob(presentation_json, policy.id, policy.claims, challenge, domain, fresh, released_as)
    )
    metrics.count_verification(policy.id, answered.verified)
    return answered.response


def record_challenge(nonces: NonceStore, rp_id: str, challenge: str, ttl_s: float) -> bool:
    """Record an RP's challenge as used for ``ttl_s`` seconds; False when it was already recorded."""
    digest = hashlib.sha256(challenge.encode("utf-8")).hexdigest()
    try:
        nonces.issue(f"rp:{rp_id}:{digest}", ttl_s)
    except ValueError:  # already recorded: the challenge was used
        return False
    return True


def _replayed_or_expired(request: PresentationRequest) -> DomainError:
    if request.state_at(utc_now()) is RequestState.EXPIRED:
        return DomainError(
            DomainErrorCode.REQUEST_EXPIRED,
            "the presentation request has expired",
            {"presentation_request_id": request.id},
        )
    return DomainError(
        DomainErrorCode.REQUEST_COMPLETED,
        "the request's challenge was already used: a replayed presentation",
        {"presentation_request_id": request.id},
    )
