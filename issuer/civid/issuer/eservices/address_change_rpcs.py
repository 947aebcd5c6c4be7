"""IssuerService address-change RPCs: each checks the caller's HolderProof, then runs the use case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final, TypeAlias

import grpc

from civid.issuer.app import IssuerApp
from civid.issuer.domain.paging import page
from civid.issuer.eservices import convert
from civid.issuer.eservices.address_change import AddressChanges
from civid.issuer.service.convert import holder_proof
from civid.issuer.service.runner import DomainRunner
from civid.issuer.v1 import address_change_pb2 as acpb
from civid.issuer.v1 import issuer_service_pb2 as pb

Ctx: TypeAlias = grpc.aio.ServicerContext[Any, Any]
PREFIX: Final = "/civid.issuer.v1.IssuerService/"


def method(name: str) -> str:
    return PREFIX + name


class AddressChangeRpcs:
    def __init__(self, app: IssuerApp, run: DomainRunner) -> None:
        self._app = app
        self._run = run
        self.changes = AddressChanges(app, timedelta(seconds=app.config.address_change_ttl_seconds))

    async def CreateAddressChange(
        self, request: pb.CreateAddressChangeRequest, context: Ctx
    ) -> pb.CreateAddressChangeResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        params = {"houseCode": request.house_code, "requestId": request.request_id}

        def create() -> pb.CreateAddressChangeResponse:
            did = self._app.proofs.verify(proof, method("CreateAddressChange"), params)
            view = self.changes.create(did, request.house_code, request.request_id)
            return pb.CreateAddressChangeResponse(address_change=convert.address_change(view))

        return await self._run(context, create)

    async def GetAddressChange(
        self, request: pb.GetAddressChangeRequest, context: Ctx
    ) -> pb.GetAddressChangeResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        params = {"addressChangeId": request.address_change_id}

        def get() -> pb.GetAddressChangeResponse:
            did = self._app.proofs.verify(proof, method("GetAddressChange"), params)
            view = self.changes.get(did, request.address_change_id)
            return pb.GetAddressChangeResponse(address_change=convert.address_change(view))

        return await self._run(context, get)

    async def ListAddressChanges(
        self, request: pb.ListAddressChangesRequest, context: Ctx
    ) -> pb.ListAddressChangesResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))

        def listing() -> pb.ListAddressChangesResponse:
            did = self._app.proofs.verify(proof, method("ListAddressChanges"), {})
            shown = [
                message
                for message in (convert.address_change(v) for v in self.changes.list(did))
                if request.role in (acpb.ADDRESS_CHANGE_ROLE_UNSPECIFIED, message.caller_role)
                and request.state in (acpb.ADDRESS_CHANGE_STATE_UNSPECIFIED, message.state)
            ]
            scope = f"{did}|{request.role}|{request.state}"
            chunk, token = page(shown, request.page_size, request.page_token, scope)
            return pb.ListAddressChangesResponse(address_changes=chunk, next_page_token=token)

        return await self._run(context, listing)

    async def ConsentAddressChange(
        self, request: pb.ConsentAddressChangeRequest, context: Ctx
    ) -> pb.ConsentAddressChangeResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        params = {"addressChangeId": request.address_change_id}

        def consent() -> pb.ConsentAddressChangeResponse:
            self._app.proofs.verify(proof, method("ConsentAddressChange"), params)
            view = self.changes.consent(proof, request.address_change_id)
            return pb.ConsentAddressChangeResponse(address_change=convert.address_change(view))

        return await self._run(context, consent)

    async def RefuseAddressChange(
        self, request: pb.RefuseAddressChangeRequest, context: Ctx
    ) -> pb.RefuseAddressChangeResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        params = {"addressChangeId": request.address_change_id, "reason": request.reason}

        def refuse() -> pb.RefuseAddressChangeResponse:
            did = self._app.proofs.verify(proof, method("RefuseAddressChange"), params)
            view = self.changes.refuse(did, request.address_change_id, request.reason)
            return pb.RefuseAddressChangeResponse(address_change=convert.address_change(view))

        return await self._run(context, refuse)

    async def CancelAddressChange(
        self, request: pb.CancelAddressChangeRequest, context: Ctx
    ) -> pb.CancelAddressChangeResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        params = {"addressChangeId": request.address_change_id}

        def cancel() -> pb.CancelAddressChangeResponse:
            did = self._app.proofs.verify(proof, method("CancelAddressChange"), params)
            view = self.changes.cancel(did, request.address_change_id)
            return pb.CancelAddressChangeResponse(address_change=convert.address_change(view))

        return await self._run(context, cancel)
