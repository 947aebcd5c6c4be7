"""IssuerService.CreateCertifiedCopy."""

from __future__ import annotations

from typing import Any, TypeAlias

import grpc

from civid.issuer.app import IssuerApp
from civid.issuer.eservices.address_change_rpcs import method
from civid.issuer.eservices.certified_copy import CertifiedCopies, IssuedCopy, record_kind
from civid.issuer.service.convert import holder_proof, timestamp
from civid.issuer.service.runner import DomainRunner
from civid.issuer.storage.certified_copies import CopyKind
from civid.issuer.v1 import certified_copy_pb2 as ccpb
from civid.issuer.v1 import issuer_service_pb2 as pb

Ctx: TypeAlias = grpc.aio.ServicerContext[Any, Any]
RECORD_TYPE = {
    CopyKind.HOUSEHOLD_REGISTRATION: ccpb.CERTIFIED_RECORD_TYPE_HOUSEHOLD_EXTRACT,
    CopyKind.BIRTH_RECORD: ccpb.CERTIFIED_RECORD_TYPE_BIRTH_RECORD,
}


def certified_copy(issued: IssuedCopy) -> ccpb.CertifiedCopy:
    return ccpb.CertifiedCopy(
        credential_id=issued.credential.id,
        record_type=RECORD_TYPE[issued.kind],
        credential_json=issued.credential.document,
        verification_reference=issued.verification_reference,
        create_time=timestamp(issued.credential.issued_at),
    )


def _type_name(value: int) -> str:
    """The enum value's full name as signed ("CERTIFIED_RECORD_TYPE_BIRTH_RECORD"), or the number."""
    try:
        return ccpb.CertifiedRecordType.Name(value)
    except ValueError:
        return str(value)


class CertifiedCopyRpcs:
    def __init__(self, app: IssuerApp, run: DomainRunner) -> None:
        self._app = app
        self._run = run
        self.copies = CertifiedCopies(app)

    async def CreateCertifiedCopy(
        self, request: pb.CreateCertifiedCopyRequest, context: Ctx
    ) -> pb.CreateCertifiedCopyResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        type_name = _type_name(request.record_type)
        params = {"recordType": type_name, "requestId": request.request_id}

        def create() -> pb.CreateCertifiedCopyResponse:
            did = self._app.proofs.verify(proof, method("CreateCertifiedCopy"), params)
            issued = self.copies.create(did, record_kind(type_name), request.request_id)
            return pb.CreateCertifiedCopyResponse(certified_copy=certified_copy(issued))

        return await self._run(context, create)
