"""``open_store(database_url | data_dir) -> Store``: the issuer's storage, migrated and ready.

A :class:`Store` bundles one repository per table group over one engine. Repository methods that
write accept ``conn=`` to join a transaction opened with :meth:`Store.write`, so a change and its
audit entry (or a credential and its idempotency record) commit together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection, Engine, select

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage.address_changes import AddressChangeRepository
from civid.issuer.storage.appointments import AppointmentRepository
from civid.issuer.storage.certified_copies import CertifiedCopyRepository
from civid.issuer.storage.citizens import CitizenRepository, HouseRepository
from civid.issuer.storage.common import Clock, insert_ignore, utcnow
from civid.issuer.storage.credentials import CredentialRepository
from civid.issuer.storage.engine import make_engine
from civid.issuer.storage.enrollments import AttemptRepository, EnrollmentRepository
from civid.issuer.storage.house_numbers import HouseNumberApplicationRepository
from civid.issuer.storage.idempotency import IdempotencyRepository
from civid.issuer.storage.migrate import migrate
from civid.issuer.storage.officers import IssuerKeyRepository, OfficerRepository
from civid.issuer.storage.schema import settings
from civid.issuer.storage.status_lists import StatusListRepository, StatusPurpose
from civid.service.db.group import GroupCommit
from civid.service.db.tx import read, write

if TYPE_CHECKING:
    from civid.issuer.audit.log import AuditLog

PEPPER_SETTING: Final = "pseudonym_pepper"


@dataclass(frozen=True)
class Store:
    engine: Engine
    pepper: bytes
    citizens: CitizenRepository
    houses: HouseRepository
    enrollments: EnrollmentRepository
    attempts: AttemptRepository
    credentials: CredentialRepository
    status_lists: StatusListRepository
    idempotency: IdempotencyRepository
    officers: OfficerRepository
    issuer_keys: IssuerKeyRepository
    address_changes: AddressChangeRepository
    house_numbers: HouseNumberApplicationRepository
    appointments: AppointmentRepository
    certified_copies: CertifiedCopyRepository
    audit: AuditLog
    group: GroupCommit

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One read-write transaction for several repository calls (pass ``conn=``)."""
        with write(self.engine) as conn:
            yield conn

    def write_together(self) -> AbstractContextManager[Connection]:
        """Like :meth:`write`, but committed together with other threads' (one commit, one WAL flush,
        for a batch: :mod:`civid.service.db.group`); returns once committed. Issuances use it."""
        return self.group.write()

    def subject_key(self, national_id: str) -> str:
        """Keyed pseudonym of a (claimed) national ID: for attempt counters and audit subjects."""
        return pseudonym(self.pepper, national_id)

    def set_status(
        self,
        credential_id: str,
        purpose: StatusPurpose,
        value: bool,
        reason: str,
        conn: Connection | None = None,
    ) -> None:
        """Revoke, suspend or reinstate: the list bit and the credential's flag change together."""
        with self._joined(conn) as c:
            record = self.credentials.require(credential_id, c)
            ref = record.revocation if purpose is StatusPurpose.REVOCATION else record.suspension
            if ref is None:
                raise CividError(ErrorCode.STATUS_LIST_NOT_FOUND, f"credential has no {purpose.value} entry")
            self.status_lists.set_bit(ref.list_id, ref.index, value, c)
            flag = {"revoked": value} if purpose is StatusPurpose.REVOCATION else {"suspended": value}
            self.credentials.set_flags(credential_id, reason=reason, conn=c, **flag)

    @contextmanager
    def _joined(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with self.write() as own:
                yield own

    def close(self) -> None:
        self.engine.dispose()


def open_store(
    target: str | Path,
    *,
    template_key: bytes | None = None,
    pepper: bytes | None = None,
    clock: Clock = utcnow,
    run_migrations: bool = True,
) -> Store:
    """Open (and by default migrate) the store at a database URL or a data directory.

    ``target`` is ``postgresql://...`` / ``postgresql+psycopg://...`` / ``sqlite:///file`` or a
    directory, which gets ``issuer.db`` (SQLite). ``template_key`` (32 bytes) seals face templates.
    ``pepper`` keys the pseudonyms of national IDs; by default one is generated once and kept in the
    database's ``settings`` table.
    """
    from civid.issuer.audit.log import AuditLog  # the audit package builds on this one

    engine = make_engine(target)
    if run_migrations:
        migrate(engine)
    pepper = pepper if pepper is not None else _stored_pepper(engine)
    group = GroupCommit(engine)
    return Store(
        engine=engine,
        pepper=pepper,
        citizens=CitizenRepository(engine, clock, template_key),
        houses=HouseRepository(engine, clock),
        enrollments=EnrollmentRepository(engine, clock),
        attempts=AttemptRepository(engine, clock),
        credentials=CredentialRepository(engine, clock),
        status_lists=StatusListRepository(engine, clock),
        idempotency=IdempotencyRepository(engine, clock, group),
        officers=OfficerRepository(engine, clock),
        issuer_keys=IssuerKeyRepository(engine, clock),
        address_changes=AddressChangeRepository(engine, clock),
        house_numbers=HouseNumberApplicationRepository(engine, clock),
        appointments=AppointmentRepository(engine, clock),
        certified_copies=CertifiedCopyRepository(engine, clock),
        audit=AuditLog(engine, clock, partial(pseudonym, pepper)),
        group=group,
    )


def pseudonym(pepper: bytes, national_id: str) -> str:
    """HMAC-SHA256 of a national ID under the store's pepper (hex)."""
    return hmac.new(pepper, national_id.encode("utf-8"), hashlib.sha256).hexdigest()


def _stored_pepper(engine: Engine) -> bytes:
    query = select(settings.c.value).where(settings.c.name == PEPPER_SETTING)
    with read(engine) as conn:
        found = conn.execute(query).scalar()
    if found is not None:
        return bytes(found)
    with write(engine) as conn:
        insert_ignore(conn, settings, {"name": PEPPER_SETTING, "value": secrets.token_bytes(32)})
        return bytes(conn.execute(query).scalar_one())
