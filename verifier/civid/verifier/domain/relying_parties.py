"""The relying-party registry: who may call the verifier, with which key, for which policies.

Every call authenticates (``authenticate`` with an API key or ``authenticate_certificate`` with the
client certificate's DER) and every policy use is authorized (``authorize``). Unknown, malformed,
wrong, revoked and expired credentials all fail alike with RP_UNAUTHENTICATED.

A relying party may have several client certificates (one row each in ``rp_certificates``), so it
can roll a certificate over without a gap. A key rotated with a grace period keeps working until
``expires_at``; without one it is revoked at once.

A relying party may have a rate limit of its own (``rate_per_s`` and ``burst``, both or neither, which
the service hands to :class:`~civid.verifier.domain.admission.RateLimiter`); without one it gets the
server's defaults (``rp_rate_per_s``, ``rp_burst``).

A revoked relying party stays revoked: :meth:`~RelyingPartyRegistry.update_rp`,
:meth:`~RelyingPartyRegistry.revoke_rp` and :meth:`~RelyingPartyRegistry.rotate_key` refuse it with
INVALID_STATE (and an unknown one with NOT_FOUND), deciding in the same transaction as the change.
What they answer (the relying party and its newest key's prefix, :class:`Registered`) is read in
that transaction too: a change made just after cannot show in it. A
display name changed in one language (:class:`NameChange`) writes that language alone, so a change of
the other one made meanwhile is kept.

``updated_at`` records the last change: registration, then every :meth:`~RelyingPartyRegistry.update_rp`
(display name, policies, certificates, rate limit), key rotation and the revocation.

Successful API-key authentications are cached in process (:mod:`.auth_cache`): a revoke, rotate or
update through this registry takes effect at once; one made by another process (another worker, the
``civid-verifier`` command) within ``auth_recheck_seconds``, when the cache next reads the registry's
revision.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, Engine, RowMapping, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from civid.core.datetimes import utc_now
from civid.service.db.tx import read, write
from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.policies import Policy, PolicySet
from civid.verifier.config.relying_parties import RP_ID, RelyingPartySpec
from civid.verifier.domain.admission import check_rate_limit
from civid.verifier.domain.api_keys import (
    ApiKey,
    certificate_fingerprint,
    new_api_key,
    parse_api_key,
    secret_matches,
    unauthenticated,
)
from civid.verifier.domain.auth_cache import AuthCache, CachedKey
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.storage.schema import (
    api_keys,
    registry_revision,
    relying_parties,
    rp_certificates,
)

MAX_GRACE: Final = timedelta(days=30)
MAX_CERTIFICATES: Final = 8
DEFAULT_AUTH_RECHECK_SECONDS: Final = 1.0


@dataclass(frozen=True)
class RelyingParty:
    """A registered relying party (an airline, a ministry...)."""

    id: str
    display_name: LocalizedText
    policy_ids: tuple[str, ...]
    active: bool
    created_at: datetime
    updated_at: datetime  # the last change: registration, update, key rotation or revocation
    certificate_fingerprints: tuple[str, ...] = ()
    revoked_at: datetime | None = None
    rate_per_s: float | None = None  # its own token bucket; None: the server's default (rp_rate_per_s)
    burst: float | None = None  # None: the server's default (rp_burst); set together with rate_per_s


@dataclass(frozen=True)
class NameChange:
    """A display-name change in either language or both; None leaves that language as stored."""

    en: str | None = None
    th: str | None = None


@dataclass(frozen=True)
class Registered:
    """A relying party as the registry holds it, read in one transaction: the party and the non-secret
    prefix of its newest usable API key ("crp1.ab12cd34"; "" when it has none, as once revoked)."""

    relying_party: RelyingParty
    key_prefix: str


@dataclass(frozen=True)
class RotatedKey:
    """What a key rotation made, read in its transaction: the relying party as of the rotation (its
    ``updated_at`` is the rotation's time), the new API key in plaintext (shown once, never stored)
    and that key's non-secret prefix (:func:`api_key_prefix`)."""

    relying_party: RelyingParty
    api_key: str
    key_prefix: str


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


def _row_to_rp(row: RowMapping | Mapping[str, Any], fingerprints: Sequence[str]) -> RelyingParty:
    return RelyingParty(
        id=row["id"],
        display_name=LocalizedText(row["display_name_en"], row["display_name_th"]),
        policy_ids=tuple(row["policy_ids"]),
        active=row["active"],
        created_at=row["created_at"],
        # NULL only in a row written by a version from before migration 0005 (running beside this one)
        updated_at=row["updated_at"] or row["revoked_at"] or row["created_at"],
        certificate_fingerprints=tuple(sorted(fingerprints)),
        revoked_at=row["revoked_at"],
        rate_per_s=row["rate_per_s"],
        burst=row["burst"],
    )


def _certificates_of(conn: Connection, rp_ids: Sequence[str]) -> dict[str, list[str]]:
    query = select(rp_certificates.c.rp_id, rp_certificates.c.fingerprint).where(
        rp_certificates.c.rp_id.in_(rp_ids)
    )
    found: dict[str, list[str]] = {i: [] for i in rp_ids}
    for row in conn.execute(query):
        found[row.rp_id].append(row.fingerprint)
    return found


def _certificate_rows(rp_id: str, fingerprints: Sequence[str], now: datetime) -> list[dict[str, Any]]:
    return [{"fingerprint": f, "rp_id": rp_id, "created_at": now} for f in fingerprints]


def _bump_revision(conn: Connection) -> None:
    """Move the registry's revision (in the caller's transaction): other processes drop their caches."""
    conn.execute(update(registry_revision).values(revision=registry_revision.c.revision + 1))


def _read_revision(conn: Connection) -> int:
    return int(conn.execute(select(registry_revision.c.revision)).scalar_one())


def _lock_active(conn: Connection, rp_id: str) -> None:
    """In the caller's write transaction: NOT_FOUND for an unknown relying party, INVALID_STATE for a
    revoked one. An active one's row stays locked until the transaction ends (PostgreSQL; SQLite's
    write transaction holds the whole database), so it cannot be revoked meanwhile."""
    query = select(relying_parties.c.active).where(relying_parties.c.id == rp_id).with_for_update()
    active = conn.execute(query).scalar_one_or_none()
    if active is None:
        raise DomainError(DomainErrorCode.NOT_FOUND, f"no relying party {rp_id!r}")
    if not active:
        raise DomainError(
            DomainErrorCode.INVALID_STATE,
            f"relying party {rp_id!r} is revoked",
            {"resource_type": "RelyingParty", "resource_id": rp_id, "state": "RELYING_PARTY_STATE_REVOKED"},
        )


def _key_prefix(key_id: str) -> str:
    """A short, non-secret prefix of an API key ("crp1.ab12cd34")."""
    return f"crp1.{key_id[:8]}"


def api_key_prefix(api_key: str) -> str:
    """The non-secret prefix of a plaintext API key, as :class:`Registered` shows it
    (RP_UNAUTHENTICATED if ``api_key`` is not one)."""
    return _key_prefix(parse_api_key(api_key).key_id)


def _key_prefixes(conn: Connection, now: datetime, rp_id: str | None = None) -> dict[str, str]:
    """In the caller's transaction: each relying party's newest usable key's prefix (one's, given
    ``rp_id``); a relying party without a usable key is absent."""
    query = select(api_keys.c.rp_id, api_keys.c.key_id).where(_usable_key(now))
    if rp_id is not None:
        query = query.where(api_keys.c.rp_id == rp_id)
    rows = conn.execute(query.order_by(api_keys.c.created_at, api_keys.c.key_id))
    return {row.rp_id: _key_prefix(row.key_id) for row in rows}


def _name_values(name: LocalizedText | NameChange) -> dict[str, object]:
    """The display-name columns to set: each language given (a LocalizedText gives both). The other
    one is left to the row, so it keeps what is stored when the update is written. FIELD_INVALID for
    a blank English name."""
    if name.en is not None:
        _check_english_name(name.en)
    given = {"display_name_en": name.en, "display_name_th": name.th}
    return {column: text for column, text in given.items() if text is not None}


def _usable_key(now: datetime) -> Any:
    """Keys neither revoked nor past the end of their grace period."""
    return (api_keys.c.revoked_at.is_(None)) & or_(
        api_keys.c.expires_at.is_(None), api_keys.c.expires_at > now
    )


class RelyingPartyRegistry:
    """Relying parties, their API keys and client certificates in the verifier's database."""

    def __init__(
        self,
        engine: Engine,
        policies: PolicySet,
        clock: Callable[[], datetime] = utc_now,
        *,
        auth_recheck_seconds: float = DEFAULT_AUTH_RECHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._policies = policies
        self._clock = clock
        self._auth_cache = AuthCache(auth_recheck_seconds, monotonic)

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
            "created_at": now,
            "updated_at": now,
            "revoked_at": None,
            "rate_per_s": spec.rate_per_s,
            "burst": spec.burst,
        }
        try:
            with write(self._engine) as conn:
                conn.execute(insert(relying_parties).values(row))
                conn.execute(insert(api_keys).values(self._key_row(spec.id, key, now)))
                if spec.certificate_fingerprints:
                    rows = _certificate_rows(spec.id, spec.certificate_fingerprints, now)
                    conn.execute(insert(rp_certificates), rows)
        except IntegrityError as exc:
            raise DomainError(
                DomainErrorCode.ALREADY_EXISTS,
                f"relying party {spec.id!r} (or one of its certificates) is already registered",
            ) from exc
        return _row_to_rp(row, spec.certificate_fingerprints), key.plaintext

    def list_rps(self) -> list[RelyingParty]:
        with read(self._engine) as conn:
            return self._list(conn)

    def _list(self, conn: Connection) -> list[RelyingParty]:
        rows = list(conn.execute(select(relying_parties).order_by(relying_parties.c.id)).mappings())
        certificates = _certificates_of(conn, [r["id"] for r in rows])
        return [_row_to_rp(r, certificates[r["id"]]) for r in rows]

    def get(self, rp_id: str) -> RelyingParty:
        with read(self._engine) as conn:
            return self._get(conn, rp_id)

    def describe(self, rp_id: str) -> Registered:
        """The relying party with its key prefix, read together; NOT_FOUND for an unknown one."""
        with read(self._engine) as conn:
            return self._described(conn, rp_id)

    def describe_all(self) -> list[Registered]:
        """Every relying party (revoked ones too, by id) with its key prefix, read together."""
        with read(self._engine) as conn:
            every = self._list(conn)
            prefixes = _key_prefixes(conn, self._clock())
        return [Registered(rp, prefixes.get(rp.id, "")) for rp in every]

    def _get(self, conn: Connection, rp_id: str) -> RelyingParty:
        query = select(relying_parties).where(relying_parties.c.id == rp_id)
        row = conn.execute(query).mappings().first()
        if row is None:
            raise DomainError(DomainErrorCode.NOT_FOUND, f"no relying party {rp_id!r}")
        return _row_to_rp(row, _certificates_of(conn, [rp_id])[rp_id])

    def _described(self, conn: Connection, rp_id: str) -> Registered:
        rp = self._get(conn, rp_id)
        return Registered(rp, _key_prefixes(conn, self._clock(), rp_id).get(rp_id, ""))

    def update_rp(
        self,
        rp_id: str,
        *,
        display_name: LocalizedText | NameChange | None = None,
        policy_ids: tuple[str, ...] | None = None,
        certificate_fingerprints: tuple[str, ...] | None = None,
        rate_limit: tuple[float | None, float | None] | None = None,
    ) -> Registered:
        """Change what is given (None: leave it); the certificates given replace all earlier ones.
        Answers the relying party as the change left it, with its key prefix.

        ``display_name``: a LocalizedText sets both languages, a NameChange those it gives (the other
        keeps what the row holds when this transaction writes it, not what a caller read before).
        ``rate_limit``: ``(rate_per_s, burst)`` of its own, or ``(None, None)`` for the server's defaults.
        Anything given (even unchanged values) moves ``updated_at`` to now. Nothing given, or invalid
        values, are refused first (FIELD_INVALID), then an unknown relying party (NOT_FOUND) or a
        revoked one (INVALID_STATE), changing nothing."""
        given = (display_name, policy_ids, certificate_fingerprints, rate_limit)
        if all(change is None for change in given):
            raise DomainError(DomainErrorCode.FIELD_INVALID, "nothing to change: give at least one field")
        now = self._clock()
        values: dict[str, object] = {}
        if display_name is not None:
            values |= _name_values(display_name)
        if policy_ids is not None:
            self._check_policies(policy_ids)
            values["policy_ids"] = list(policy_ids)
        if rate_limit is not None:
            check_rate_limit(*rate_limit)
            values |= {"rate_per_s": rate_limit[0], "burst": rate_limit[1]}
        if certificate_fingerprints is not None:
            _check_certificates(certificate_fingerprints)
        values["updated_at"] = now
        try:
            with write(self._engine) as conn:
                _lock_active(conn, rp_id)  # before the certificates: an unknown id is no foreign-key clash
                _bump_revision(conn)
                conn.execute(update(relying_parties).where(relying_parties.c.id == rp_id).values(**values))
                if certificate_fingerprints is not None:
                    conn.execute(delete(rp_certificates).where(rp_certificates.c.rp_id == rp_id))
                    rows = _certificate_rows(rp_id, certificate_fingerprints, now)
                    if rows:
                        conn.execute(insert(rp_certificates), rows)
                return self._described(conn, rp_id)
        except IntegrityError as exc:
            raise DomainError(
                DomainErrorCode.ALREADY_EXISTS, "a certificate is already registered to another relying party"
            ) from exc
        finally:
            self._auth_cache.invalidate()

    def revoke_rp(self, rp_id: str) -> Registered:
        """Revoke the relying party and all its keys; its calls fail from now on. Answers it as
        revoked (its key prefix "": no key is usable).

        NOT_FOUND for an unknown relying party, INVALID_STATE for one revoked already."""
        now = self._clock()
        with write(self._engine) as conn:
            _lock_active(conn, rp_id)
            _bump_revision(conn)
            conn.execute(
                update(relying_parties)
                .where(relying_parties.c.id == rp_id)
                .values(active=False, revoked_at=now, updated_at=now)
            )
            conn.execute(
                update(api_keys)
                .where(api_keys.c.rp_id == rp_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            revoked = self._described(conn, rp_id)
        self._auth_cache.invalidate()
        return revoked

    def rotate_key(self, rp_id: str, grace: timedelta = timedelta(0)) -> RotatedKey:
        """A new API key for an active relying party, with the relying party as of the rotation.

        The previous keys stop at once (``grace`` zero) or at the end of ``grace`` (at most 30 days;
        a key already expiring sooner keeps its earlier end). NOT_FOUND for an unknown relying party,
        INVALID_STATE for a revoked one."""
        if not timedelta(0) <= grace <= MAX_GRACE:
            raise DomainError(
                DomainErrorCode.FIELD_INVALID,
                f"the grace period must be between 0 and {MAX_GRACE.days} days",
                {"field": "grace_period"},
            )
        now = self._clock()
        key = new_api_key()
        with write(self._engine) as conn:
            _lock_active(conn, rp_id)
            conn.execute(update(relying_parties).where(relying_parties.c.id == rp_id).values(updated_at=now))
            previous = (api_keys.c.rp_id == rp_id) & api_keys.c.revoked_at.is_(None)
            if grace:
                end = now + grace
                conn.execute(
                    update(api_keys)
                    .where(previous, or_(api_keys.c.expires_at.is_(None), api_keys.c.expires_at > end))
                    .values(expires_at=end)
                )
            else:
                conn.execute(update(api_keys).where(previous).values(revoked_at=now))
            conn.execute(insert(api_keys).values(self._key_row(rp_id, key, now)))
            _bump_revision(conn)
            rotated = self._get(conn, rp_id)
        self._auth_cache.invalidate()
        return RotatedKey(rotated, key.plaintext, _key_prefix(key.key_id))

    def authenticate_cached(self, api_key: str) -> RelyingParty | None:
        """The relying party if ``api_key`` authenticated recently and nothing changed since; no I/O.

        None: ask :meth:`authenticate` (which reads the database). RP_UNAUTHENTICATED if malformed."""
        return self._cached(parse_api_key(api_key))

    def _cached(self, key: ApiKey) -> RelyingParty | None:
        entry = self._auth_cache.get(key.key_id)
        if entry is None or not secret_matches(key, entry.secret_sha256):
            return None
        if entry.expires_at is not None and entry.expires_at <= self._clock():
            return None
        return entry.rp

    def authenticate(self, api_key: str) -> RelyingParty:
        """The active relying party owning ``api_key``; RP_UNAUTHENTICATED otherwise."""
        key = parse_api_key(api_key)
        cached = self._cached(key)
        if cached is not None:
            return cached
        query = (
            select(api_keys.c.secret_sha256, api_keys.c.expires_at, relying_parties)
            .join(relying_parties, relying_parties.c.id == api_keys.c.rp_id)
            .where(
                api_keys.c.key_id == key.key_id,
                _usable_key(self._clock()),
                relying_parties.c.active.is_(True),
            )
        )
        with read(self._engine) as conn:
            generation = self._auth_cache.observe(_read_revision(conn))
            row = conn.execute(query).mappings().first()
            if not secret_matches(key, None if row is None else row["secret_sha256"]) or row is None:
                raise unauthenticated()
            rp = _row_to_rp(row, _certificates_of(conn, [row["id"]])[row["id"]])
        entry = CachedKey(row["secret_sha256"], row["expires_at"], rp)
        self._auth_cache.put(key.key_id, entry, generation)
        return rp

    def authenticate_certificate(self, der: bytes) -> RelyingParty:
        """The active relying party registered with this client certificate (mTLS)."""
        query = (
            select(relying_parties.c.id)
            .join(rp_certificates, rp_certificates.c.rp_id == relying_parties.c.id)
            .where(rp_certificates.c.fingerprint == certificate_fingerprint(der))
            .where(relying_parties.c.active.is_(True))
        )
        with read(self._engine) as conn:
            rp_id = conn.execute(query).scalar_one_or_none()
            if rp_id is None:
                raise unauthenticated()
            return self._get(conn, rp_id)

    def _check_spec(self, spec: RelyingPartySpec) -> None:
        if not RP_ID.match(spec.id):
            raise DomainError(
                DomainErrorCode.FIELD_INVALID, f"{spec.id!r} is not a relying-party id", {"field": "id"}
            )
        _check_english_name(spec.display_name.en)
        self._check_policies(spec.policy_ids)
        _check_certificates(spec.certificate_fingerprints)
        check_rate_limit(spec.rate_per_s, spec.burst)

    def _check_policies(self, policy_ids: Sequence[str]) -> None:
        unknown = [p for p in policy_ids if self._policies.get(p) is None]
        if unknown or not policy_ids:
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
            "expires_at": None,
        }


def _check_english_name(en: str) -> None:
    """The English name is what a citizen's wallet shows when the Thai one is missing: never blank."""
    if not en.strip():
        raise DomainError(
            DomainErrorCode.FIELD_INVALID, "display_name.en is required", {"field": "display_name.en"}
        )


def _check_certificates(fingerprints: Sequence[str]) -> None:
    if len(fingerprints) > MAX_CERTIFICATES or len(set(fingerprints)) != len(fingerprints):
        raise DomainError(
            DomainErrorCode.FIELD_INVALID,
            f"at most {MAX_CERTIFICATES} different certificate fingerprints",
            {"field": "certificate_fingerprints"},
        )
