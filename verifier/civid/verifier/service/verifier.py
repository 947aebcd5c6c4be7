"""VerifierService: the door for relying parties and wallets (thin: authenticate, delegate, convert)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Final

import grpc

from civid.core.datetimes import utc_now
from civid.verifier.domain.admission import RateLimiter
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.relying_parties import RelyingParty, authorize
from civid.verifier.domain.request_codec import RequestReference, decode_request, encode_request
from civid.verifier.domain.requests import PresentationRequest, RequestState
from civid.verifier.service import convert
from civid.verifier.service.auth import authenticate_rp
from civid.verifier.service.collected import ClaimsView
from civid.verifier.service.deps import VerifierDeps
from civid.verifier.service.door import stream_door, unary_door
from civid.verifier.service.errors import field_invalid
from civid.verifier.service.idempotency import check_request_id, fingerprint
from civid.verifier.service.paging import paginate
from civid.verifier.service.presenting import claims_view, submit, verify_collected
from civid.verifier.service.registry_adapter import shorten_request
from civid.verifier.service.results import result_message
from civid.verifier.v1 import (
    presentation_pb2,
)
from civid.verifier.v1 import (
    verifier_service_pb2 as pb,
)
from civid.verifier.v1 import (
    verifier_service_pb2_grpc as pb_grpc,
)

WATCH_POLL_S: Final = 0.25
SERVICE_NAME: Final = pb.DESCRIPTOR.services_by_name["VerifierService"].full_name


class VerifierServicer(pb_grpc.VerifierServiceServicer):
    def __init__(self, deps: VerifierDeps) -> None:
        self._deps = deps

    async def _rp(self, context: grpc.aio.ServicerContext) -> RelyingParty:
        rp = await authenticate_rp(context, self._deps.registry, behind_gateway=self._deps.behind_gateway)
        await self._check_rate(rp)
        return rp

    async def _check_rate(self, rp: RelyingParty) -> None:
        """Take a token from ``rp``'s bucket (its own limits; None, None: the server's defaults) or
        raise RATE_LIMITED."""
        rate = self._deps.rate
        if isinstance(rate, RateLimiter):  # a dict under a lock: no thread hop needed
            rate.check(rp.id, rp.rate_per_s, rp.burst)
        else:  # Redis: blocking network I/O, off the event loop
            await asyncio.to_thread(rate.check, rp.id, rp.rate_per_s, rp.burst)

    @unary_door
    async def ListPolicies(
        self, request: pb.ListPoliciesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListPoliciesResponse:
        rp = await self._rp(context)
        ids = sorted(p for p in rp.policy_ids if self._deps.policies.get(p) is not None)
        page, token = paginate(ids, request.page_size, request.page_token, f"policies/{rp.id}")
        policies = [convert.policy(self._deps.policies.by_id[p]) for p in page]
        return pb.ListPoliciesResponse(policies=policies, next_page_token=token)

    @unary_door
    async def CreatePresentationRequest(
        self, request: pb.CreatePresentationRequestRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreatePresentationRequestResponse:
        rp = await self._rp(context)
        if not request.policy_id:
            raise field_invalid("policy_id", "policy_id is required")
        check_request_id(request.request_id)
        made = await self._create_once(rp, request) if request.request_id else await self._create(rp, request)
        return pb.CreatePresentationRequestResponse(presentation_request=self._request_message(made, rp))

    async def _create_once(
        self, rp: RelyingParty, request: pb.CreatePresentationRequestRequest
    ) -> PresentationRequest:
        """The request first made for this request_id (at any process), or a new one remembered for it."""
        store, scope, content = self._deps.idempotency, f"presentation-request/{rp.id}", fingerprint(request)
        known = await asyncio.to_thread(store.recall, scope, request.request_id, content)
        if known is None:
            made = await self._create(rp, request)
            stored = made.id.encode("ascii")
            known = await asyncio.to_thread(store.remember, scope, request.request_id, content, stored)
            if known == stored:
                return made
        return await asyncio.to_thread(self._deps.requests.get_for_rp, rp.id, known.decode("ascii"))

    async def _create(
        self, rp: RelyingParty, request: pb.CreatePresentationRequestRequest
    ) -> PresentationRequest:
        policy = authorize(rp, request.policy_id, self._deps.policies)
        ttl = request.ttl.ToTimedelta() if request.HasField("ttl") else None
        if ttl is not None and not timedelta(seconds=1) <= ttl <= timedelta(
            seconds=policy.request_lifetime_s
        ):
            raise field_invalid(
                "ttl", f"ttl must be between 1 s and the policy's {policy.request_lifetime_s} s"
            )
        deps = self._deps
        made = await asyncio.to_thread(
            deps.requests.create, rp, policy.id, list(request.claims), deps.domain, deps.nonces
        )
        if ttl is not None:
            made = await asyncio.to_thread(shorten_request, deps.requests, made, made.created_at + ttl)
        return made

    def _request_message(
        self, made: PresentationRequest, rp: RelyingParty
    ) -> presentation_pb2.PresentationRequest:
        policy = self._deps.policies.by_id[made.policy_id]
        compact = encode_request(RequestReference(self._deps.address, made.id))
        return convert.request_message(made, rp, policy, utc_now(), compact)

    @unary_door
    async def GetPresentationRequest(
        self, request: pb.GetPresentationRequestRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetPresentationRequestResponse:
        which = request.WhichOneof("selector")
        if which == "compact":
            request_id = decode_request(request.compact).request_id
        elif which == "presentation_request_id" and request.presentation_request_id:
            request_id = request.presentation_request_id
        else:
            raise field_invalid("presentation_request_id", "give presentation_request_id or compact")
        made = await asyncio.to_thread(self._deps.requests.get, request_id)
        if made.state_at(utc_now()) is RequestState.EXPIRED:
            raise DomainError(
                DomainErrorCode.REQUEST_EXPIRED,
                "the presentation request has expired",
                {"presentation_request_id": made.id},
            )
        rp = await asyncio.to_thread(self._deps.registry.get, made.rp_id)
        return pb.GetPresentationRequestResponse(presentation_request=self._request_message(made, rp))

    @unary_door
    async def SubmitPresentation(
        self, request: pb.SubmitPresentationRequest, context: grpc.aio.ServicerContext
    ) -> pb.SubmitPresentationResponse:
        made, outcome = await submit(self._deps, request.presentation_request_id, request.presentation_json)
        rp = await asyncio.to_thread(self._deps.registry.get, made.rp_id)
        return pb.SubmitPresentationResponse(
            verification=convert.verification(outcome.result),
            relying_party_display_name=convert.text(rp.display_name),
            released_claim_names=sorted(outcome.released_claims),
        )

    @unary_door
    async def GetPresentationResult(
        self, request: pb.GetPresentationResultRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetPresentationResultResponse:
        rp = await self._rp(context)
        view = claims_view(request.claims_view)
        return pb.GetPresentationResultResponse(
            result=await self._result(rp, request.presentation_request_id, view)
        )

    async def _result(
        self, rp: RelyingParty, request_id: str, view: ClaimsView
    ) -> presentation_pb2.PresentationResult:
        if not request_id:
            raise field_invalid("presentation_request_id", "presentation_request_id is required")
        made = await asyncio.to_thread(self._deps.requests.get_for_rp, rp.id, request_id)
        stored = await asyncio.to_thread(self._deps.requests.result_for_rp, rp.id, request_id)
        return result_message(made, stored, utc_now(), view)

    @stream_door
    async def WatchPresentationResult(
        self, request: pb.WatchPresentationResultRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.WatchPresentationResultResponse]:
        rp = await self._rp(context)
        view = claims_view(request.claims_view)
        current = await self._result(rp, request.presentation_request_id, view)
        yield pb.WatchPresentationResultResponse(result=current)
        while current.state == presentation_pb2.PRESENTATION_REQUEST_STATE_PENDING:
            changed = self._deps.results.changed
            with contextlib.suppress(TimeoutError):  # other processes record results too: poll the database
                await asyncio.wait_for(changed.wait(), WATCH_POLL_S)
            latest = await self._result(rp, request.presentation_request_id, view)
            if latest.state != current.state:
                yield pb.WatchPresentationResultResponse(result=latest)
            current = latest

    @unary_door
    async def VerifyPresentation(
        self, request: pb.VerifyPresentationRequest, context: grpc.aio.ServicerContext
    ) -> pb.VerifyPresentationResponse:
        with self._deps.in_flight.admit():  # over capacity: RESOURCE_EXHAUSTED before any work
            rp = await self._rp(context)
            policy = authorize(rp, request.policy_id, self._deps.policies)
            return await verify_collected(
                self._deps,
                rp.id,
                policy,
                request.presentation_json,
                request.challenge,
                request.domain,
                request.claims_view,
            )
