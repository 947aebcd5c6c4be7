"""The verifier's API as the wallet uses it: read a presentation request, submit a presentation."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any, Final

import grpc

from civid.verifier.v1 import presentation_pb2
from civid.verifier.v1 import verifier_service_pb2 as pb
from civid.verifier.v1 import verifier_service_pb2_grpc as pb_grpc
from civid.wallet.clients.channel import open_channel
from civid.wallet.clients.errors import remote_error

SERVICE: Final = "the verifier"
CALL_TIMEOUT_S: Final = 30.0


class VerifierClient:
    """One channel to a verifier; use as ``async with VerifierClient(...) as verifier``."""

    def __init__(self, address: str, *, tls: bool = False, ca_file: Path | None = None) -> None:
        self._channel = open_channel(address, tls=tls, ca_file=ca_file)
        self._stub = pb_grpc.VerifierServiceStub(self._channel)

    async def __aenter__(self) -> VerifierClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def presentation_request(
        self, *, compact: str | None = None, request_id: str | None = None
    ) -> presentation_pb2.PresentationRequest:
        """The request as the verifier registered it (by its compact string or its id)."""
        message = (
            pb.GetPresentationRequestRequest(compact=compact)
            if compact
            else pb.GetPresentationRequestRequest(presentation_request_id=request_id or "")
        )
        answer = await self._call(self._stub.GetPresentationRequest, message)
        request: presentation_pb2.PresentationRequest = answer.presentation_request
        return request

    async def submit(self, request_id: str, presentation_json: str) -> pb.SubmitPresentationResponse:
        message = pb.SubmitPresentationRequest(
            presentation_request_id=request_id, presentation_json=presentation_json
        )
        result: pb.SubmitPresentationResponse = await self._call(self._stub.SubmitPresentation, message)
        return result

    async def _call(self, method: Any, request: Any) -> Any:
        try:
            return await method(request, timeout=CALL_TIMEOUT_S)
        except grpc.RpcError as exc:
            raise remote_error(exc, SERVICE) from exc
