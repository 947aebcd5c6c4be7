"""Reading what the wallet holds as JSON: the card, the history; exporting and backing up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from civid.core.errors import CividError, ErrorCode
from civid.wallet.domain import Disclosure, HeldCredential, Wallet, flatten_claims
from civid.wallet.services.config import backup_kdf
from civid.wallet.store.atomic import atomic_write


def credential_json(held: HeldCredential) -> dict[str, Any]:
    """A held credential's summary for headless output (claims in the wallet's language)."""
    checked = held.status.checked_at.isoformat() if held.status.checked_at else None
    return {
        "id": held.id,
        "types": list(held.types),
        "issuer": held.issuer,
        "receivedAt": held.received_at.isoformat(),
        "status": {"state": held.status.state.value, "checkedAt": checked},
        "claims": {line.key: line.value for line in flatten_claims(held.subject)},
    }


def wallet_json(wallet: Wallet) -> dict[str, Any]:
    return {
        "holderDid": wallet.holder_did,
        "credentials": [credential_json(c) for c in wallet.credentials()],
    }


def disclosure_json(disclosure: Disclosure) -> dict[str, Any]:
    return {
        "requestId": disclosure.request_id,
        "relyingPartyId": disclosure.relying_party_id,
        "relyingParty": disclosure.relying_party_name,
        "purpose": disclosure.purpose,
        "claims": list(disclosure.claims),
        "outcome": disclosure.outcome.value,
        "at": disclosure.at.isoformat(),
        "detail": disclosure.detail,
    }


def history_json(wallet: Wallet) -> list[dict[str, Any]]:
    return [disclosure_json(d) for d in wallet.history()]


def export_credential(held: HeldCredential, path: Path, *, overwrite: bool = False) -> Path:
    """Write the credential document as JSON (the JSON values the issuer signed)."""
    if path.exists() and not overwrite:
        raise CividError(ErrorCode.ALREADY_EXISTS, f"{path} already exists; choose another file name")
    text = json.dumps(held.document, ensure_ascii=False, indent=2) + "\n"
    atomic_write(path, text.encode("utf-8"))
    return path


def backup_wallet(wallet: Wallet, path: Path, passphrase: str) -> Path:
    """An encrypted backup (holder key included) under the PIN or a passphrase."""
    wallet.backup(path, passphrase, kdf=backup_kdf())
    return path
