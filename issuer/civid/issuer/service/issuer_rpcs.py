"""IssuerService RPCs of the issuer core: enrollment, DID document, status lists, credential status."""

from __future__ import annotations

import json
from typing import Any, TypeAlias

import grpc

from civid.issuer.app import IssuerApp
from civid.issuer.domain.enrollment import Completion
from civid.issuer.domain.errors import field_invalid, not_found
from civid.issuer.domain.paging import page
from civid.issuer.service import convert
from civid.issuer.service.runner import DomainRunner
from civid.issuer.v1 import issuer_service_pb2 as pb
from civid.rpc.metrics import ENROLLMENTS

Ctx: TypeAlias = grpc.aio.ServicerContext[Any, Any]
LIST_CREDENTIALS = "/civid.issuer.v1.IssuerService/ListCredentials"


class EnrollmentRpcs:
    def __init__(self, app: IssuerApp, run: DomainRunner) -> None:
        self._app = app
        self._run = run

    async def StartEnrollment(
        self, request: pb.StartEnrollmentRequest, context: Ctx
    ) -> pb.StartEnrollmentResponse:
        started = await self._run(
            context,
            lambda: self._app.enrollment.start(request.national_id, request.laser_code, request.holder_did),
        )
        return pb.StartEnrollmentResponse(
            enrollment_id=started.enrollment_id,
            challenge=started.challenge,
            expire_time=convert.timestamp(started.expires_at),
            issuer_did=self._app.keys.did,
            max_selfie_bytes=started.max_selfie_bytes,
            attempts_left=started.attempts_left,
        )

    async def CompleteEnrollment(
        self, request: pb.CompleteEnrollmentRequest, context: Ctx
    ) -> pb.CompleteEnrollmentResponse:
        completion = Completion(
            enrollment_id=request.enrollment_id,
            selfie=request.selfie,
            proof=convert.holder_proof(request.holder_proof, request.HasField("holder_proof")),
            request_id=request.request_id,
        )

        def complete() -> str:
            try:
                credential_id, _decision = self._app.enrollment.complete(completion)
            except Exception as exc:
                ENROLLMENTS.labels(getattr(getattr(exc, "code", None), "value", "error")).inc()
                raise
            ENROLLMENTS.labels("issued").inc()
            return credential_id

        credential_id = await self._run(context, complete)
        record = await self._run(context, lambda: self._app.store.credentials.require(credential_id))
        return pb.CompleteEnrollmentResponse(credential=convert.credential(record, self._app.clock()))


class PublicRpcs:
    """Answers without authentication: the DID document, status lists, one credential's status."""

    def __init__(self, app: IssuerApp, run: DomainRunner) -> None:
        self._app = app
        self._run = run

    async def GetDidDocument(
        self, request: pb.GetDidDocumentRequest, context: Ctx
    ) -> pb.GetDidDocumentResponse:
        document, updated = await self._run(context, self._app.keys.did_document)
        return pb.GetDidDocumentResponse(
            did=self._app.keys.did,
            did_document_json=json.dumps(document, separators=(",", ":")),
            update_time=convert.timestamp(updated),
        )

    async def GetStatusList(self, request: pb.GetStatusListRequest, context: Ctx) -> pb.GetStatusListResponse:
        url = request.status_list_credential
        record, etag = await self._run(context, lambda: self._app.status_lists.etag(url))
        if request.if_none_match and request.if_none_match == etag:
            return pb.GetStatusListResponse(
                etag=etag,
                not_modified=True,
                purpose=convert.purpose(record.purpose),  # type: ignore[arg-type]
                update_time=convert.timestamp(record.updated_at),
            )
        signed = await self._run(context, lambda: self._app.status_lists.signed(url))
        return pb.GetStatusListResponse(
            status_list_credential_json=signed.credential_json,
            etag=signed.etag,
            purpose=convert.purpose(signed.purpose),  # type: ignore[arg-type]
            update_time=convert.timestamp(signed.updated_at),
        )

    async def GetCredentialStatus(
        self, request: pb.GetCredentialStatusRequest, context: Ctx
    ) -> pb.GetCredentialStatusResponse:
        def lookup() -> pb.GetCredentialStatusResponse:
            if not request.credential_id:
                raise field_invalid("credential_id", "is required")
            record = self._app.store.credentials.get(request.credential_id)
            if record is None:
                raise not_found("Credential", request.credential_id)
            changed = self._app.desk.status_changed_at(record.id) or record.issued_at
            state = convert.credential_state(record, self._app.clock())
            return pb.GetCredentialStatusResponse(state=state, update_time=convert.timestamp(changed))  # type: ignore[arg-type]

        return await self._run(context, lookup)


class HolderRpcs:
    """Calls authenticated by a HolderProof."""

    def __init__(self, app: IssuerApp, run: DomainRunner) -> None:
        self._app = app
        self._run = run

    async def ListCredentials(
        self, request: pb.ListCredentialsRequest, context: Ctx
    ) -> pb.ListCredentialsResponse:
        proof = convert.holder_proof(request.holder_proof, request.HasField("holder_proof"))

        def listing() -> pb.ListCredentialsResponse:
            did = self._app.proofs.verify(proof, LIST_CREDENTIALS, {})
            now = self._app.clock()
            records = self._app.store.credentials.for_holder(did)
            shown = [
                r
                for r in records
                if request.include_inactive
                or convert.credential_state(r, now)
                in (convert.State.CREDENTIAL_STATE_ACTIVE, convert.State.CREDENTIAL_STATE_SUSPENDED)
            ]
            scope = f"{did}|{request.include_inactive}"
            chunk, token = page(shown, request.page_size, request.page_token, scope)
            return pb.ListCredentialsResponse(
                credentials=[convert.credential(r, now) for r in chunk], next_page_token=token
            )

        return await self._run(context, listing)
