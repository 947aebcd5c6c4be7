"""Presenting: read a request, show consent, build and sign the presentation, submit, remember it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from civid.core.errors import CividError, ErrorCode
from civid.wallet.domain import Disclosure, DisclosureOutcome, HeldCredential, Language, Wallet
from civid.wallet.services.rejections import rejection_hint

COMPACT_PREFIX: Final = "civid-pr:v1:"


@dataclass(frozen=True)
class Text:
    """A Thai / English pair as the verifier sent it."""

    th: str
    en: str

    def pick(self, language: Language) -> str:
        return (self.th or self.en) if language is Language.TH else (self.en or self.th)


@dataclass(frozen=True)
class RequestedClaim:
    name: str
    label: Text


@dataclass(frozen=True)
class ConsentRequest:
    """Everything the consent screen shows, and what approving needs."""

    request_id: str
    verifier_address: str
    relying_party_id: str
    relying_party: Text
    purpose: Text
    claims: tuple[RequestedClaim, ...]
    accepted_types: tuple[str, ...]
    challenge: str
    domain: str
    expires_at: datetime | None


@dataclass(frozen=True)
class PresentationOutcome:
    """What the verifier answered."""

    request_id: str
    relying_party: Text
    verified: bool
    released_claims: tuple[str, ...]
    errors: tuple[tuple[str, str], ...]

    @property
    def hint(self) -> Text | None:
        """What the citizen can do about a rejection, when it is theirs to fix."""
        found = rejection_hint(code for code, _ in self.errors)
        return None if found is None else Text(*found)

    def to_json(self) -> dict[str, Any]:
        hint = self.hint
        return {
            "requestId": self.request_id,
            "relyingParty": {"th": self.relying_party.th, "en": self.relying_party.en},
            "verified": self.verified,
            "outcome": DisclosureOutcome.VERIFIED.value
            if self.verified
            else DisclosureOutcome.REJECTED.value,
            "releasedClaims": list(self.released_claims),
            "errors": [{"code": c, "message": m} for c, m in self.errors],
            **({} if hint is None else {"hint": {"th": hint.th, "en": hint.en}}),
        }


def parse_compact(text: str, default_verifier: str) -> tuple[str, str]:
    """``civid-pr:v1:<id>@<host:port>`` → (id, verifier address); a bare id uses ``default_verifier``."""
    value = text.strip()
    if not value:
        raise CividError(ErrorCode.MALFORMED_DOCUMENT, "paste the request the agency showed you")
    if not value.startswith(COMPACT_PREFIX):
        return value, default_verifier
    request_id, sep, address = value[len(COMPACT_PREFIX) :].partition("@")
    if not request_id or not sep or not address:
        raise CividError(
            ErrorCode.MALFORMED_DOCUMENT, "the request is not complete; copy all of it and try again"
        )
    return request_id, address


async def fetch_request(wallet: Wallet, text: str) -> ConsentRequest:
    """Ask the verifier for the request behind ``text``: who asks, why, and which claims."""
    from civid.wallet.clients.verifier import VerifierClient

    request_id, address = parse_compact(text, wallet.settings().verifier_address)
    settings = wallet.settings()
    compact = text.strip() if text.strip().startswith(COMPACT_PREFIX) else None
    async with VerifierClient(address, tls=settings.tls, ca_file=settings.ca_file) as verifier:
        request = await verifier.presentation_request(compact=compact, request_id=request_id)
    expires = request.expire_time.ToDatetime(tzinfo=UTC) if request.HasField("expire_time") else None
    return ConsentRequest(
        request_id=request.presentation_request_id or request_id,
        verifier_address=address,
        relying_party_id=request.relying_party_id,
        relying_party=Text(request.relying_party_display_name.th, request.relying_party_display_name.en),
        purpose=Text(request.purpose.th, request.purpose.en),
        claims=tuple(RequestedClaim(c.name, Text(c.label.th, c.label.en)) for c in request.requested_claims),
        accepted_types=tuple(request.accepted_credential_types),
        challenge=request.challenge,
        domain=request.domain,
        expires_at=expires,
    )


def credential_for(wallet: Wallet, consent: ConsentRequest) -> HeldCredential:
    """The newest held credential of an accepted type."""
    matching = [c for c in wallet.credentials() if set(c.types) & set(consent.accepted_types)]
    if not matching:
        wanted = ", ".join(consent.accepted_types) or "a credential"
        raise CividError(ErrorCode.CREDENTIAL_TYPE_NOT_ACCEPTED, f"this request needs {wanted}; enrol first")
    return matching[-1]


async def approve(
    wallet: Wallet,
    consent: ConsentRequest,
    on_signed: Callable[[dict[str, Any]], None] | None = None,
) -> PresentationOutcome:
    """Sign a presentation for the request's challenge and domain, submit it, record the disclosure.

    ``on_signed`` receives the signed presentation before it is sent (to keep a copy).
    """
    from civid.wallet.clients.errors import RemoteError
    from civid.wallet.clients.verifier import VerifierClient

    held = credential_for(wallet, consent)
    vp = await asyncio.to_thread(
        wallet.present, [held.id], challenge=consent.challenge, domain=consent.domain
    )
    if on_signed is not None:
        on_signed(vp)
    settings = wallet.settings()
    try:
        async with VerifierClient(
            consent.verifier_address, tls=settings.tls, ca_file=settings.ca_file
        ) as verifier:
            answer = await verifier.submit(consent.request_id, json.dumps(vp, ensure_ascii=False))
    except RemoteError as exc:
        _record(wallet, consent, DisclosureOutcome.FAILED, (held.id,), exc.message)
        raise
    verification = answer.verification
    outcome = PresentationOutcome(
        consent.request_id,
        consent.relying_party,
        verification.verified,
        tuple(answer.released_claim_names),
        tuple((e.code, e.message) for e in verification.errors),
    )
    detail = "; ".join(code for code, _ in outcome.errors)
    result = DisclosureOutcome.VERIFIED if outcome.verified else DisclosureOutcome.REJECTED
    _record(wallet, consent, result, (held.id,), detail)
    return outcome


def decline(wallet: Wallet, consent: ConsentRequest) -> Disclosure:
    """The citizen said no: nothing is sent; the refusal is remembered."""
    return _record(wallet, consent, DisclosureOutcome.DECLINED, (), "declined by the citizen")


def _record(
    wallet: Wallet,
    consent: ConsentRequest,
    outcome: DisclosureOutcome,
    credential_ids: tuple[str, ...],
    detail: str,
) -> Disclosure:
    disclosure = Disclosure(
        request_id=consent.request_id,
        relying_party_id=consent.relying_party_id,
        relying_party_name=consent.relying_party.en or consent.relying_party.th,
        purpose=consent.purpose.en or consent.purpose.th,
        claims=tuple(c.name for c in consent.claims),
        outcome=outcome,
        at=datetime.now(UTC),
        credential_ids=credential_ids,
        detail=detail,
    )
    wallet.record_disclosure(disclosure)
    return disclosure
