"""House-number RPCs: the applicant's (IssuerService, HolderProof) and the officer desk's (OfficerService)."""

from __future__ import annotations

from typing import Any, Final, TypeAlias

import grpc

from civid.issuer.app import IssuerApp
from civid.issuer.domain.paging import page
from civid.issuer.eservices.address_change_rpcs import method
from civid.issuer.eservices.convert import house_address
from civid.issuer.eservices.house_number import Application, ApplicationView, HouseNumbers, Location
from civid.issuer.eservices.watch import WatchedRequest
from civid.issuer.service.convert import holder_proof, timestamp
from civid.issuer.service.officer_rpcs import OfficerAuthentication
from civid.issuer.service.runner import DomainRunner
from civid.issuer.storage import ApplicationState
from civid.issuer.v1 import citizen_request_pb2 as crpb
from civid.issuer.v1 import house_number_pb2 as hnpb
from civid.issuer.v1 import issuer_service_pb2 as pb
from civid.issuer.v1 import officer_service_pb2 as opb

Ctx: TypeAlias = grpc.aio.ServicerContext[Any, Any]
STATE: Final = {
    ApplicationState.PENDING: hnpb.HOUSE_NUMBER_APPLICATION_STATE_SUBMITTED,
    ApplicationState.APPROVED: hnpb.HOUSE_NUMBER_APPLICATION_STATE_APPROVED,
    ApplicationState.REJECTED: hnpb.HOUSE_NUMBER_APPLICATION_STATE_REJECTED,
    ApplicationState.CANCELLED: hnpb.HOUSE_NUMBER_APPLICATION_STATE_CANCELLED,
}


def house_location(view: ApplicationView) -> hnpb.HouseLocation:
    a = view.application
    lat, _, lon = a.location.partition(",")
    return hnpb.HouseLocation(
        moo=a.moo or "",
        village=a.village or "",
        soi=a.soi or "",
        road=a.road or "",
        sub_district=a.sub_district,
        district=a.district,
        province=a.province,
        postal_code=a.postal_code,
        latitude=float(lat) if lon else 0.0,
        longitude=float(lon) if lon else 0.0,
    )


def application_message(view: ApplicationView) -> hnpb.HouseNumberApplication:
    a = view.application
    message = hnpb.HouseNumberApplication(
        application_id=a.id,
        state=STATE[a.state],
        applicant_did=view.applicant_did,
        location=house_location(view),
        land_title_number=a.plot,
        building_permit_number=a.building_permit_no,
        photo_count=view.photo_count,
        create_time=timestamp(a.created_at),
        update_time=timestamp(a.decided_at or a.created_at),
        rejection_reason=(a.reason or "") if a.state is ApplicationState.REJECTED else "",
        credential_id=a.credential_id or "",
    )
    if view.house is not None:
        message.allocated_address.CopyFrom(house_address(view.house))
    return message


def location_of(message: hnpb.HouseLocation) -> Location:
    return Location(
        sub_district=message.sub_district,
        district=message.district,
        province=message.province,
        postal_code=message.postal_code,
        moo=message.moo,
        village=message.village,
        soi=message.soi,
        road=message.road,
        latitude=message.latitude,
        longitude=message.longitude,
    )


class HouseNumberSource:
    """The caller's house-number applications, for WatchCitizenRequests."""

    def __init__(self, applications: HouseNumbers) -> None:
        self._applications = applications

    def requests(self, holder_did: str) -> list[WatchedRequest]:
        return [
            WatchedRequest(
                key=f"house_number:{view.application.id}",
                request=crpb.CitizenRequest(house_number_application=application_message(view)),
                open=view.application.state is ApplicationState.PENDING,
            )
            for view in self._applications.mine(holder_did)
        ]


class HouseNumberRpcs:
    """The applicant's RPCs; every call checks the HolderProof first."""

    def __init__(self, app: IssuerApp, run: DomainRunner) -> None:
        self._app = app
        self._run = run
        self.applications = HouseNumbers(app)

    async def CreateHouseNumberApplication(
        self, request: pb.CreateHouseNumberApplicationRequest, context: Ctx
    ) -> pb.CreateHouseNumberApplicationResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        params = {
            "buildingPermitNumber": request.building_permit_number,
            "landTitleNumber": request.land_title_number,
            "requestId": request.request_id,
        }
        application = Application(
            location=location_of(request.location),
            land_title_number=request.land_title_number,
            building_permit_number=request.building_permit_number,
            photos=tuple(request.photos),
            request_id=request.request_id,
        )

        def create() -> pb.CreateHouseNumberApplicationResponse:
            did = self._app.proofs.verify(proof, method("CreateHouseNumberApplication"), params)
            view = self.applications.create(did, application)
            return pb.CreateHouseNumberApplicationResponse(application=application_message(view))

        return await self._run(context, create)

    async def GetHouseNumberApplication(
        self, request: pb.GetHouseNumberApplicationRequest, context: Ctx
    ) -> pb.GetHouseNumberApplicationResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        params = {"applicationId": request.application_id}

        def get() -> pb.GetHouseNumberApplicationResponse:
            did = self._app.proofs.verify(proof, method("GetHouseNumberApplication"), params)
            view = self.applications.get(did, request.application_id)
            return pb.GetHouseNumberApplicationResponse(application=application_message(view))

        return await self._run(context, get)

    async def ListHouseNumberApplications(
        self, request: pb.ListHouseNumberApplicationsRequest, context: Ctx
    ) -> pb.ListHouseNumberApplicationsResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))

        def listing() -> pb.ListHouseNumberApplicationsResponse:
            did = self._app.proofs.verify(proof, method("ListHouseNumberApplications"), {})
            views = self.applications.mine(did)
            chunk, token = page(views, request.page_size, request.page_token, did)
            return pb.ListHouseNumberApplicationsResponse(
                applications=[application_message(v) for v in chunk], next_page_token=token
            )

        return await self._run(context, listing)

    async def CancelHouseNumberApplication(
        self, request: pb.CancelHouseNumberApplicationRequest, context: Ctx
    ) -> pb.CancelHouseNumberApplicationResponse:
        proof = holder_proof(request.holder_proof, request.HasField("holder_proof"))
        params = {"applicationId": request.application_id}

        def cancel() -> pb.CancelHouseNumberApplicationResponse:
            did = self._app.proofs.verify(proof, method("CancelHouseNumberApplication"), params)
            view = self.applications.cancel(did, request.application_id)
            return pb.CancelHouseNumberApplicationResponse(application=application_message(view))

        return await self._run(context, cancel)


class HouseNumberDeskRpcs:
    """The officer desk's RPCs; every call authenticates the officer first."""

    def __init__(self, applications: HouseNumbers, app: IssuerApp, run: DomainRunner) -> None:
        self._applications = applications
        self._as_officer = OfficerAuthentication(app, run)

    async def ListPendingApplications(
        self, request: opb.ListPendingApplicationsRequest, context: Ctx
    ) -> opb.ListPendingApplicationsResponse:
        views: list[ApplicationView] = await self._as_officer(
            context, "ListPendingApplications", lambda _o: self._applications.pending()
        )
        chunk, token = page(views, request.page_size, request.page_token, "pending")
        return opb.ListPendingApplicationsResponse(
            applications=[application_message(v) for v in chunk], next_page_token=token
        )

    async def GetApplicationPhotos(
        self, request: opb.GetApplicationPhotosRequest, context: Ctx
    ) -> opb.GetApplicationPhotosResponse:
        photos = await self._as_officer(
            context, "GetApplicationPhotos", lambda _o: self._applications.photos(request.application_id)
        )
        return opb.GetApplicationPhotosResponse(photos=photos)

    async def ApproveHouseNumber(
        self, request: opb.ApproveHouseNumberRequest, context: Ctx
    ) -> opb.ApproveHouseNumberResponse:
        view = await self._as_officer(
            context,
            "ApproveHouseNumber",
            lambda o: self._applications.approve(o, request.application_id, request.reason),
        )
        return opb.ApproveHouseNumberResponse(application=application_message(view))

    async def RejectHouseNumber(
        self, request: opb.RejectHouseNumberRequest, context: Ctx
    ) -> opb.RejectHouseNumberResponse:
        view = await self._as_officer(
            context,
            "RejectHouseNumber",
            lambda o: self._applications.reject(o, request.application_id, request.reason),
        )
        return opb.RejectHouseNumberResponse(application=application_message(view))
