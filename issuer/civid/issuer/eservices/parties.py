"""Who a holder DID is in the registry: the citizen whose live national-ID credential it holds."""

from __future__ import annotations

from civid.core.errors import ErrorCode
from civid.issuer.domain.binding import is_live, live_national_ids
from civid.issuer.domain.errors import IssuerFailure
from civid.issuer.domain.issuance import NATIONAL_ID_TYPE
from civid.issuer.registry.model import Citizen
from civid.issuer.storage import Store


def national_id_of(store: Store, holder_did: str) -> str | None:
    """The national ID bound to ``holder_did`` by a live national-ID credential, if any."""
    for record in store.credentials.for_holder(holder_did):
        if record.type == NATIONAL_ID_TYPE and is_live(record):
            return record.national_id
    return None


def enrolled_citizen(store: Store, holder_did: str) -> Citizen:
    """The caller's registry record, or PERMISSION_DENIED / HOLDER_NOT_ENROLLED."""
    nid = national_id_of(store, holder_did)
    citizen = None if nid is None else store.citizens.get(nid)
    if citizen is None:
        raise IssuerFailure(
            ErrorCode.HOLDER_NOT_ENROLLED, "this holder DID has no active national-ID credential"
        )
    return citizen


def bound_did(store: Store, national_id: str) -> str | None:
    """The holder DID of the citizen's live national-ID credential (None: no wallet)."""
    live = live_national_ids(store, national_id)
    return live[0].holder_did if live else None
