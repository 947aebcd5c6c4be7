"""The issuer's public API as the wallet uses it: enrolment, the DID document and status lists."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import grpc

from civid.common.v1 import holder_proof_pb2
from civid.issuer.v1 import address_change_pb2 as acpb
from civid.issuer.v1 import appointment_pb2 as appb
from civid.issuer.v1 import certified_copy_pb2 as ccpb
from civid.issuer.v1 import citizen_request_pb2 as crpb
from civid.issuer.v1 import credential_pb2 as credpb
from civid.issuer.v1 import house_number_pb2 as hnpb
from civid.issuer.v1 import issuer_service_pb2 as pb
from civid.issuer.v1 import issuer_service_pb2_grpc as pb_grpc
from civid.wallet.clients.errors import remote_error
from civid.wallet.clients.service import ServiceClient

SERVICE: Final = "the issuer"
COMPLETE_ENROLLMENT_METHOD: Final = "/civid.issuer.v1.IssuerService/CompleteEnrollment"
ENROLMENT_TIMEOUT_S: Final = 120.0
CALL_TIMEOUT_S: Final = 15.0


@dataclass(frozen=True)
class EnrollmentStart:
    """What StartEnrollment answered."""

    enrollment_id: str
    challenge: str
    issuer_did: str
    max_selfie_bytes: int
    attempts_left: int


class IssuerClient(ServiceClient):
    """One channel to the issuer; use as ``async with IssuerClient(...) as issuer``."""

    SERVICE = SERVICE
    CALL_TIMEOUT_S = CALL_TIMEOUT_S

    def __init__(self, address: str, *, tls: bool = False, ca_file: Path | None = None) -> None:
        super().__init__(address, tls=tls, ca_file=ca_file)
        self._stub = pb_grpc.IssuerServiceStub(self._channel)

    async def start_enrollment(self, national_id: str, laser_code: str, holder_did: str) -> EnrollmentStart:
        request = pb.StartEnrollmentRequest(
            national_id=national_id, laser_code=laser_code, holder_did=holder_did
        )
        answer = await self._call(self._stub.StartEnrollment, request)
        return EnrollmentStart(
            answer.enrollment_id,
            answer.challenge,
            answer.issuer_did,
            answer.max_selfie_bytes,
            answer.attempts_left,
        )

    async def complete_enrollment(
        self, enrollment_id: str, selfie: bytes, proof: holder_proof_pb2.HolderProof, request_id: str
    ) -> str:
        """The issued credential's JSON text."""
        request = pb.CompleteEnrollmentRequest(
            enrollment_id=enrollment_id, selfie=selfie, holder_proof=proof, request_id=request_id
        )
        answer = await self._call(self._stub.CompleteEnrollment, request, ENROLMENT_TIMEOUT_S)
        return str(answer.credential.credential_json)

    async def did_document(self) -> dict[str, Any]:
        answer = await self._call(self._stub.GetDidDocument, pb.GetDidDocumentRequest())
        document: dict[str, Any] = json.loads(answer.did_document_json)
        return document

    async def status_list(self, url: str) -> dict[str, Any]:
        request = pb.GetStatusListRequest(status_list_credential=url)
        answer = await self._call(self._stub.GetStatusList, request)
        document: dict[str, Any] = json.loads(answer.status_list_credential_json)
        return document

    async def issuer_did(self) -> str:
        """The issuer's DID: the audience of every HolderProof."""
        answer = await self._call(self._stub.GetDidDocument, pb.GetDidDocumentRequest())
        return str(answer.did)

    async def list_credentials(self, proof: holder_proof_pb2.HolderProof) -> list[str]:
        """The JSON texts of the credentials issued to the proof's holder, newest first."""
        return [str(c.credential_json) for c in await self.list_issued(proof)]

    async def list_issued(self, proof: holder_proof_pb2.HolderProof) -> list[credpb.Credential]:
        """The credentials issued to the proof's holder, with their state, newest first."""
        request = pb.ListCredentialsRequest(holder_proof=proof, page_size=500)
        answer = await self._call(self._stub.ListCredentials, request)
        return list(answer.credentials)

    # --- e-services: address change and certified copies (signed params: see the protos) ---

    async def create_address_change(
        self, proof: holder_proof_pb2.HolderProof, house_code: str, request_id: str
    ) -> acpb.AddressChange:
        request = pb.CreateAddressChangeRequest(
            holder_proof=proof, house_code=house_code, request_id=request_id
        )
        return await self._ask(self._stub.CreateAddressChange, request, "address_change", acpb.AddressChange)

    async def get_address_change(
        self, proof: holder_proof_pb2.HolderProof, change_id: str
    ) -> acpb.AddressChange:
        request = pb.GetAddressChangeRequest(holder_proof=proof, address_change_id=change_id)
        return await self._ask(self._stub.GetAddressChange, request, "address_change", acpb.AddressChange)

    async def list_address_changes(self, proof: holder_proof_pb2.HolderProof) -> list[acpb.AddressChange]:
        request = pb.ListAddressChangesRequest(holder_proof=proof, page_size=500)
        answer = await self._call(self._stub.ListAddressChanges, request)
        return list(answer.address_changes)

    async def consent_address_change(
        self, proof: holder_proof_pb2.HolderProof, change_id: str
    ) -> acpb.AddressChange:
        request = pb.ConsentAddressChangeRequest(holder_proof=proof, address_change_id=change_id)
        return await self._ask(self._stub.ConsentAddressChange, request, "address_change", acpb.AddressChange)

    async def refuse_address_change(
        self, proof: holder_proof_pb2.HolderProof, change_id: str, reason: str
    ) -> acpb.AddressChange:
        request = pb.RefuseAddressChangeRequest(
            holder_proof=proof, address_change_id=change_id, reason=reason
        )
        return await self._ask(self._stub.RefuseAddressChange, request, "address_change", acpb.AddressChange)

    async def cancel_address_change(
        self, proof: holder_proof_pb2.HolderProof, change_id: str
    ) -> acpb.AddressChange:
        request = pb.CancelAddressChangeRequest(holder_proof=proof, address_change_id=change_id)
        return await self._ask(self._stub.CancelAddressChange, request, "address_change", acpb.AddressChange)

    async def create_certified_copy(
        self, proof: holder_proof_pb2.HolderProof, record_type: int, request_id: str
    ) -> ccpb.CertifiedCopy:
        request = pb.CreateCertifiedCopyRequest(
            holder_proof=proof,
            record_type=record_type,  # type: ignore[arg-type]
            request_id=request_id,
        )
        return await self._ask(self._stub.CreateCertifiedCopy, request, "certified_copy", ccpb.CertifiedCopy)

    # --- e-services: house numbers and appointments (signed params: see the protos) ---

    async def create_house_number_application(
        self,
        proof: holder_proof_pb2.HolderProof,
        location: hnpb.HouseLocation,
        land_title_number: str,
        building_permit_number: str,
        photos: Sequence[bytes],
        request_id: str,
    ) -> hnpb.HouseNumberApplication:
        request = pb.CreateHouseNumberApplicationRequest(
            holder_proof=proof,
            location=location,
            land_title_number=land_title_number,
            building_permit_number=building_permit_number,
            photos=list(photos),
            request_id=request_id,
        )
        return await self._ask(
            self._stub.CreateHouseNumberApplication, request, "application", hnpb.HouseNumberApplication
        )

    async def get_house_number_application(
        self, proof: holder_proof_pb2.HolderProof, application_id: str
    ) -> hnpb.HouseNumberApplication:
        request = pb.GetHouseNumberApplicationRequest(holder_proof=proof, application_id=application_id)
        return await self._ask(
            self._stub.GetHouseNumberApplication, request, "application", hnpb.HouseNumberApplication
        )

    async def list_house_number_applications(
        self, proof: holder_proof_pb2.HolderProof
    ) -> list[hnpb.HouseNumberApplication]:
        request = pb.ListHouseNumberApplicationsRequest(holder_proof=proof, page_size=500)
        answer = await self._call(self._stub.ListHouseNumberApplications, request)
        return list(answer.applications)

    async def cancel_house_number_application(
        self, proof: holder_proof_pb2.HolderProof, application_id: str
    ) -> hnpb.HouseNumberApplication:
        request = pb.CancelHouseNumberApplicationRequest(holder_proof=proof, application_id=application_id)
        return await self._ask(
            self._stub.CancelHouseNumberApplication, request, "application", hnpb.HouseNumberApplication
        )

    async def list_district_offices(self, province: str = "") -> list[appb.DistrictOffice]:
        request = pb.ListDistrictOfficesRequest(province=province, page_size=500)
        answer = await self._call(self._stub.ListDistrictOffices, request)
        return list(answer.offices)

    async def list_appointment_slots(
        self, office_id: str, purpose: int, *, only_available: bool = True
    ) -> list[appb.AppointmentSlot]:
        """The office's slots for the next 14 days, earliest first (``purpose`` 0: every service)."""
        request = pb.ListAppointmentSlotsRequest(
            office_id=office_id,
            purpose=purpose,  # type: ignore[arg-type]
            only_available=only_available,
            page_size=500,
        )
        answer = await self._call(self._stub.ListAppointmentSlots, request)
        return list(answer.slots)

    async def book_appointment(
        self, proof: holder_proof_pb2.HolderProof, slot_id: str, request_id: str
    ) -> appb.Appointment:
        request = pb.BookAppointmentRequest(holder_proof=proof, slot_id=slot_id, request_id=request_id)
        return await self._ask(self._stub.BookAppointment, request, "appointment", appb.Appointment)

    async def list_appointments(self, proof: holder_proof_pb2.HolderProof) -> list[appb.Appointment]:
        request = pb.ListAppointmentsRequest(holder_proof=proof, page_size=500)
        answer = await self._call(self._stub.ListAppointments, request)
        return list(answer.appointments)

    async def cancel_appointment(
        self, proof: holder_proof_pb2.HolderProof, appointment_id: str
    ) -> appb.Appointment:
        request = pb.CancelAppointmentRequest(holder_proof=proof, appointment_id=appointment_id)
        return await self._ask(self._stub.CancelAppointment, request, "appointment", appb.Appointment)

    async def watch_citizen_requests(
        self, proof: holder_proof_pb2.HolderProof
    ) -> AsyncIterator[crpb.CitizenRequestEvent]:
        """The request events of the proof's holder (a snapshot, SNAPSHOT_END, then changes)."""
        stream = self._stub.WatchCitizenRequests(pb.WatchCitizenRequestsRequest(holder_proof=proof))
        try:
            async for answer in stream:
                yield answer.event
        except grpc.RpcError as exc:
            raise remote_error(exc, SERVICE) from exc
        finally:
            stream.cancel()
