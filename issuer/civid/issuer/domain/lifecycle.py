"""The officer desk's credential lifecycle: assisted enrollment, unlock, revoke/suspend/reinstate, re-bind.

Every state change and its audit entry (who, what, on whom, when, why) commit in one transaction;
creating calls are idempotent by ``request_id``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from civid.core.errors import CividError, ErrorCode
from civid.issuer.domain import validation
from civid.issuer.domain.binding import ensure_did_free, live_national_ids, retire
from civid.issuer.domain.errors import IssuerFailure, invalid_state, not_found
from civid.issuer.domain.issuance import NationalIdIssuer
from civid.issuer.registry.model import Citizen
from civid.issuer.storage import CredentialRecord, Officer, StatusPurpose, Store, request_hash
from civid.issuer.storage.schema import credentials as credentials_table


@dataclass(frozen=True)
class CitizenView:
    citizen: Citizen
    enrollment_locked: bool
    holder_did: str


@dataclass(frozen=True)
class AssistedRequest:
    national_id: str
    laser_code: str
    holder_did: str
    desk_photo: bytes
    reason: str
    request_id: str


@dataclass(frozen=True)
class Rebound:
    credential: CredentialRecord
    revoked_credential_id: str


class OfficerDesk:
    def __init__(
        self,
        store: Store,
        issuer: NationalIdIssuer,
        max_failures_per_day: int,
        max_photo_bytes: int,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._issuer = issuer
        self._max_failures = max_failures_per_day
        self._max_photo = max_photo_bytes
        self._clock = clock

    def citizen(self, national_id: str) -> CitizenView:
        citizen = self._require_citizen(validation.national_id(national_id))
        state = self._store.attempts.state(self._store.subject_key(citizen.national_id))
        live = live_national_ids(self._store, citizen.national_id)
        return CitizenView(citizen, state.locked, live[0].holder_did if live else "")

    def citizen_credentials(self, national_id: str) -> list[CredentialRecord]:
        nid = self._require_citizen(validation.national_id(national_id)).national_id
        return self._store.credentials.for_citizen(nid, active_only=False)

    def assisted_enrollment(self, officer: Officer, request: AssistedRequest) -> CredentialRecord:
        nid = validation.national_id(request.national_id)
        laser = validation.laser_code(request.laser_code) if request.laser_code else ""
        did = validation.holder_did(request.holder_did)
        validation.image_size(request.desk_photo, self._max_photo, "desk_photo")
        if not request.desk_photo:
            raise IssuerFailure(
                ErrorCode.FIELD_INVALID, "desk_photo is required", {"field": "desk_photo"}, "desk_photo"
            )
        reason = validation.required_text(request.reason, "reason")
        request_id = validation.request_id(request.request_id)
        photo_sha = hashlib.sha256(request.desk_photo).hexdigest()
        req_hash = request_hash(f"{nid}|{laser}|{did}|{photo_sha}|{reason}".encode())

        def produce(conn: Connection) -> bytes:
            citizen = self._require_citizen(nid)
            if laser and citizen.laser_code != laser:
                raise IssuerFailure(
                    ErrorCode.INVALID_LASER_CODE,
                    "the laser code does not match the registry",
                    {"field": "laser_code"},
                )
            if live_national_ids(self._store, nid):
                raise invalid_state(
                    "Citizen",
                    nid,
                    "ENROLLED",
                    "the citizen already has an active credential: use RebindHolder",
                )
            ensure_did_free(self._store, did, nid, "holder_did")
            record = self._issuer.issue(citizen, did, conn)
            subject = self._store.subject_key(nid)
            if self._store.attempts.state(subject).locked:
                self._store.attempts.unlock(subject, officer.id, conn)
            self._audit(
                officer,
                "enrollment.assisted",
                nid,
                reason,
                conn,
                credential_id=record.id,
                desk_photo_sha256=photo_sha,
            )
            return record.id.encode()

        result = self._store.idempotency.run_once(request_id, "AssistedEnrollment", req_hash, produce)
        return self._store.credentials.require(result.response.decode())

    def unlock(self, officer: Officer, national_id: str, reason: str) -> int:
        nid = self._require_citizen(validation.national_id(national_id)).national_id
        why = validation.required_text(reason, "reason")
        with self._store.write() as conn:
            try:
                self._store.attempts.unlock(self._store.subject_key(nid), officer.id, conn)
            except CividError as exc:
                if exc.code is not ErrorCode.INVALID_STATE:
                    raise
                raise invalid_state(
                    "Enrollment", nid, "NOT_LOCKED", "self-service enrollment is not locked"
                ) from exc
            self._audit(officer, "enrollment.unlock", nid, why, conn)
        return self._max_failures

    def revoke(self, officer: Officer, credential_id: str, reason: str) -> CredentialRecord:
        return self._change(officer, credential_id, reason, StatusPurpose.REVOCATION, True)

    def suspend(self, officer: Officer, credential_id: str, reason: str) -> CredentialRecord:
        return self._change(officer, credential_id, reason, StatusPurpose.SUSPENSION, True)

    def reinstate(self, officer: Officer, credential_id: str, reason: str) -> CredentialRecord:
        return self._change(officer, credential_id, reason, StatusPurpose.SUSPENSION, False)

    def rebind(
        self, officer: Officer, national_id: str, new_holder_did: str, reason: str, request_id: str
    ) -> Rebound:
        nid = validation.national_id(national_id)
        did = validation.holder_did(new_holder_did, "new_holder_did")
        why = validation.required_text(reason, "reason")
        key = validation.request_id(request_id)
        req_hash = request_hash(f"{nid}|{did}|{why}".encode())

        def produce(conn: Connection) -> bytes:
            citizen = self._require_citizen(nid)
            ensure_did_free(self._store, did, nid, "new_holder_did")
            retired = retire(self._store, live_national_ids(self._store, nid), why, conn)
            record = self._issuer.issue(citizen, did, conn)
            self._audit(officer, "holder.rebind", nid, why, conn, credential_id=record.id, revoked=retired)
            return f"{record.id} {retired[0] if retired else ''}".encode()

        result = self._store.idempotency.run_once(key, "RebindHolder", req_hash, produce)
        new_id, _, old_id = result.response.decode().partition(" ")
        return Rebound(self._store.credentials.require(new_id), old_id)

    def status_changed_at(self, credential_id: str) -> datetime | None:
        """When the credential's status last changed (None: never since issue)."""
        query = select(credentials_table.c.status_changed_at).where(credentials_table.c.id == credential_id)
        with self._store.engine.connect() as conn:
            value: datetime | None = conn.execute(query).scalar()
        return value

    # --- helpers -------------------------------------------------------------------------------

    def _change(
        self, officer: Officer, credential_id: str, reason: str, purpose: StatusPurpose, value: bool
    ) -> CredentialRecord:
        if not credential_id:
            raise IssuerFailure(
                ErrorCode.FIELD_INVALID,
                "credential_id is required",
                {"field": "credential_id"},
                "credential_id",
            )
        why = validation.required_text(reason, "reason")
        with self._store.write() as conn:
            record = self._store.credentials.get(credential_id, conn)
            if record is None:
                raise not_found("Credential", credential_id)
            _check_transition(record, purpose, value)
            self._store.set_status(credential_id, purpose, value, why, conn)
            action = {
                (StatusPurpose.REVOCATION, True): "credential.revoke",
                (StatusPurpose.SUSPENSION, True): "credential.suspend",
                (StatusPurpose.SUSPENSION, False): "credential.reinstate",
            }[(purpose, value)]
            self._audit(officer, action, record.national_id, why, conn, credential_id=credential_id)
        return self._store.credentials.require(credential_id)

    def _require_citizen(self, nid: str) -> Citizen:
        citizen = self._store.citizens.get(nid)
        if citizen is None:
            raise not_found("Citizen", nid)
        return citizen

    def _audit(
        self, officer: Officer, action: str, nid: str, reason: str, conn: Connection, **details: object
    ) -> None:
        self._store.audit.append(
            actor=f"officer:{officer.id}",
            action=action,
            subject=self._store.audit.citizen(nid),
            reason=reason,
            details=details,
            conn=conn,
        )


def _check_transition(record: CredentialRecord, purpose: StatusPurpose, value: bool) -> None:
    state = "REVOKED" if record.revoked else "SUSPENDED" if record.suspended else "ACTIVE"
    if record.revoked:
        raise invalid_state("Credential", record.id, state, "the credential is revoked")
    if purpose is StatusPurpose.SUSPENSION and value and record.suspended:
        raise invalid_state("Credential", record.id, state, "the credential is already suspended")
    if purpose is StatusPurpose.SUSPENSION and not value and not record.suspended:
        raise invalid_state("Credential", record.id, state, "the credential is not suspended")
