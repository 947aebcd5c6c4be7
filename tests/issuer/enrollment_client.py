"""A minimal wallet side of self-service enrollment for tests: holder key, proof, Start+Complete."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from civid.common.v1 import holder_proof_pb2
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.issuer.domain.enrollment import COMPLETE_METHOD
from civid.issuer.domain.holder_proof import signing_input
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.issuer.v1 import issuer_service_pb2_grpc


@dataclass(frozen=True)
class Holder:
    key: Ed25519KeyPair = field(default_factory=Ed25519KeyPair.generate)

    @property
    def did(self) -> str:
        return did_key_for(self.key.public_key)

    def proof(self, audience: str, method: str, nonce: str, params: dict[str, str]) -> holder_proof_pb2.HolderProof:
        created = int(time.time())
        signature = self.key.sign(signing_input(audience, created, self.did, method, nonce, params))
        proof = holder_proof_pb2.HolderProof(did=self.did, nonce=nonce, signature=signature)
        proof.create_time.seconds = created
        return proof


async def enroll(
    stub: issuer_service_pb2_grpc.IssuerServiceStub,
    holder: Holder,
    national_id: str,
    laser_code: str,
    selfie: bytes,
    request_id: str = "enroll-1",
) -> ipb.CompleteEnrollmentResponse:
    started = await stub.StartEnrollment(
        ipb.StartEnrollmentRequest(national_id=national_id, laser_code=laser_code, holder_did=holder.did)
    )
    params = {
        "enrollmentId": started.enrollment_id,
        "requestId": request_id,
        "selfieSha256": hashlib.sha256(selfie).hexdigest(),
    }
    proof = holder.proof(started.issuer_did, COMPLETE_METHOD, started.challenge, params)
    request = ipb.CompleteEnrollmentRequest(
        enrollment_id=started.enrollment_id, selfie=selfie, holder_proof=proof, request_id=request_id
    )
    return await stub.CompleteEnrollment(request)
