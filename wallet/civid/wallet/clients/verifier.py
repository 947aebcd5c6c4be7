"""The verifier's API as the wallet uses it: read a presentation request, submit a presentation."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from civid.verifier.v1 import presentation_pb2
from civid.verifier.v1 import verifier_service_pb2 as pb
from civid.verifier.v1 import verifier_service_pb2_grpc as pb_grpc
from civid.wallet.clients.service import ServiceClient

SERVICE: Final = "the verifier"
CALL_TIMEOUT_S: Final = 30.0


class VerifierClient(ServiceClient):
    """One channel to a verifier; use as ``async with VerifierClient(...) as verifier``."""

    SERVICE = SERVICE
    CALL_TIMEOUT_S = CALL_TIMEOUT_S

    def __init__(self, address: str, *, tls: bool = False, ca_file: Path | None = None) -> None:
        super().__init__(address, tls=tls, ca_file=ca_file)
        self._stub = pb_grpc.VerifierServiceStub(self._channel)

    async def presentation_request(
        self, *, compact: str | None = None, request_id: str | None = None
    ) -> presentation_pb2.PresentationRequest:
        """The request as the verifier registered it (by its compact string or its id)."""
        message = (
            pb.GetPresentationRequestRequest(compact=compact)
            if compact
            else pb.GetPresentationRequestRequest(presentation_request_id=request_id or "")
        )
        return await self._ask(
            self._stub.GetPresentationRequest,
            message,
            "presentation_request",
            presentation_pb2.PresentationRequest,
        )

    async def submit(self, request_id: str, presentation_json: str) -> pb.SubmitPresentationResponse:
        message = pb.SubmitPresentationRequest(
            presentation_request_id=request_id, presentation_json=presentation_json
        )
        result: pb.SubmitPresentationResponse = await self._call(self._stub.SubmitPresentation, message)
        return result
