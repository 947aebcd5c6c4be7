"""A relying party (airline, consulate) calling the verifier with its API key."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.json_format import MessageToDict

from civid.cli.demo_steps.report import StepFailed
from civid.verifier.v1 import presentation_pb2, verifier_service_pb2, verifier_service_pb2_grpc

KEYS_FILE = "relying-party-keys.toml"


def read_api_key(verifier_data_dir: Path, rp_id: str) -> str:
    """The API key the verifier wrote for ``rp_id`` on its first start."""
    path = verifier_data_dir / KEYS_FILE
    try:
        keys = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise StepFailed(f"cannot read the relying-party keys at {path}: {exc}") from exc
    key = keys.get(rp_id)
    if not isinstance(key, str):
        raise StepFailed(f"the verifier wrote no API key for {rp_id} in {path}")
    return key


@dataclass(frozen=True)
class RelyingParty:
    """One RP's view of the verifier."""

    rp_id: str
    api_key: str
    address: str

    def _call(self, method: str, request: Any) -> Any:
        with grpc.insecure_channel(self.address) as channel:
            stub = verifier_service_pb2_grpc.VerifierServiceStub(channel)
            metadata = (("authorization", f"Bearer {self.api_key}"),)
            return getattr(stub, method)(request, metadata=metadata, timeout=30)

    def create_request(self, policy_id: str) -> presentation_pb2.PresentationRequest:
        request = verifier_service_pb2.CreatePresentationRequestRequest(policy_id=policy_id)
        answer = self._call("CreatePresentationRequest", request)
        created: presentation_pb2.PresentationRequest = answer.presentation_request
        return created

    def result(self, request_id: str) -> presentation_pb2.PresentationResult:
        request = verifier_service_pb2.GetPresentationResultRequest(presentation_request_id=request_id)
        found: presentation_pb2.PresentationResult = self._call("GetPresentationResult", request).result
        return found


def result_json(result: presentation_pb2.PresentationResult) -> dict[str, Any]:
    """The result as the RP would log it (proto JSON mapping, released claims parsed)."""
    document = MessageToDict(result, preserving_proto_field_name=True)
    document["released_claims_json"] = json.loads(result.released_claims_json or "{}")
    return document


def error_codes(result: presentation_pb2.PresentationResult) -> list[str]:
    """The error codes of the verification, in order."""
    return [error.code for error in result.verification.errors]
