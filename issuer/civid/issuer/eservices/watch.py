"""IssuerService.WatchCitizenRequests: a snapshot of the caller's open requests, then their changes.

The stream polls its sources (one per kind of request) every ``interval`` seconds and sends an event for
each request that appeared (CREATED) or changed (UPDATED) since the last look. Polling the store, not
in-process signals, so changes made by another issuer process (or an officer desk) show too. A source
is any object with ``requests(holder_did) -> list[WatchedRequest]`` (e-service parts add theirs in
``civid.issuer.eservices.handlers``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeAlias

import grpc

from civid.issuer.app import IssuerApp
from civid.issuer.eservices import convert
from civid.issuer.eservices.address_change import AddressChanges
from civid.issuer.eservices.address_change_rpcs import method
from civid.issuer.service.convert import holder_proof, timestamp
from civid.issuer.service.runner import DomainRunner
from civid.issuer.storage.address_changes import AddressChangeState
from civid.issuer.v1 import citizen_request_pb2 as crpb
from civid.issuer.v1 import issuer_service_pb2 as pb

Ctx: TypeAlias = grpc.aio.ServicerContext[Any, Any]
MAX_STREAM_SECONDS: Final = 3600.0
POLL_SECONDS: Final = 0.5
Event = crpb.CitizenRequestEventType


@dataclass(frozen=True)
class WatchedRequest:
    """One request as a source sees it now: a stable key, the message, and whether it is still open."""

    key: str
    request: crpb.CitizenRequest
    open: bool


class RequestSource(Protocol):
    def requests(self, holder_did: str) -> list[WatchedRequest]: ...


class AddressChangeSource:
    """The caller's address changes, as applicant or owner."""

    def __init__(self, changes: AddressChanges) -> None:
        self._changes = changes

    def requests(self, holder_did: str) -> list[WatchedRequest]:
        return [
            WatchedRequest(
                key=f"address_change:{view.request.id}",
                request=crpb.CitizenRequest(address_change=convert.address_change(view)),
                open=view.request.state is AddressChangeState.PENDING,
            )
            for view in self._changes.list(holder_did)
        ]


class CitizenRequestWatch:
    def __init__(
        self,
        app: IssuerApp,
        run: DomainRunner,
        sources: Sequence[RequestSource],
        *,
        interval: float = POLL_SECONDS,
        max_seconds: float = MAX_STREAM_SECONDS,
    ) -> None:
        self._app = app
        self._run = run
        self._sources = list(sources)
        self._interval = interval
        self._max_seconds = max_seconds

    async def WatchCitizenRequests(
        self, request: pb.WatchCitizenRequestsRequest, context: Ctx
    ) -> AsyncIterator[pb.WatchCitizenRequestsResponse]:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        did = await self._run(
            context, lambda: self._app.proofs.verify(proof, method("WatchCitizenRequests"), {})
        )
        current = await self._run(context, lambda: self._look(did))
        for item in current.values():
            if item.open:
                yield self._event(Event.CITIZEN_REQUEST_EVENT_TYPE_SNAPSHOT, item.request)
        yield self._event(Event.CITIZEN_REQUEST_EVENT_TYPE_SNAPSHOT_END, None)
        seen = {key: item.request.SerializeToString(deterministic=True) for key, item in current.items()}
        deadline = asyncio.get_running_loop().time() + self._max_seconds
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(self._interval)
            current = await self._run(context, lambda: self._look(did))
            for key, item in current.items():
                data = item.request.SerializeToString(deterministic=True)
                if seen.get(key) == data:
                    continue
                kind = (
                    Event.CITIZEN_REQUEST_EVENT_TYPE_UPDATED
                    if key in seen
                    else Event.CITIZEN_REQUEST_EVENT_TYPE_CREATED
                )
                seen[key] = data
                yield self._event(kind, item.request)

    def _look(self, did: str) -> dict[str, WatchedRequest]:
        return {item.key: item for source in self._sources for item in source.requests(did)}

    def _event(self, kind: int, request: crpb.CitizenRequest | None) -> pb.WatchCitizenRequestsResponse:
        event = crpb.CitizenRequestEvent(type=kind, event_time=timestamp(self._app.clock()))  # type: ignore[arg-type]
        if request is not None:
            event.request.CopyFrom(request)
        return pb.WatchCitizenRequestsResponse(event=event)
