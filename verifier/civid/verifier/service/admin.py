"""RelyingPartyAdminService: the operator's door to the relying-party registry.

The registry decides whether a relying party may change (NOT_FOUND, INVALID_STATE for a revoked one)
in the same transaction as the change; this servicer validates the request, calls it, maps its errors
and answers with the relying party, and its API key's prefix, as that transaction left them.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Final

import grpc

from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.relying_parties import RelyingPartySpec
from civid.verifier.domain.admission import check_rate_limit
from civid.verifier.domain.idempotency import IdempotencyStore
from civid.verifier.domain.relying_parties import (
    MAX_CERTIFICATES,
    Registered,
    RelyingPartyRegistry,
    api_key_prefix,
)
from civid.verifier.service import convert
from civid.verifier.service.auth import check_admin
from civid.verifier.service.door import unary_door
from civid.verifier.service.errors import field_invalid
from civid.verifier.service.idempotency import check_request_id, fingerprint
from civid.verifier.service.paging import paginate
from civid.verifier.service.sealed_answers import AnswerSeal
from civid.verifier.v1 import relying_party_admin_service_pb2 as pb
from civid.verifier.v1 import relying_party_admin_service_pb2_grpc as pb_grpc
from civid.verifier.v1 import relying_party_pb2

SERVICE_NAME: Final = pb.DESCRIPTOR.services_by_name["RelyingPartyAdminService"].full_name
_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
_MASKABLE: Final = frozenset({"display_name", "policy_ids", "certificate_fingerprints", "rate_limit"})
_CREATE_SCOPE: Final = "create-relying-party"


def _required_id(rp_id: str) -> str:
    if not rp_id:
        raise field_invalid("relying_party_id", "relying_party_id is required")
    return rp_id


def _certificates(field: str, values: list[str]) -> tuple[str, ...]:
    if len(values) > MAX_CERTIFICATES or len(set(values)) != len(values):
        raise field_invalid(field, f"at most {MAX_CERTIFICATES} different certificate fingerprints")
    if not all(_SHA256.match(v) for v in values):
        raise field_invalid(field, "a fingerprint is 64 lowercase hex digits")
    return tuple(values)


def _rate_limit(field: str, message: relying_party_pb2.RateLimit | None) -> tuple[float | None, float | None]:
    """``(calls_per_second, burst)`` of a set ``rate_limit``; ``(None, None)`` (the server's default)
    for an unset one (None). FIELD_INVALID, naming ``field``'s member, unless both are in range."""
    if message is None:
        return None, None
    fields = (f"{field}.calls_per_second", f"{field}.burst")
    check_rate_limit(message.calls_per_second, message.burst, fields)
    return message.calls_per_second, message.burst


def _message(registered: Registered) -> relying_party_pb2.RelyingParty:
    """The relying party as the registry read it, with its key prefix from the same transaction."""
    return convert.relying_party(registered.relying_party, registered.key_prefix)


class RelyingPartyAdminServicer(pb_grpc.RelyingPartyAdminServiceServicer):
    def __init__(
        self, registry: RelyingPartyRegistry, admin_token: str, idempotency: IdempotencyStore
    ) -> None:
        self._registry = registry
        self._token = admin_token
        self._idempotency = idempotency
        self._seal = AnswerSeal(admin_token)

    async def _recall_created(self, request_id: str, content: str) -> pb.CreateRelyingPartyResponse | None:
        sealed = await asyncio.to_thread(self._idempotency.recall, _CREATE_SCOPE, request_id, content)
        opened = None if sealed is None else self._seal.open(sealed)
        return None if opened is None else pb.CreateRelyingPartyResponse.FromString(opened)

    @unary_door
    async def CreateRelyingParty(
        self, request: pb.CreateRelyingPartyRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateRelyingPartyResponse:
        check_admin(context, self._token)
        check_request_id(request.request_id)
        if not request.display_name.en:
            raise field_invalid("display_name.en", "display_name.en is required")
        content = fingerprint(request)
        if request.request_id and (known := await self._recall_created(request.request_id, content)):
            return known
        rate_per_s, burst = _rate_limit(
            "rate_limit", request.rate_limit if request.HasField("rate_limit") else None
        )
        spec = RelyingPartySpec(
            request.relying_party_id,
            LocalizedText(request.display_name.en, request.display_name.th),
            tuple(request.policy_ids),
            _certificates("certificate_fingerprints", list(request.certificate_fingerprints)),
            rate_per_s,
            burst,
        )
        rp, key = await asyncio.to_thread(self._registry.add_rp, spec)
        # the key made with it is its only one: its prefix is the one to show, no second read
        message = convert.relying_party(rp, api_key_prefix(key))
        answer = pb.CreateRelyingPartyResponse(relying_party=message, api_key=key)
        if request.request_id:
            sealed = self._seal.seal(answer.SerializeToString())
            await asyncio.to_thread(
                self._idempotency.remember, _CREATE_SCOPE, request.request_id, content, sealed
            )
        return answer

    @unary_door
    async def GetRelyingParty(
        self, request: pb.GetRelyingPartyRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetRelyingPartyResponse:
        check_admin(context, self._token)
        found = await asyncio.to_thread(self._registry.describe, _required_id(request.relying_party_id))
        return pb.GetRelyingPartyResponse(relying_party=_message(found))

    @unary_door
    async def ListRelyingParties(
        self, request: pb.ListRelyingPartiesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListRelyingPartiesResponse:
        check_admin(context, self._token)
        every = await asyncio.to_thread(self._registry.describe_all)
        shown = {r.relying_party.id: r for r in every if r.relying_party.active or request.include_revoked}
        scope = f"rps/{request.include_revoked}"
        page, token = paginate(sorted(shown), request.page_size, request.page_token, scope)
        parties = [_message(shown[i]) for i in page]
        return pb.ListRelyingPartiesResponse(relying_parties=parties, next_page_token=token)

    @unary_door
    async def UpdateRelyingParty(
        self, request: pb.UpdateRelyingPartyRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateRelyingPartyResponse:
        check_admin(context, self._token)
        paths = set(request.update_mask.paths)
        if not paths or paths - _MASKABLE:
            raise field_invalid(
                "update_mask", f"update_mask must name some of {', '.join(sorted(_MASKABLE))}"
            )
        wanted = request.relying_party
        rp_id = _required_id(wanted.relying_party_id)
        if "display_name" in paths and not wanted.display_name.en:
            raise field_invalid("relying_party.display_name.en", "display_name.en is required")
        rate_limit = (
            _rate_limit(
                "relying_party.rate_limit", wanted.rate_limit if wanted.HasField("rate_limit") else None
            )
            if "rate_limit" in paths
            else None
        )
        certificates = (
            _certificates("relying_party.certificate_fingerprints", list(wanted.certificate_fingerprints))
            if "certificate_fingerprints" in paths
            else None
        )
        updated = await asyncio.to_thread(
            lambda: self._registry.update_rp(
                rp_id,
                display_name=LocalizedText(wanted.display_name.en, wanted.display_name.th)
                if "display_name" in paths
                else None,
                policy_ids=tuple(wanted.policy_ids) if "policy_ids" in paths else None,
                certificate_fingerprints=certificates,
                rate_limit=rate_limit,
            )
        )
        return pb.UpdateRelyingPartyResponse(relying_party=_message(updated))

    @unary_door
    async def RevokeRelyingParty(
        self, request: pb.RevokeRelyingPartyRequest, context: grpc.aio.ServicerContext
    ) -> pb.RevokeRelyingPartyResponse:
        check_admin(context, self._token)
        rp_id = _required_id(request.relying_party_id)
        revoked = await asyncio.to_thread(self._registry.revoke_rp, rp_id)
        return pb.RevokeRelyingPartyResponse(relying_party=_message(revoked))

    @unary_door
    async def RotateRelyingPartyKey(
        self, request: pb.RotateRelyingPartyKeyRequest, context: grpc.aio.ServicerContext
    ) -> pb.RotateRelyingPartyKeyResponse:
        check_admin(context, self._token)
        rp_id = _required_id(request.relying_party_id)
        grace = request.grace_period.ToTimedelta() if request.HasField("grace_period") else timedelta(0)
        rotated = await asyncio.to_thread(self._registry.rotate_key, rp_id, grace)
        # as of the rotation, from its transaction: no later read that could see a change made since
        rp = convert.relying_party(rotated.relying_party, rotated.key_prefix)
        return pb.RotateRelyingPartyKeyResponse(relying_party=rp, api_key=rotated.api_key)
