"""The relying-party registry: who may call the verifier, with which key, for which policies.

Every call authenticates (``authenticate`` with an API key or ``authenticate_certificate`` with the
client certificate's DER) and every policy use is authorized (``authorize``). Unknown, malformed,
wrong and revoked credentials all fail alike with RP_UNAUTHENTICATED.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError

from civid.core.datetimes import utc_now
from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.policies import Policy, PolicySet
from civid.verifier.config.relying_parties import RP_ID, RelyingPartySpec
from civid.verifier.domain.api_keys import (
    ApiKey,
    certificate_fingerprint,
    new_api_key,
    parse_api_key,
    secret_matches,
    unauthenticated,
)
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.storage.engine import read, write
from civid.verifier.domain.storage.schema import api_keys, relying_parties


@dataclass(frozen=True)
class RelyingParty:
    """A registered relying party (an airline, a ministry...)."""

    id: str
    display_name: LocalizedText
    policy_ids: tuple[str, ...]
    active: bool
    created_at: datetime
    certificate_sha256: str | None = None
    revoked_at: datetime | None = None


def authorize(rp: RelyingParty, policy_id: str, policies: PolicySet) -> Policy:
    """The policy if ``rp`` is registered for it; POLICY_NOT_ALLOWED otherwise (or if it does not exist)."""
    policy = policies.get(policy_id)
    if policy is None or policy_id not in rp.policy_ids:
        raise DomainError(
            DomainErrorCode.POLICY_NOT_ALLOWED,
            f"the relying party may not use policy {policy_id!r}",
            {"policy_id": policy_id},
        )
    return policy


def _row_to_rp(row: RowMapping | Mapping[str, Any]) -> RelyingParty:
    return RelyingParty(
        id=row["id"],
        display_name=LocalizedText(row["display_name_en"], row["display_name_th"]),
        policy_ids=tuple(row["policy_ids"]),
        active=row["active"],
        created_at=row["created_at"],
        certificate_sha256=row["certificate_sha256"],
        revoked_at=row["revoked_at"],
    )


class RelyingPartyRegistry:
    """Relying parties and their API keys in the verifier's database."""

    def __init__(self, engine: Engine, policies: PolicySet, clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self._policies = policies
        self._clock = clock

    def add_rp(self, spec: RelyingPartySpec) -> tuple[RelyingParty, str]:
        """Register a relying party; returns it and its API key in plaintext (shown once, never stored)."""
        self._check_spec(spec)
        now = self._clock()
        key = new_api_key()
        row = {
            "id": spec.id,
            "display_name_en": spec.display_name.en,
            "display_name_th": spec.display_name.th,
            "policy_ids": list(spec.policy_ids),
            "active": True,
            "certificate_sha256": spec.certificate_sha256,
            "created_at": now,
            "revoked_at": None,
        }
        try:
            with write(self._engine) as conn:
                conn.execute(insert(relying_parties).values(row))
                conn.execute(insert(api_keys).values(self._key_row(spec.id, key, now)))
        except IntegrityError as exc:
            raise DomainError(
                DomainErrorCode.ALREADY_EXISTS,
                f"relying party {spec.id!r} (or its certificate) is already registered",
            ) from exc
        return _row_to_rp(row), key.plaintext

    def list_rps(self) -> list[RelyingParty]:
        with read(self._engine) as conn:
            rows = conn.execute(select(relying_parties).order_by(relying_parties.c.id)).mappings()
            return [_row_to_rp(r) for r in rows]

    def get(self, rp_id: str) -> RelyingParty:
        with read(self._engine) as conn:
            row = (
                conn.execute(select(relying_parties).where(relying_parties.c.id == rp_id)).mappings().first()
            )
        if row is None:
            raise DomainError(DomainErrorCode.NOT_FOUND, f"no relying party {rp_id!r}")
        return _row_to_rp(row)

    def revoke_rp(self, rp_id: str) -> RelyingParty:
        """Revoke the relying party and all its keys; its calls fail from now on."""
        now = self._clock()
        with write(self._engine) as conn:
            done = conn.execute(
                update(relying_parties)
                .where(relying_parties.c.id == rp_id, relying_parties.c.active.is_(True))
                .values(active=False, revoked_at=now)
            )
            conn.execute(
                update(api_keys)
                .where(api_keys.c.rp_id == rp_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        if done.rowcount == 0:
            self.get(rp_id)  # NOT_FOUND if it does not exist; else it was revoked already
            raise DomainError(DomainErrorCode.NOT_FOUND, f"relying party {rp_id!r} is already revoked")
        return self.get(rp_id)

    def rotate_key(self, rp_id: str) -> str:
        """A new API key for an active relying party; its previous keys stop working at once."""
        now = self._clock()
        key = new_api_key()
        with write(self._engine) as conn:
            active = conn.execute(
                select(relying_parties.c.active).where(relying_parties.c.id == rp_id)
            ).scalar_one_or_none()
            if not active:
                raise DomainError(DomainErrorCode.NOT_FOUND, f"no active relying party {rp_id!r}")
            conn.execute(
                update(api_keys)
                .where(api_keys.c.rp_id == rp_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            conn.execute(insert(api_keys).values(self._key_row(rp_id, key, now)))
        return key.plaintext

    def authenticate(self, api_key: str) -> RelyingParty:
        """The active relying party owning ``api_key``; RP_UNAUTHENTICATED otherwise."""
        key = parse_api_key(api_key)
        query = (
            select(api_keys.c.secret_sha256, relying_parties)
            .join(relying_parties, relying_parties.c.id == api_keys.c.rp_id)
            .where(
                api_keys.c.key_id == key.key_id,
                api_keys.c.revoked_at.is_(None),
                relying_parties.c.active.is_(True),
            )
        )
        with read(self._engine) as conn:
            row = conn.execute(query).mappings().first()
        if not secret_matches(key, None if row is None else row["secret_sha256"]) or row is None:
            raise unauthenticated()
        return _row_to_rp(row)

    def authenticate_certificate(self, der: bytes) -> RelyingParty:
        """The active relying party registered with this client certificate (mTLS)."""
        fingerprint = certificate_fingerprint(der)
        query = select(relying_parties).where(
            relying_parties.c.certificate_sha256 == fingerprint, relying_parties.c.active.is_(True)
        )
        with read(self._engine) as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise unauthenticated()
        return _row_to_rp(row)

    def _check_spec(self, spec: RelyingPartySpec) -> None:
        if not RP_ID.match(spec.id):
            raise DomainError(
                DomainErrorCode.FIELD_INVALID, f"{spec.id!r} is not a relying-party id", {"field": "id"}
            )
        unknown = [p for p in spec.policy_ids if self._policies.get(p) is None]
        if unknown or not spec.policy_ids:
            what = f"no policy {unknown[0]!r}" if unknown else "at least one policy is needed"
            raise DomainError(DomainErrorCode.FIELD_INVALID, what, {"field": "policy_ids"})

    @staticmethod
    def _key_row(rp_id: str, key: ApiKey, now: datetime) -> dict[str, Any]:
        return {
            "key_id": key.key_id,
            "rp_id": rp_id,
            "secret_sha256": key.secret_sha256,
            "created_at": now,
            "revoked_at": None,
        }
