"""OfficerService RPCs of the credential lifecycle; every call is authenticated first."""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

import grpc

from civid.issuer.app import IssuerApp
from civid.issuer.domain.lifecycle import AssistedRequest
from civid.issuer.domain.paging import page
from civid.issuer.service import convert
from civid.issuer.service.runner import DomainRunner
from civid.issuer.storage import Officer
from civid.issuer.v1 import officer_service_pb2 as pb

Ctx: TypeAlias = grpc.aio.ServicerContext[Any, Any]
T = TypeVar("T")
SERVICE = "/civid.issuer.v1.OfficerService"


def call_metadata(context: Ctx) -> dict[str, str | bytes]:
    return {m.key: m.value for m in context.invocation_metadata() or ()}


def client_certificate_sha256(context: Ctx) -> str | None:
    """Hex SHA-256 of the DER client certificate of an mTLS call (None without one)."""
    pems = context.auth_context().get("x509_pem_cert") or []
    if not pems:
        return None
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pems[0].decode("ascii"))).hexdigest()


class OfficerAuthentication:
    """Authenticates the calling officer, then runs the domain call in the same worker thread."""

    def __init__(self, app: IssuerApp, run: DomainRunner) -> None:
        self._app = app
        self._run = run

    async def __call__(self, context: Ctx, rpc: str, work: Callable[[Officer], T]) -> T:
        method = f"{SERVICE}/{rpc}"
        metadata = call_metadata(context)
        certificate = client_certificate_sha256(context)
        return await self._run(
            context, lambda: work(self._app.officers.authenticate(method, metadata, certificate))
        )


class OfficerDeskRpcs:
    def __init__(self, app: IssuerApp, run: DomainRunner) -> None:
        self._app = app
        self._as_officer = OfficerAuthentication(app, run)

    async def GetCitizen(self, request: pb.GetCitizenRequest, context: Ctx) -> pb.GetCitizenResponse:
        view = await self._as_officer(
            context, "GetCitizen", lambda _o: self._app.desk.citizen(request.national_id)
        )
        return pb.GetCitizenResponse(
            citizen=convert.citizen_record(view.citizen, view.enrollment_locked, view.holder_did)
        )

    async def AssistedEnrollment(
        self, request: pb.AssistedEnrollmentRequest, context: Ctx
    ) -> pb.AssistedEnrollmentResponse:
        assisted = AssistedRequest(
            request.national_id,
            request.laser_code,
            request.holder_did,
            request.desk_photo,
            request.reason,
            request.request_id,
        )
        record = await self._as_officer(
            context, "AssistedEnrollment", lambda o: self._app.desk.assisted_enrollment(o, assisted)
        )
        return pb.AssistedEnrollmentResponse(credential=convert.credential(record, self._app.clock()))

    async def UnlockEnrollment(
        self, request: pb.UnlockEnrollmentRequest, context: Ctx
    ) -> pb.UnlockEnrollmentResponse:
        left = await self._as_officer(
            context,
            "UnlockEnrollment",
            lambda o: self._app.desk.unlock(o, request.national_id, request.reason),
        )
        return pb.UnlockEnrollmentResponse(attempts_left=left)

    async def ListCitizenCredentials(
        self, request: pb.ListCitizenCredentialsRequest, context: Ctx
    ) -> pb.ListCitizenCredentialsResponse:
        records = await self._as_officer(
            context,
            "ListCitizenCredentials",
            lambda _o: self._app.desk.citizen_credentials(request.national_id),
        )
        chunk, token = page(records, request.page_size, request.page_token, request.national_id)
        now = self._app.clock()
        return pb.ListCitizenCredentialsResponse(
            credentials=[convert.credential(r, now) for r in chunk], next_page_token=token
        )

    async def RevokeCredential(
        self, request: pb.RevokeCredentialRequest, context: Ctx
    ) -> pb.RevokeCredentialResponse:
        record = await self._as_officer(
            context,
            "RevokeCredential",
            lambda o: self._app.desk.revoke(o, request.credential_id, request.reason),
        )
        return pb.RevokeCredentialResponse(credential=convert.credential(record, self._app.clock()))

    async def SuspendCredential(
        self, request: pb.SuspendCredentialRequest, context: Ctx
    ) -> pb.SuspendCredentialResponse:
        record = await self._as_officer(
            context,
            "SuspendCredential",
            lambda o: self._app.desk.suspend(o, request.credential_id, request.reason),
        )
        return pb.SuspendCredentialResponse(credential=convert.credential(record, self._app.clock()))

    async def ReinstateCredential(
        self, request: pb.ReinstateCredentialRequest, context: Ctx
    ) -> pb.ReinstateCredentialResponse:
        record = await self._as_officer(
            context,
            "ReinstateCredential",
            lambda o: self._app.desk.reinstate(o, request.credential_id, request.reason),
        )
        return pb.ReinstateCredentialResponse(credential=convert.credential(record, self._app.clock()))

    async def RebindHolder(self, request: pb.RebindHolderRequest, context: Ctx) -> pb.RebindHolderResponse:
        rebound = await self._as_officer(
            context,
            "RebindHolder",
            lambda o: self._app.desk.rebind(
                o, request.national_id, request.new_holder_did, request.reason, request.request_id
            ),
        )
        return pb.RebindHolderResponse(
            credential=convert.credential(rebound.credential, self._app.clock()),
            revoked_credential_id=rebound.revoked_credential_id,
        )
