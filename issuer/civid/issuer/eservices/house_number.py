"""House-number applications (ขอเลขที่บ้าน): a citizen applies, an officer approves or rejects.

Approval, in one transaction: the next house number of the village is allocated, the house is recorded
with the applicant as owner, a HouseRegistrationCredential is signed for the applicant's holder DID,
the application is decided and linked to the credential, and the audit entry is written.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from civid.core.errors import CividError
from civid.core.schemas import HOUSE_REGISTRATION_V1
from civid.core.text import claim_text
from civid.issuer.app import IssuerApp
from civid.issuer.domain import validation
from civid.issuer.domain.errors import field_invalid, invalid_state, not_found
from civid.issuer.eservices.parties import bound_did, enrolled_citizen, national_id_of
from civid.issuer.eservices.signing import CredentialDraft, EServiceSigner, new_credential_id, xsd
from civid.issuer.registry.model import Citizen, House
from civid.issuer.storage import ApplicationState, HouseNumberApplication, Officer, request_hash

RESOURCE: Final = "HouseNumberApplication"
CREDENTIAL_TYPE: Final = "HouseRegistrationCredential"
CREDENTIAL_NAME: Final = "ทะเบียนบ้าน"
MAX_PHOTOS: Final = 5
MAX_PHOTO_BYTES: Final = 5 * 1024 * 1024
APPROVE_ATTEMPTS: Final = 3
_IMAGE_MAGIC: Final = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


@dataclass(frozen=True)
class Location:
    """Where the new house stands (text as sent; coordinates 0,0 mean not given)."""

    sub_district: str
    district: str
    province: str
    postal_code: str
    moo: str = ""
    village: str = ""
    soi: str = ""
    road: str = ""
    latitude: float = 0.0
    longitude: float = 0.0


@dataclass(frozen=True)
class Application:
    """What an applicant submits."""

    location: Location
    land_title_number: str
    building_permit_number: str
    photos: tuple[bytes, ...]
    request_id: str


@dataclass(frozen=True)
class ApplicationView:
    application: HouseNumberApplication
    applicant_did: str
    photo_count: int
    house: House | None


def new_application_id() -> str:
    return "hn_" + secrets.token_hex(12)


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str | None:
    try:
        value = claim_text(value.strip(), field)
    except CividError as exc:
        raise field_invalid(field, exc.message) from exc
    if required and not value:
        raise field_invalid(field, "is required")
    if len(value) > limit:
        raise field_invalid(field, f"at most {limit} characters")
    return value or None


def _coordinates(location: Location) -> str:
    lat, lon = location.latitude, location.longitude
    if lat == 0 and lon == 0:
        return ""
    if not -90 <= lat <= 90:
        raise field_invalid("location.latitude", "must be between -90 and 90")
    if not -180 <= lon <= 180:
        raise field_invalid("location.longitude", "must be between -180 and 180")
    return f"{lat:.6f},{lon:.6f}"


def _photos(photos: Sequence[bytes]) -> tuple[bytes, ...]:
    if len(photos) > MAX_PHOTOS:
        raise field_invalid("photos", f"at most {MAX_PHOTOS} photos")
    for index, photo in enumerate(photos):
        validation.image_size(photo, MAX_PHOTO_BYTES, f"photos[{index}]")
        if not photo.startswith(_IMAGE_MAGIC):
            raise field_invalid(f"photos[{index}]", "must be a JPEG or PNG image")
    return tuple(photos)


def _record(application_id: str, nid: str, app: Application, now: Any) -> HouseNumberApplication:
    loc = app.location
    postal = _nfc(loc.postal_code)
    if not (len(postal) == 5 and postal.isascii() and postal.isdigit()):
        raise field_invalid("location.postal_code", "must be 5 digits")
    return HouseNumberApplication(
        id=application_id,
        applicant_national_id=nid,
        province=_text(loc.province, "location.province", 128, required=True) or "",
        district=_text(loc.district, "location.district", 128, required=True) or "",
        sub_district=_text(loc.sub_district, "location.sub_district", 128, required=True) or "",
        postal_code=postal,
        location=_coordinates(loc),
        plot=_text(app.land_title_number, "land_title_number", 128, required=True) or "",
        building_permit_no=_text(app.building_permit_number, "building_permit_number", 64, required=True)
        or "",
        state=ApplicationState.PENDING,
        created_at=now,
        moo=_text(loc.moo, "location.moo", 8),
        village=_text(loc.village, "location.village", 128),
        soi=_text(loc.soi, "location.soi", 128),
        road=_text(loc.road, "location.road", 128),
    )


def _request_hash(did: str, app: Application) -> str:
    digests = [hashlib.sha256(p).hexdigest() for p in app.photos]
    canonical = repr((did, app.location, app.land_title_number, app.building_permit_number, digests))
    return request_hash(canonical.encode())


def house_registration_subject(
    house: House, owner: Citizen, holder_did: str, application: HouseNumberApplication, registered_at: str
) -> dict[str, Any]:
    """``credentialSubject`` of the house-registration credential."""
    address = {
        "type": "ThaiAddress",
        "houseNumber": house.house_number,
        "moo": house.moo,
        "village": house.village,
        "soi": house.soi,
        "road": house.road,
        "subDistrict": house.sub_district,
        "district": house.district,
        "province": house.province,
        "postalCode": house.postal_code,
        "houseCode": house.house_code,
    }
    name = {
        "titleTh": owner.name_th.title,
        "givenNameTh": owner.name_th.given,
        "familyNameTh": owner.name_th.family,
    }
    subject: dict[str, Any] = {
        "id": holder_did,
        "type": "House",
        "houseCode": house.house_code,
        "houseNumber": house.house_number,
        "address": {k: v for k, v in address.items() if v},
        "owner": {"type": "HouseOwner", "nationalIdNumber": owner.national_id}
        | {k: _nfc(v) for k, v in name.items() if v},
        "buildingPermitNumber": application.building_permit_no,
        "plotNumber": application.plot,
        "registeredAt": registered_at,
    }
    if application.location:
        lat, lon = application.location.split(",")
        subject |= {"latitude": lat, "longitude": lon}
    return subject


class HouseNumbers:
    """The house-number use cases: the applicant's side takes the proven holder DID."""

    def __init__(self, app: IssuerApp) -> None:
        self._app = app
        self._store = app.store
        self._signer = EServiceSigner(app)

    # --- applicant -----------------------------------------------------------------------------

    def create(self, did: str, application: Application) -> ApplicationView:
        request_id = validation.request_id(application.request_id)
        photos = _photos(application.photos)
        applicant = enrolled_citizen(self._store, did)
        record = _record(new_application_id(), applicant.national_id, application, self._app.clock())

        def produce(conn: Connection) -> bytes:
            self._store.house_numbers.create(record, conn)
            self._store.house_numbers.add_photos(record.id, photos, conn)
            self._audit("citizen:self-service", "house_number.apply", record, "citizen request", conn)
            return record.id.encode()

        op = "CreateHouseNumberApplication"
        result = self._store.idempotency.run_once(request_id, op, _request_hash(did, application), produce)
        return self._view(self._require(result.response.decode()))

    def get(self, did: str, application_id: str) -> ApplicationView:
        return self._view(self._own(did, application_id))

    def mine(self, did: str) -> list[ApplicationView]:
        nid = national_id_of(self._store, did)
        if nid is None:
            return []
        return [self._view(a) for a in self._store.house_numbers.for_applicant(nid)]

    def cancel(self, did: str, application_id: str) -> ApplicationView:
        application = self._pending(self._own(did, application_id))
        with self._store.write() as conn:
            self._store.house_numbers.withdraw(application.id, conn)
            self._audit("citizen:self-service", "house_number.cancel", application, "citizen request", conn)
        return self._view(self._require(application_id))

    # --- officer -------------------------------------------------------------------------------

    def pending(self) -> list[ApplicationView]:
        return [self._view(a) for a in self._store.house_numbers.pending()]

    def photos(self, application_id: str) -> list[bytes]:
        return self._store.house_numbers.photos(self._require(application_id).id)

    def reject(self, officer: Officer, application_id: str, reason: str) -> ApplicationView:
        why = validation.required_text(reason, "reason")
        application = self._pending(self._require(application_id))
        with self._store.write() as conn:
            self._store.house_numbers.decide(
                application.id, ApplicationState.REJECTED, officer.id, why, conn=conn
            )
            self._audit(f"officer:{officer.id}", "house_number.reject", application, why, conn)
        return self._view(self._require(application_id))

    def approve(self, officer: Officer, application_id: str, reason: str) -> ApplicationView:
        """Allocate the number, record the house, issue the credential (retrying a lost number race)."""
        if len(reason) > validation.MAX_REASON:
            raise field_invalid("reason", f"at most {validation.MAX_REASON} characters")
        for attempt in range(APPROVE_ATTEMPTS):
            try:
                self._approve_once(officer, self._pending(self._require(application_id)), reason)
                break
            except IntegrityError:
                if attempt == APPROVE_ATTEMPTS - 1:
                    raise
        return self._view(self._require(application_id))

    def _approve_once(self, officer: Officer, application: HouseNumberApplication, reason: str) -> None:
        owner = self._store.citizens.require(application.applicant_national_id)
        holder_did = bound_did(self._store, owner.national_id)
        if holder_did is None:
            raise invalid_state(
                RESOURCE, application.id, "SUBMITTED", "the applicant has no active digital ID"
            )
        with self._store.write() as conn:
            house = self._new_house(application, conn)
            self._store.houses.add_many([house], conn)
            self._store.house_numbers.decide(
                application.id, ApplicationState.APPROVED, officer.id, reason, house.house_code, conn
            )
            now = self._app.clock()
            subject = house_registration_subject(house, owner, holder_did, application, xsd(now))
            draft = CredentialDraft(
                credential_id=new_credential_id(),
                type=CREDENTIAL_TYPE,
                name=CREDENTIAL_NAME,
                schema=HOUSE_REGISTRATION_V1,
                subject=subject,
                national_id=owner.national_id,
                holder_did=holder_did,
                valid_from=now,
                valid_until=None,
            )
            record = self._signer.issue(draft, conn)
            self._store.house_numbers.set_credential(application.id, record.id, conn)
            details = {
                "house_code": house.house_code,
                "house_number": house.house_number,
                "credential_id": record.id,
            }
            self._audit(f"officer:{officer.id}", "house_number.approve", application, reason, conn, **details)

    def _new_house(self, a: HouseNumberApplication, conn: Connection) -> House:
        number = self._store.houses.next_house_number(a.province, a.district, a.sub_district, a.moo, conn)
        return House(
            house_code=self._free_house_code(),
            house_number=number,
            sub_district=a.sub_district,
            district=a.district,
            province=a.province,
            postal_code=a.postal_code,
            owner_national_id=a.applicant_national_id,
            moo=a.moo,
            village=a.village,
            soi=a.soi,
            road=a.road,
        )

    def _free_house_code(self) -> str:
        while True:
            code = f"{secrets.randbelow(10**11):011d}"
            if not self._store.houses.existing_codes([code]):
                return code

    # --- helpers -------------------------------------------------------------------------------

    def _require(self, application_id: str) -> HouseNumberApplication:
        if not application_id:
            raise field_invalid("application_id", "is required")
        found = self._store.house_numbers.get(application_id)
        if found is None:
            raise not_found(RESOURCE, application_id)
        return found

    def _own(self, did: str, application_id: str) -> HouseNumberApplication:
        """The caller's application; NOT_FOUND for anyone else's (no probing of ids)."""
        application = self._require(application_id)
        if national_id_of(self._store, did) != application.applicant_national_id:
            raise not_found(RESOURCE, application_id)
        return application

    @staticmethod
    def _pending(application: HouseNumberApplication) -> HouseNumberApplication:
        if application.state is not ApplicationState.PENDING:
            state = application.state.value.upper()
            raise invalid_state(
                RESOURCE, application.id, state, f"the application is {application.state.value}"
            )
        return application

    def _view(self, application: HouseNumberApplication) -> ApplicationView:
        house = None if application.house_code is None else self._store.houses.get(application.house_code)
        return ApplicationView(
            application=application,
            applicant_did=bound_did(self._store, application.applicant_national_id) or "",
            photo_count=self._store.house_numbers.photo_count(application.id),
            house=house,
        )

    def _audit(
        self,
        actor: str,
        action: str,
        application: HouseNumberApplication,
        reason: str,
        conn: Connection,
        **details: str,
    ) -> None:
        self._store.audit.append(
            actor=actor,
            action=action,
            subject=self._store.audit.citizen(application.applicant_national_id),
            reason=reason,
            details={"application_id": application.id, **details},
            conn=conn,
        )
