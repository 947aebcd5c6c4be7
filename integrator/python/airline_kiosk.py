"""An airline check-in kiosk in Python: the same client as integrator/typescript/src/airline-kiosk.ts.

    CIVID_RP_API_KEY=... python airline_kiosk.py --verifier 127.0.0.1:50052 [--ca ca.pem]

Needs only the stubs generated from protos/ (``civid.verifier.v1``), grpcio and grpcio-status.
Exit codes: 0 verified, 1 call failed (ErrorInfo reason printed), 2 not verified, 3 expired.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from pathlib import Path

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from civid.verifier.v1 import presentation_pb2
from civid.verifier.v1 import verifier_service_pb2 as pb
from civid.verifier.v1 import verifier_service_pb2_grpc as pb_grpc

BOARDING_POLICY = "airline-domestic-boarding"
PENDING = presentation_pb2.PRESENTATION_REQUEST_STATE_PENDING
EXPIRED = presentation_pb2.PRESENTATION_REQUEST_STATE_EXPIRED


def open_channel(address: str, ca_file: Path | None) -> grpc.Channel:
    if ca_file is None:
        return grpc.insecure_channel(address)
    return grpc.secure_channel(address, grpc.ssl_channel_credentials(ca_file.read_bytes()))


def check_in(
    stub: pb_grpc.VerifierServiceStub, api_key: str, timeout_s: float
) -> presentation_pb2.PresentationResult:
    """Create the boarding request, print its compact string, wait for the final result."""
    auth = (("authorization", f"Bearer {api_key}"),)
    created = stub.CreatePresentationRequest(
        pb.CreatePresentationRequestRequest(policy_id=BOARDING_POLICY, request_id=str(uuid.uuid4())),
        metadata=auth,
        timeout=30,
    )
    request = created.presentation_request
    print(f"request {request.presentation_request_id}")
    print(f"compact {request.compact}", flush=True)
    # the kiosk reads the claims map: asking for it alone keeps the card photo out of the answer twice
    watch = pb.WatchPresentationResultRequest(
        presentation_request_id=request.presentation_request_id,
        claims_view=presentation_pb2.CLAIMS_VIEW_MAP,
    )
    for update in stub.WatchPresentationResult(watch, metadata=auth, timeout=timeout_s):
        result: presentation_pb2.PresentationResult = update.result
        if result.state != PENDING:
            return result
    raise RuntimeError("the result stream ended while the request was still pending")


def error_reason(error: grpc.RpcError) -> str:
    """The google.rpc.ErrorInfo reason of a failed call ("" when there is none)."""
    status = rpc_status.from_call(error)
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return str(info.reason)
    return ""


def report(result: presentation_pb2.PresentationResult) -> int:
    if result.state == EXPIRED:
        print("expired: the passenger did not answer in time")
        return 3
    if not result.verification.verified:
        print("not verified: " + ", ".join(e.code for e in result.verification.errors))
        return 2
    print("verified: true")
    for name in sorted(result.released_claims):
        print(f"claim {name}: {result.released_claims[name][:80]}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verifier", required=True, help="host:port")
    parser.add_argument("--ca", type=Path, help="CA file: connect with TLS")
    parser.add_argument("--timeout-s", type=float, default=300.0)
    args = parser.parse_args()
    api_key = os.environ.get("CIVID_RP_API_KEY", "")
    with open_channel(args.verifier, args.ca) as channel:
        try:
            return report(check_in(pb_grpc.VerifierServiceStub(channel), api_key, args.timeout_s))
        except grpc.RpcError as error:
            print(
                f"error: {error.code().name} {error_reason(error) or '(no reason)'}: {error.details()}",
                file=sys.stderr,
            )
            return 1


if __name__ == "__main__":
    sys.exit(main())
