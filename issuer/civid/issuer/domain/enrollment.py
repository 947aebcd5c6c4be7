"""Self-service enrollment: a challenge for the holder key, then a selfie matched against the registry.

Not telling citizens apart (see civid.issuer.v1.EnrollmentFailure): StartEnrollment answers the same
for every well-formed ID. CompleteEnrollment first judges the selfie alone (decode, detect, embed: the
image-only reasons reveal nothing about the registry); a usable selfie is then ALWAYS compared with a
template — the registry's when the ID / laser code pair is valid and the card unexpired, otherwise a
stand-in derived from the selfie that can never match — after the same registry read, so an unknown
ID, a wrong laser code, an expired card and a different face all give NO_MATCH after the same work.
Every failure counts against the ID as typed (a keyed pseudonym), so locks behave identically too.
The lock holds for the rest of the (UTC) day or until an officer unlocks it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Final

from sqlalchemy import Connection

from civid.core.errors import ErrorCode
from civid.issuer.domain import validation
from civid.issuer.domain.binding import ensure_did_free, live_national_ids, retire
from civid.issuer.domain.errors import IssuerFailure, not_found
from civid.issuer.domain.face_gate import FaceGate
from civid.issuer.domain.holder_proof import HolderProofInput, HolderProofVerifier
from civid.issuer.domain.issuance import NationalIdIssuer
from civid.issuer.face import FaceMatcher, FaceReason, FaceRejected, FaceTemplate, MatchDecision
from civid.issuer.registry.model import Citizen
from civid.issuer.storage import Enrollment, EnrollmentState, Store, request_hash

COMPLETE_METHOD: Final = "/civid.issuer.v1.IssuerService/CompleteEnrollment"
STAND_IN_ID: Final = "0000000000000"  # never a valid national ID: the registry read finds nothing
_DECOY_OFFSET: Final = 10.0
NO_FACE_TEMPLATE: Final = b'{"no_face":true}'  # stored when the registry photo shows no usable face

FAILURE_NAMES: Final = {
    FaceReason.UNREADABLE_IMAGE: "IMAGE_UNREADABLE",
    FaceReason.IMAGE_TOO_LARGE: "IMAGE_UNREADABLE",
    FaceReason.NO_FACE: "NO_FACE",
    FaceReason.SEVERAL_FACES: "MULTIPLE_FACES",
    FaceReason.FACE_TOO_SMALL: "FACE_TOO_SMALL",
    FaceReason.LOW_CONFIDENCE: "FACE_UNCLEAR",
    FaceReason.NO_MATCH: "NO_MATCH",
}


@dataclass(frozen=True)
class EnrollmentPolicy:
    max_failures_per_day: int = 3
    max_selfie_bytes: int = 5 * 1024 * 1024
    challenge_ttl: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class StartedEnrollment:
    enrollment_id: str
    challenge: str
    expires_at: datetime
    max_selfie_bytes: int
    attempts_left: int


@dataclass(frozen=True)
class Completion:
    enrollment_id: str
    selfie: bytes
    proof: HolderProofInput
    request_id: str


class SelfServiceEnrollment:
    def __init__(
        self,
        store: Store,
        issuer: NationalIdIssuer,
        proofs: HolderProofVerifier,
        faces: FaceGate,
        policy: EnrollmentPolicy,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._issuer = issuer
        self._proofs = proofs
        self._faces = faces
        self._policy = policy
        self._clock = clock

    def start(self, national_id: str, laser_code: str, holder_did: str) -> StartedEnrollment:
        nid = validation.national_id(national_id)
        laser = validation.laser_code(laser_code)
        did = validation.holder_did(holder_did)
        subject = self._store.subject_key(nid)
        failures = self._raise_if_locked(subject)
        citizen = self._store.citizens.get(nid)
        matched_id = nid if citizen is not None and citizen.laser_code == laser else None
        now = self._clock()
        enrollment = Enrollment(
            id=uuid.uuid4().hex,
            subject_key=subject,
            national_id=matched_id,
            holder_did=did,
            challenge=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="),
            state=EnrollmentState.CHALLENGED,
            created_at=now,
            expires_at=now + self._policy.challenge_ttl,
        )
        self._store.enrollments.create(enrollment)
        return StartedEnrollment(
            enrollment.id,
            enrollment.challenge,
            enrollment.expires_at,
            self._policy.max_selfie_bytes,
            self._policy.max_failures_per_day - failures,
        )

    def complete(self, request: Completion) -> tuple[str, MatchDecision | None]:
        """The issued credential's id (and the face decision, None for a replayed answer)."""
        validation.request_id(request.request_id)
        if not request.enrollment_id:
            raise IssuerFailure(
                ErrorCode.FIELD_INVALID, "enrollment_id is required", {"field": "enrollment_id"}
            )
        validation.image_size(request.selfie, self._policy.max_selfie_bytes, "selfie")
        enrollment = self._store.enrollments.get(request.enrollment_id)
        if enrollment is None:
            raise not_found("Enrollment", request.enrollment_id)
        selfie_sha = hashlib.sha256(request.selfie).hexdigest()
        req_hash = request_hash(f"{enrollment.id}|{selfie_sha}|{request.proof.did}".encode())
        if enrollment.state is EnrollmentState.ISSUED:
            return self._replayed(request.request_id, req_hash), None
        params = {"enrollmentId": enrollment.id, "requestId": request.request_id, "selfieSha256": selfie_sha}
        self._proofs.verify(request.proof, COMPLETE_METHOD, params, expected_nonce=enrollment.challenge)
        if request.proof.did != enrollment.holder_did:
            raise IssuerFailure(
                ErrorCode.HOLDER_PROOF_INVALID, "holder_proof.did is not the enrollment's holder DID"
            )
        self._raise_if_unusable(enrollment)
        self._raise_if_locked(enrollment.subject_key)
        decision = self._faces.run(lambda matcher: self._decide(matcher, request.selfie, enrollment))
        if not decision.matched:
            self._fail(enrollment, decision)
        return self._issue(enrollment, decision, request.request_id, req_hash), decision

    # --- steps ---------------------------------------------------------------------------------

    def _raise_if_locked(self, subject: str) -> int:
        """Today's failures; ENROLLMENT_LOCKED when the subject is locked today."""
        state = self._store.attempts.state(subject)
        if state.locked and state.failures_today >= self._policy.max_failures_per_day:
            raise IssuerFailure(
                ErrorCode.ENROLLMENT_LOCKED,
                "self-service enrollment is locked after too many failed attempts: visit a district office",
                {"unlock_time": self._unlock_time()},
            )
        return min(state.failures_today, self._policy.max_failures_per_day)

    def _raise_if_unusable(self, enrollment: Enrollment) -> None:
        expired = enrollment.expires_at <= self._clock() or enrollment.state is EnrollmentState.EXPIRED
        if expired or enrollment.state is EnrollmentState.FAILED:
            why = "has expired" if expired else "was already used"
            raise IssuerFailure(
                ErrorCode.ENROLLMENT_EXPIRED,
                f"the enrollment challenge {why}: call StartEnrollment again",
                {"enrollment_id": enrollment.id},
            )

    def _decide(self, matcher: FaceMatcher, selfie: bytes, enrollment: Enrollment) -> MatchDecision:
        try:
            probe = matcher.template(selfie)
        except FaceRejected as rejected:
            return _decision(matcher, rejected.reason, None)
        reference = self._reference(matcher, enrollment, probe)
        score = matcher.compare(probe, reference)
        return _decision(matcher, FaceReason.MATCH if score.matched else FaceReason.NO_MATCH, score.score)

    def _reference(self, matcher: FaceMatcher, enrollment: Enrollment, probe: FaceTemplate) -> FaceTemplate:
        citizen = self._store.citizens.get(enrollment.national_id or STAND_IN_ID, with_template=True)
        expired = citizen is not None and citizen.card_expires < self._clock().date()
        if citizen is None or expired or citizen.face_template in (None, NO_FACE_TEMPLATE):
            # no record, an expired card, or a registry photo without a usable face: a stand-in
            vector = tuple(v + _DECOY_OFFSET for v in probe.vector)
            return FaceTemplate(probe.backend, probe.model_sha256, vector)
        return FaceTemplate.from_bytes(citizen.face_template)

    def _fail(self, enrollment: Enrollment, decision: MatchDecision) -> None:
        maximum = self._policy.max_failures_per_day
        with self._store.write() as conn:
            state = self._store.attempts.record_failure(enrollment.subject_key, maximum, conn)
            self._store.enrollments.transition(
                enrollment.id,
                (EnrollmentState.CHALLENGED, EnrollmentState.KEY_PROVEN),
                EnrollmentState.FAILED,
                conn=conn,
            )
        failure = FAILURE_NAMES[decision.reason]
        left = max(0, maximum - state.failures_today)
        if left == 0:
            raise IssuerFailure(
                ErrorCode.ATTEMPTS_EXHAUSTED,
                "enrollment failed and is now locked: visit a district office",
                {"failure": failure, "attempts_left": "0", "unlock_time": self._unlock_time()},
            )
        raise IssuerFailure(
            ErrorCode.ENROLLMENT_FAILED,
            f"enrollment failed: {failure}",
            {"failure": failure, "attempts_left": str(left)},
        )

    def _issue(self, enrollment: Enrollment, decision: MatchDecision, request_id: str, req_hash: str) -> str:
        national_id = enrollment.national_id
        if national_id is None:  # unreachable: a stand-in template never matches
            raise IssuerFailure(ErrorCode.ENROLLMENT_FAILED, "enrollment failed", {"failure": "NO_MATCH"})
        citizen = self._store.citizens.require(national_id)
        ensure_did_free(self._store, enrollment.holder_did, national_id, "holder_did")

        def produce(conn: Connection) -> bytes:
            retired = retire(self._store, live_national_ids(self._store, national_id), "re-enrolled", conn)
            record = self._issuer.issue(citizen, enrollment.holder_did, conn)
            self._store.enrollments.transition(
                enrollment.id,
                (EnrollmentState.CHALLENGED, EnrollmentState.KEY_PROVEN),
                EnrollmentState.ISSUED,
                credential_id=record.id,
                conn=conn,
            )
            self._audit(citizen, enrollment, record.id, retired, decision, conn)
            return record.id.encode()

        result = self._store.idempotency.run_once(request_id, "CompleteEnrollment", req_hash, produce)
        return result.response.decode()

    def _replayed(self, request_id: str, req_hash: str) -> str:
        def refuse(_conn: Connection) -> bytes:
            raise IssuerFailure(
                ErrorCode.ENROLLMENT_EXPIRED, "this enrollment is complete: call StartEnrollment again"
            )

        return self._store.idempotency.run_once(
            request_id, "CompleteEnrollment", req_hash, refuse
        ).response.decode()

    def _audit(
        self,
        citizen: Citizen,
        enrollment: Enrollment,
        credential_id: str,
        retired: list[str],
        decision: MatchDecision,
        conn: Connection,
    ) -> None:
        """The enrollment evidence (backend, model hash, score, threshold), hash-chained."""
        self._store.audit.append(
            actor="citizen:self-service",
            action="enrollment.self_service",
            subject=self._store.audit.citizen(citizen.national_id),
            reason="face matched the registry photo",
            details={
                "enrollment_id": enrollment.id,
                "credential_id": credential_id,
                "revoked_credential_ids": retired,
                "face_backend": decision.backend,
                "face_model_sha256": decision.model_sha256,
                "face_score": decision.score,
                "face_threshold": decision.threshold,
            },
            conn=conn,
        )

    def _unlock_time(self) -> str:
        tomorrow = self._clock().astimezone(UTC).date() + timedelta(days=1)
        return datetime.combine(tomorrow, time(0), UTC).isoformat().replace("+00:00", "Z")


def _decision(matcher: FaceMatcher, reason: FaceReason, score: float | None) -> MatchDecision:
    return MatchDecision(
        matched=reason is FaceReason.MATCH,
        reason=reason,
        score=score,
        threshold=matcher.threshold,
        backend=matcher.backend,
        model_sha256=matcher.model_sha256,
    )
