"""Presentation requests (created by a relying party, answered by a wallet) and their results.

A request's id and nonce are random (128 and 256 bits); the nonce is also put in the nonce store,
which enforces single use across processes. A relying party only ever sees its own requests: any
other id, existing or not, is REQUEST_NOT_FOUND, so nothing reveals that it exists.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, RowMapping, insert, select, update

from civid.core.datetimes import utc_now
from civid.service.db.tx import read, write
from civid.verifier.config.policies import PolicySet
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.evaluation import Judgement
from civid.verifier.domain.nonces import NonceStore
from civid.verifier.domain.release import requested_claims
from civid.verifier.domain.relying_parties import RelyingParty, authorize
from civid.verifier.domain.storage.schema import presentation_requests, presentation_results


class RequestState(StrEnum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class PresentationRequest:
    id: str
    rp_id: str
    policy_id: str
    nonce: str  # the challenge the wallet's presentation proof must carry
    domain: str  # the verifier's identity, the proof's domain
    requested_claims: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    state: RequestState

    def state_at(self, now: datetime) -> RequestState:
        """The state, counting a pending request past its expiry as EXPIRED."""
        if self.state is RequestState.PENDING and now >= self.expires_at:
            return RequestState.EXPIRED
        return self.state


@dataclass(frozen=True)
class PresentationResult:
    """What the relying party reads: checks, errors and the released claims (JSON-ready)."""

    request_id: str
    verified: bool
    checks: tuple[Mapping[str, Any], ...]
    errors: tuple[Mapping[str, Any], ...]
    released_claims: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    @classmethod
    def from_judgement(cls, request_id: str, judgement: Judgement, now: datetime) -> PresentationResult:
        doc = judgement.result.to_json()
        return cls(
            request_id,
            judgement.verified,
            tuple(doc["checks"]),
            tuple(doc["errors"]),
            dict(judgement.released_claims),
            now,
        )


def not_found(request_id: str) -> DomainError:
    return DomainError(
        DomainErrorCode.REQUEST_NOT_FOUND,
        "no such presentation request",
        {"presentation_request_id": request_id},
    )


def _row_to_request(row: RowMapping) -> PresentationRequest:
    return PresentationRequest(
        id=row["id"],
        rp_id=row["rp_id"],
        policy_id=row["policy_id"],
        nonce=row["nonce"],
        domain=row["domain"],
        requested_claims=tuple(row["requested_claims"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        state=RequestState(row["state"]),
    )


class PresentationRequestStore:
    """Presentation requests and results in the verifier's database."""

    def __init__(self, engine: Engine, policies: PolicySet, clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self._policies = policies
        self._clock = clock

    def create(
        self,
        rp: RelyingParty,
        policy_id: str,
        asked_claims: Sequence[str],
        domain: str,
        nonces: NonceStore,
    ) -> PresentationRequest:
        """A new pending request; POLICY_NOT_ALLOWED / CLAIM_NOT_ALLOWED refuse it before it is stored."""
        policy = authorize(rp, policy_id, self._policies)
        claims = requested_claims(policy, asked_claims)
        now = self._clock()
        request = PresentationRequest(
            id=secrets.token_urlsafe(16),
            rp_id=rp.id,
            policy_id=policy.id,
            nonce=secrets.token_urlsafe(32),
            domain=domain,
            requested_claims=claims,
            created_at=now,
            expires_at=now + timedelta(seconds=policy.request_lifetime_s),
            state=RequestState.PENDING,
        )
        nonces.issue(request.nonce, policy.request_lifetime_s)
        with write(self._engine) as conn:
            conn.execute(
                insert(presentation_requests).values(
                    id=request.id,
                    rp_id=request.rp_id,
                    policy_id=request.policy_id,
                    nonce=request.nonce,
                    domain=request.domain,
                    requested_claims=list(claims),
                    created_at=request.created_at,
                    expires_at=request.expires_at,
                    state=request.state.value,
                )
            )
        return request

    def get(self, request_id: str) -> PresentationRequest:
        """A request by id (the wallet's view: the id is the secret that lets it answer)."""
        with read(self._engine) as conn:
            row = (
                conn.execute(select(presentation_requests).where(presentation_requests.c.id == request_id))
                .mappings()
                .first()
            )
        if row is None:
            raise not_found(request_id)
        return _row_to_request(row)

    def get_for_rp(self, rp_id: str, request_id: str) -> PresentationRequest:
        """A request of this relying party; another's is REQUEST_NOT_FOUND, exactly like a missing one."""
        request = self.get(request_id)
        if request.rp_id != rp_id:
            raise not_found(request_id)
        return request

    def open_for_submission(self, request_id: str) -> PresentationRequest:
        """The request if a presentation may still answer it (REQUEST_EXPIRED / REQUEST_COMPLETED if not)."""
        request = self.get(request_id)
        state = request.state_at(self._clock())
        if state is RequestState.EXPIRED:
            raise DomainError(
                DomainErrorCode.REQUEST_EXPIRED,
                "the presentation request has expired",
                {"presentation_request_id": request_id},
            )
        if state is RequestState.COMPLETED:
            raise DomainError(
                DomainErrorCode.REQUEST_COMPLETED,
                "the presentation request was already answered",
                {"presentation_request_id": request_id},
            )
        return request

    def record_result(self, result: PresentationResult) -> None:
        """Store the result and complete the request, atomically and once (REQUEST_COMPLETED after that)."""
        with write(self._engine) as conn:
            done = conn.execute(
                update(presentation_requests)
                .where(
                    presentation_requests.c.id == result.request_id,
                    presentation_requests.c.state == RequestState.PENDING.value,
                )
                .values(state=RequestState.COMPLETED.value)
            )
            if done.rowcount != 1:
                raise DomainError(
                    DomainErrorCode.REQUEST_COMPLETED,
                    "the presentation request is not pending",
                    {"presentation_request_id": result.request_id},
                )
            conn.execute(
                insert(presentation_results).values(
                    request_id=result.request_id,
                    verified=result.verified,
                    checks=list(result.checks),
                    released_claims=dict(result.released_claims),
                    errors=list(result.errors),
                    created_at=result.created_at or self._clock(),
                )
            )

    def result_for_rp(self, rp_id: str, request_id: str) -> PresentationResult | None:
        """This relying party's result for the request; None while pending (REQUEST_NOT_FOUND for others)."""
        self.get_for_rp(rp_id, request_id)
        with read(self._engine) as conn:
            row = (
                conn.execute(
                    select(presentation_results).where(presentation_results.c.request_id == request_id)
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return PresentationResult(
            row["request_id"],
            row["verified"],
            tuple(row["checks"]),
            tuple(row["errors"]),
            row["released_claims"],
            row["created_at"],
        )

    def reissue_open_nonces(self, nonces: NonceStore) -> int:
        """Put the nonces of pending, unexpired requests back into ``nonces``; returns how many.

        Nonces kept in process memory die with the process while the requests stay in the database;
        a verifier started again calls this so those requests can still be answered.
        """
        now = self._clock()
        with read(self._engine) as conn:
            rows = conn.execute(
                select(presentation_requests).where(
                    presentation_requests.c.state == RequestState.PENDING.value
                )
            ).mappings()
            open_requests = [r for r in map(_row_to_request, rows) if r.state_at(now) is RequestState.PENDING]
        for request in open_requests:
            nonces.issue(request.nonce, (request.expires_at - now).total_seconds())
        return len(open_requests)

    def expire_due(self) -> int:
        """Mark pending requests past their expiry as EXPIRED; returns how many."""
        with write(self._engine) as conn:
            done = conn.execute(
                update(presentation_requests)
                .where(
                    presentation_requests.c.state == RequestState.PENDING.value,
                    presentation_requests.c.expires_at <= self._clock(),
                )
                .values(state=RequestState.EXPIRED.value)
            )
        return int(done.rowcount)
