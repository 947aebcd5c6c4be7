"""What the servicers share, built once at start by :mod:`civid.verifier.app`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from civid.verifier.config.policies import PolicySet
from civid.verifier.domain.admission import InFlightLimiter, RateLimit
from civid.verifier.domain.idempotency import IdempotencyStore
from civid.verifier.domain.nonces import NonceStore
from civid.verifier.domain.relying_parties import RelyingPartyRegistry
from civid.verifier.domain.requests import PresentationRequestStore
from civid.verifier.engine import VerificationEngine


@dataclass
class ResultSignal:
    """Wakes this process's WatchPresentationResult streams when a result is recorded here."""

    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()


@dataclass(frozen=True)
class VerifierDeps:
    policies: PolicySet
    registry: RelyingPartyRegistry
    requests: PresentationRequestStore
    nonces: NonceStore
    engine: VerificationEngine
    in_flight: InFlightLimiter
    rate: RateLimit  # in this process, or shared through Redis (app.rate_limiter)
    domain: str  # the verifier's identity (presentation proof domain)
    address: str  # host:port in compact request strings
    max_presentation_bytes: int
    idempotency: IdempotencyStore  # request_id of creating calls, shared by every process
    rp_challenge_ttl_s: int  # how long an RP-collected challenge is remembered (freshness.challenge_memory_s)
    # behind the gateway: the client certificate comes from nginx's header (service.auth), not from TLS
    behind_gateway: bool = False
    results: ResultSignal = field(default_factory=ResultSignal)
