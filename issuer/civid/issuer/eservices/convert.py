"""E-service domain views → protobuf messages (no logic beyond the mapping)."""

from __future__ import annotations

from typing import Final

from civid.common.v1 import localized_text_pb2
from civid.issuer.eservices.address_change import AddressChangeView, Role
from civid.issuer.registry.model import House
from civid.issuer.service.convert import timestamp
from civid.issuer.storage.address_changes import AddressChangeState
from civid.issuer.v1 import address_change_pb2 as acpb
from civid.issuer.v1 import address_pb2

STATE: Final = {
    AddressChangeState.PENDING: acpb.ADDRESS_CHANGE_STATE_PENDING_CONSENT,
    AddressChangeState.CONSENTED: acpb.ADDRESS_CHANGE_STATE_PENDING_CONSENT,
    AddressChangeState.COMPLETED: acpb.ADDRESS_CHANGE_STATE_COMPLETED,
    AddressChangeState.REFUSED: acpb.ADDRESS_CHANGE_STATE_REFUSED,
    AddressChangeState.CANCELLED: acpb.ADDRESS_CHANGE_STATE_CANCELLED,
    AddressChangeState.EXPIRED: acpb.ADDRESS_CHANGE_STATE_EXPIRED,
}
ROLE: Final = {Role.APPLICANT: acpb.ADDRESS_CHANGE_ROLE_APPLICANT, Role.OWNER: acpb.ADDRESS_CHANGE_ROLE_OWNER}


def house_address(house: House) -> address_pb2.Address:
    return address_pb2.Address(
        house_code=house.house_code,
        house_number=house.house_number,
        moo=house.moo or "",
        village=house.village or "",
        soi=house.soi or "",
        road=house.road or "",
        sub_district=house.sub_district,
        district=house.district,
        province=house.province,
        postal_code=house.postal_code,
    )


def address_change(view: AddressChangeView) -> acpb.AddressChange:
    r = view.request
    name = localized_text_pb2.LocalizedText(
        th=view.applicant.name_th.full(), en=view.applicant.name_en.full()
    )
    return acpb.AddressChange(
        address_change_id=r.id,
        state=STATE[r.state],
        new_address=house_address(view.house),
        applicant_name=name,
        applicant_did=view.applicant_did,
        caller_role=ROLE[view.role],
        create_time=timestamp(r.created_at),
        update_time=timestamp(r.decided_at or r.created_at),
        expire_time=timestamp(r.expires_at),
        refusal_reason=(r.reason or "") if r.state is AddressChangeState.REFUSED else "",
        new_credential_id=view.new_credential_id,
    )
