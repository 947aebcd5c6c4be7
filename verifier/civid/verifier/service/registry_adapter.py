"""Request operations the domain store does not offer yet (an adapter on its table)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, update

from civid.service.db.tx import write
from civid.verifier.domain.requests import PresentationRequest, PresentationRequestStore
from civid.verifier.domain.storage.schema import presentation_requests


def shorten_request(
    store: PresentationRequestStore, request: PresentationRequest, expires_at: datetime
) -> PresentationRequest:
    """Give a new request a shorter lifetime than its policy's (CreatePresentationRequest.ttl)."""
    engine: Engine = store._engine
    with write(engine) as conn:
        conn.execute(
            update(presentation_requests)
            .where(presentation_requests.c.id == request.id)
            .values(expires_at=expires_at)
        )
    return replace(request, expires_at=expires_at)
