"""The wallet's domain: held credentials, disclosures, settings, e-service requests and the Wallet.

Synchronous and UI-free: the Textual app and the headless ``civid wallet`` commands both call it.
"""

from civid.wallet.domain.claims import ClaimLine, claim_label, flatten_claims, format_national_id
from civid.wallet.domain.models import (
    NATIONAL_ID_CREDENTIAL,
    CredentialState,
    Disclosure,
    DisclosureOutcome,
    HeldCredential,
    Language,
    PendingRequest,
    RequestKind,
    RequestStatus,
    StatusCache,
    WalletSettings,
)
from civid.wallet.domain.wallet import Wallet

__all__ = [
    "NATIONAL_ID_CREDENTIAL",
    "ClaimLine",
    "CredentialState",
    "Disclosure",
    "DisclosureOutcome",
    "HeldCredential",
    "Language",
    "PendingRequest",
    "RequestKind",
    "RequestStatus",
    "StatusCache",
    "Wallet",
    "WalletSettings",
    "claim_label",
    "flatten_claims",
    "format_national_id",
]
