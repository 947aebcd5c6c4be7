"""Everything the store holds, as one frozen value, and its JSON encoding (the store's payload)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from civid.wallet.domain.models import (
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

FORMAT: Final = "civid-wallet/1"


class StateFormatError(ValueError):
    """The payload is not a wallet state this program can read."""


@dataclass(frozen=True)
class WalletState:
    """The whole wallet. ``holder_seed`` is the Ed25519 seed of the holder key: it never leaves the
    store except inside an encrypted backup."""

    holder_seed: bytes
    created_at: datetime
    credentials: tuple[HeldCredential, ...] = ()
    disclosures: tuple[Disclosure, ...] = ()
    settings: WalletSettings = field(default_factory=WalletSettings)
    pending: tuple[PendingRequest, ...] = ()

    def __repr__(self) -> str:  # keep the seed out of logs and tracebacks
        return f"WalletState(credentials={len(self.credentials)}, disclosures={len(self.disclosures)})"


def encode_state(state: WalletState) -> bytes:
    doc = {
        "format": FORMAT,
        "holderSeed": state.holder_seed.hex(),
        "createdAt": state.created_at.isoformat(),
        "credentials": [_credential_out(c) for c in state.credentials],
        "disclosures": [_disclosure_out(d) for d in state.disclosures],
        "settings": _settings_out(state.settings),
        "pending": [_pending_out(p) for p in state.pending],
    }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def decode_state(payload: bytes) -> WalletState:
    """Parse a payload; :class:`StateFormatError` when it is not a wallet state."""
    try:
        doc = json.loads(payload)
        if doc.get("format") != FORMAT:
            raise StateFormatError(f"unknown wallet format {doc.get('format')!r}")
        return WalletState(
            holder_seed=bytes.fromhex(doc["holderSeed"]),
            created_at=_time(doc["createdAt"]),
            credentials=tuple(_credential_in(c) for c in doc["credentials"]),
            disclosures=tuple(_disclosure_in(d) for d in doc["disclosures"]),
            settings=_settings_in(doc["settings"]),
            pending=tuple(_pending_in(p) for p in doc["pending"]),
        )
    except StateFormatError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StateFormatError(f"malformed wallet state: {exc!r}") from exc


def _time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time without a timezone: {value!r}")
    return moment


def _optional_time(value: str | None) -> datetime | None:
    return None if value is None else _time(value)


def _credential_out(c: HeldCredential) -> dict[str, Any]:
    checked = c.status.checked_at.isoformat() if c.status.checked_at else None
    return {
        "id": c.id,
        "types": list(c.types),
        "document": c.document_json,
        "receivedAt": c.received_at.isoformat(),
        "issuer": c.issuer,
        "status": {"state": c.status.state.value, "checkedAt": checked},
    }


def _credential_in(d: dict[str, Any]) -> HeldCredential:
    status = StatusCache(CredentialState(d["status"]["state"]), _optional_time(d["status"]["checkedAt"]))
    types = tuple(str(t) for t in d["types"])
    return HeldCredential(d["id"], types, d["document"], _time(d["receivedAt"]), d["issuer"], status)


def _disclosure_out(d: Disclosure) -> dict[str, Any]:
    return {
        "requestId": d.request_id,
        "relyingPartyId": d.relying_party_id,
        "relyingPartyName": d.relying_party_name,
        "purpose": d.purpose,
        "claims": list(d.claims),
        "outcome": d.outcome.value,
        "at": d.at.isoformat(),
        "credentialIds": list(d.credential_ids),
        "detail": d.detail,
    }


def _disclosure_in(d: dict[str, Any]) -> Disclosure:
    return Disclosure(
        request_id=d["requestId"],
        relying_party_id=d["relyingPartyId"],
        relying_party_name=d["relyingPartyName"],
        purpose=d["purpose"],
        claims=tuple(d["claims"]),
        outcome=DisclosureOutcome(d["outcome"]),
        at=_time(d["at"]),
        credential_ids=tuple(d["credentialIds"]),
        detail=d["detail"],
    )


def _settings_out(s: WalletSettings) -> dict[str, Any]:
    return {
        "issuerAddress": s.issuer_address,
        "verifierAddress": s.verifier_address,
        "tls": s.tls,
        "caFile": str(s.ca_file) if s.ca_file else None,
        "language": s.language.value,
    }


def _settings_in(d: dict[str, Any]) -> WalletSettings:
    return WalletSettings(
        issuer_address=d["issuerAddress"],
        verifier_address=d["verifierAddress"],
        tls=bool(d["tls"]),
        ca_file=Path(d["caFile"]) if d["caFile"] else None,
        language=Language(d["language"]),
    )


def _pending_out(p: PendingRequest) -> dict[str, Any]:
    return {
        "id": p.id,
        "kind": p.kind.value,
        "status": p.status.value,
        "updatedAt": p.updated_at.isoformat(),
        "summary": p.summary,
    }


def _pending_in(d: dict[str, Any]) -> PendingRequest:
    return PendingRequest(
        d["id"], RequestKind(d["kind"]), RequestStatus(d["status"]), _time(d["updatedAt"]), d["summary"]
    )
