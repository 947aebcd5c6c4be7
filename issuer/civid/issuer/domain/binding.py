"""Which holder DID a citizen's national-ID credential is bound to, and retiring the old binding."""

from __future__ import annotations

from sqlalchemy import Connection

from civid.core.errors import ErrorCode
from civid.issuer.domain.errors import IssuerFailure
from civid.issuer.domain.issuance import NATIONAL_ID_TYPE
from civid.issuer.storage import CredentialRecord, CredentialState, StatusPurpose, Store


def is_live(record: CredentialRecord) -> bool:
    """Active (not superseded) and not revoked; a suspended credential is still live."""
    return record.state is CredentialState.ACTIVE and not record.revoked


def live_national_ids(store: Store, national_id: str) -> list[CredentialRecord]:
    records = store.credentials.for_citizen(national_id, NATIONAL_ID_TYPE, active_only=True)
    return [r for r in records if is_live(r)]


def ensure_did_free(store: Store, holder_did: str, national_id: str, field: str) -> None:
    """ALREADY_EXISTS when ``holder_did`` holds a live credential of another citizen."""
    for record in store.credentials.for_holder(holder_did):
        if record.national_id != national_id and is_live(record):
            raise IssuerFailure(
                ErrorCode.ALREADY_EXISTS,
                "this holder DID is bound to another citizen",
                {"resource_type": "HolderBinding", "resource_id": holder_did, "field": field},
            )


def retire(store: Store, records: list[CredentialRecord], reason: str, conn: Connection) -> list[str]:
    """Revoke and supersede ``records`` (a re-issue replaces them); their ids."""
    for record in records:
        store.set_status(record.id, StatusPurpose.REVOCATION, True, reason, conn)
        store.credentials.supersede(record.id, conn)
    return [r.id for r in records]
