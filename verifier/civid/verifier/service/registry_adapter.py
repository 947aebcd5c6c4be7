"""Registry and request operations the domain stores do not offer yet (adapters on their tables)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, select, update

from civid.verifier.config.fields import LocalizedText
from civid.verifier.domain.relying_parties import RelyingParty, RelyingPartyRegistry
from civid.verifier.domain.requests import PresentationRequest, PresentationRequestStore
from civid.verifier.domain.storage.engine import read, write
from civid.verifier.domain.storage.schema import api_keys, presentation_requests, relying_parties


def _engine(store: PresentationRequestStore | RelyingPartyRegistry) -> Engine:
    engine: Engine = store._engine
    return engine


def shorten_request(
    store: PresentationRequestStore, request: PresentationRequest, expires_at: datetime
) -> PresentationRequest:
    """Give a new request a shorter lifetime than its policy's (CreatePresentationRequest.ttl)."""
    with write(_engine(store)) as conn:
        conn.execute(
            update(presentation_requests)
            .where(presentation_requests.c.id == request.id)
            .values(expires_at=expires_at)
        )
    return replace(request, expires_at=expires_at)


def key_prefixes(registry: RelyingPartyRegistry) -> dict[str, str]:
    """A short, non-secret prefix of each relying party's current API key ("crp1.ab12cd34")."""
    query = select(api_keys.c.rp_id, api_keys.c.key_id).where(api_keys.c.revoked_at.is_(None))
    with read(_engine(registry)) as conn:
        return {row.rp_id: f"crp1.{row.key_id[:8]}" for row in conn.execute(query)}


def update_rp(
    registry: RelyingPartyRegistry,
    rp_id: str,
    *,
    display_name: LocalizedText | None = None,
    policy_ids: tuple[str, ...] | None = None,
    certificate_sha256: str | bool | None = False,
) -> RelyingParty:
    """Change an active relying party (``certificate_sha256=False``: leave it as it is)."""
    values: dict[str, object] = {}
    if display_name is not None:
        values |= {"display_name_en": display_name.en, "display_name_th": display_name.th}
    if policy_ids is not None:
        values["policy_ids"] = list(policy_ids)
    if certificate_sha256 is not False:
        values["certificate_sha256"] = certificate_sha256
    if values:
        with write(_engine(registry)) as conn:
            conn.execute(update(relying_parties).where(relying_parties.c.id == rp_id).values(**values))
    return registry.get(rp_id)
