"""Address change (แจ้งย้ายที่อยู่): a citizen asks to move into a house; its owner consents or refuses.

On consent, in one transaction: the request is decided, the registry records the move, the applicant's
national-ID credential is re-issued with the new address and the old one revoked, and audit entries are
written. Pending requests past their expiry become EXPIRED (with an audit entry) the next time either
party looks at them. The consent record (the owner's HolderProof and the new credential's id) is kept
as JSON in ``consent_signature``, so the consent can be re-verified later.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from civid.core.errors import ErrorCode
from civid.issuer.app import IssuerApp
from civid.issuer.domain.binding import live_national_ids, retire
from civid.issuer.domain.errors import IssuerFailure, field_invalid, invalid_state, not_found
from civid.issuer.domain.holder_proof import HolderProofInput
from civid.issuer.eservices.parties import bound_did, enrolled_citizen, national_id_of
from civid.issuer.registry.model import Citizen, House
from civid.issuer.storage import request_hash
from civid.issuer.storage.address_changes import AddressChangeRequest, AddressChangeState

RESOURCE: Final = "AddressChange"
ACTOR: Final = "citizen:self-service"
MAX_REASON: Final = 500


class Role(StrEnum):
    APPLICANT = "applicant"
    OWNER = "owner"


@dataclass(frozen=True)
class AddressChangeView:
    """A request as one of its parties sees it."""

    request: AddressChangeRequest
    house: House
    applicant: Citizen
    applicant_did: str
    role: Role
    new_credential_id: str


def new_address_change_id() -> str:
    return "ac_" + secrets.token_hex(12)


def consent_record(proof: HolderProofInput, credential_id: str) -> str:
    """The stored consent: the owner's proof (to re-verify) and the credential it produced."""
    return json.dumps(
        {
            "did": proof.did,
            "nonce": proof.nonce,
            "created": proof.created,
            "signature": base64.b64encode(proof.signature).decode("ascii"),
            "newCredentialId": credential_id,
        },
        separators=(",", ":"),
    )


def _new_credential_id(request: AddressChangeRequest) -> str:
    if not request.consent_signature:
        return ""
    return str(json.loads(request.consent_signature).get("newCredentialId", ""))


class AddressChanges:
    """The address-change use cases; every method takes the caller's proven holder DID."""

    def __init__(self, app: IssuerApp, ttl: timedelta) -> None:
        self._app = app
        self._store = app.store
        self._ttl = ttl

    # --- applicant ---------------------------------------------------------------------------

    def create(self, did: str, house_code: str, request_id: str) -> AddressChangeView:
        if not (len(house_code) == 11 and house_code.isdigit()):
            raise field_invalid("house_code", "must be 11 digits")
        applicant = enrolled_citizen(self._store, did)
        self._expire_overdue(applicant.national_id)
        req_hash = request_hash(f"{did}|{house_code}".encode())

        def produce(conn: Connection) -> bytes:
            house = self._require_house(house_code)
            if applicant.address.house_code == house_code:
                raise invalid_state("House", house_code, "RESIDENT", "the caller already lives in this house")
            if house.owner_national_id is None:
                raise invalid_state("House", house_code, "NO_OWNER", "the house has no registered owner")
            now = self._app.clock()
            request = AddressChangeRequest(
                id=new_address_change_id(),
                requester_national_id=applicant.national_id,
                house_code=house_code,
                owner_national_id=house.owner_national_id,
                state=AddressChangeState.PENDING,
                created_at=now,
                expires_at=now + self._ttl,
            )
            try:
                self._store.address_changes.create(request, conn)
            except IntegrityError as exc:
                raise invalid_state(
                    RESOURCE, applicant.national_id, "PENDING_CONSENT", "the caller has a pending request"
                ) from exc
            self._audit(
                "address_change.create", applicant.national_id, request.id, conn, house_code=house_code
            )
            return request.id.encode()

        result = self._store.idempotency.run_once(request_id, "CreateAddressChange", req_hash, produce)
        return self._view(self._require(result.response.decode()), applicant.national_id)

    # --- both parties ------------------------------------------------------------------------

    def get(self, did: str, change_id: str) -> AddressChangeView:
        nid = self._party(did, change_id)
        self._expire_overdue(nid)
        return self._view(self._require(change_id), nid)

    def list(self, did: str) -> list[AddressChangeView]:
        """The caller's requests (as applicant or owner), newest first; none if not enrolled."""
        nid = national_id_of(self._store, did)
        if nid is None:
            return []
        self._expire_overdue(nid)
        return [self._view(r, nid) for r in self._store.address_changes.for_party(nid)]

    def cancel(self, did: str, change_id: str) -> AddressChangeView:
        nid = self._party(did, change_id)
        self._expire_overdue(nid)
        self._decide(change_id, AddressChangeState.CANCELLED, "address_change.cancel", nid)
        return self._view(self._require(change_id), nid)

    # --- owner -------------------------------------------------------------------------------

    def refuse(self, did: str, change_id: str, reason: str) -> AddressChangeView:
        if len(reason) > MAX_REASON:
            raise field_invalid("reason", f"at most {MAX_REASON} characters")
        request = self._owned(did, change_id)
        self._decide(
            change_id, AddressChangeState.REFUSED, "address_change.refuse", request.owner_national_id, reason
        )
        return self._view(self._require(change_id), request.owner_national_id)

    def consent(self, proof: HolderProofInput, change_id: str) -> AddressChangeView:
        """The owner's consent (``proof`` already verified): move, re-issue, revoke; COMPLETED."""
        request = self._owned(proof.did, change_id)
        self._require_pending(request)
        applicant = self._store.citizens.get(request.requester_national_id)
        applicant_did = bound_did(self._store, request.requester_national_id)
        if applicant is None or applicant_did is None:
            raise invalid_state(RESOURCE, change_id, "PENDING_CONSENT", "the applicant has no active card")
        moved = dataclasses.replace(applicant, address=self._require_house(request.house_code).address())
        changes = self._store.address_changes
        with self._store.write() as conn:
            changes.transition(change_id, AddressChangeState.PENDING, AddressChangeState.CONSENTED, conn=conn)
            self._store.citizens.move(applicant.national_id, moved.address, conn)
            old = live_national_ids(self._store, applicant.national_id)
            retired = retire(self._store, old, "address change " + change_id, conn)
            record = self._app.issuer.issue(moved, applicant_did, conn)
            evidence = consent_record(proof, record.id)
            changes.transition(
                change_id,
                AddressChangeState.CONSENTED,
                AddressChangeState.COMPLETED,
                consent_signature=evidence,
                conn=conn,
            )
            self._audit(
                "address_change.consent",
                applicant.national_id,
                change_id,
                conn,
                house_code=request.house_code,
                credential_id=record.id,
                revoked_credential_ids=retired,
            )
        return self._view(self._require(change_id), request.owner_national_id)

    # --- helpers -----------------------------------------------------------------------------

    def _decide(
        self, change_id: str, to: AddressChangeState, action: str, nid: str, reason: str | None = None
    ) -> None:
        self._require_pending(self._require(change_id))
        with self._store.write() as conn:
            self._store.address_changes.transition(
                change_id, AddressChangeState.PENDING, to, reason=reason, conn=conn
            )
            self._audit(action, nid, change_id, conn)

    def _expire_overdue(self, nid: str) -> None:
        now = self._app.clock()
        for request in self._store.address_changes.for_party(nid):
            if request.state is AddressChangeState.PENDING and request.expires_at <= now:
                with self._store.write() as conn:
                    self._store.address_changes.transition(
                        request.id, AddressChangeState.PENDING, AddressChangeState.EXPIRED, conn=conn
                    )
                    self._audit("address_change.expire", request.requester_national_id, request.id, conn)

    def _party(self, did: str, change_id: str) -> str:
        """The caller's national ID when they are a party to the request, else NOT_FOUND."""
        request = self._require(change_id)
        nid = national_id_of(self._store, did)
        if nid not in (request.requester_national_id, request.owner_national_id):
            raise not_found(RESOURCE, change_id)
        return (
            request.owner_national_id if nid == request.owner_national_id else request.requester_national_id
        )

    def _owned(self, did: str, change_id: str) -> AddressChangeRequest:
        """The request when ``did`` is the DID bound to its house owner, else NOT_HOUSE_OWNER."""
        request = self._require(change_id)
        if bound_did(self._store, request.owner_national_id) != did:
            raise IssuerFailure(
                ErrorCode.NOT_HOUSE_OWNER,
                "the signer is not the owner of the house",
                {"resource_type": RESOURCE, "resource_id": change_id},
            )
        self._expire_overdue(request.owner_national_id)
        return self._require(change_id)

    def _require_pending(self, request: AddressChangeRequest) -> None:
        if request.state is not AddressChangeState.PENDING:
            raise invalid_state(
                RESOURCE, request.id, request.state.value.upper(), f"the request is {request.state.value}"
            )

    def _require(self, change_id: str) -> AddressChangeRequest:
        if not change_id:
            raise field_invalid("address_change_id", "is required")
        request = self._store.address_changes.get(change_id)
        if request is None:
            raise not_found(RESOURCE, change_id)
        return request

    def _require_house(self, house_code: str) -> House:
        house = self._store.houses.get(house_code)
        if house is None:
            raise not_found("House", house_code)
        return house

    def _view(self, request: AddressChangeRequest, caller_nid: str) -> AddressChangeView:
        applicant = self._store.citizens.require(request.requester_national_id)
        role = Role.APPLICANT if caller_nid == request.requester_national_id else Role.OWNER
        return AddressChangeView(
            request=request,
            house=self._require_house(request.house_code),
            applicant=applicant,
            applicant_did=bound_did(self._store, applicant.national_id) or "",
            role=role,
            new_credential_id=_new_credential_id(request),
        )

    def _audit(self, action: str, nid: str, change_id: str, conn: Connection, **details: object) -> None:
        self._store.audit.append(
            actor=ACTOR,
            action=action,
            subject=self._store.audit.citizen(nid),
            reason="citizen request",
            details={"address_change_id": change_id, **details},
            conn=conn,
        )
