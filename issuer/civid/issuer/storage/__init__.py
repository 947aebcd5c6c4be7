"""The issuer's storage: SQLite (WAL, default) or PostgreSQL through one SQLAlchemy Core code path.

Start with :func:`open_store`; the schema lives in :mod:`.schema` and is created by Alembic
migrations (:func:`migrate`) shipped in this package.
"""

from civid.issuer.storage.address_changes import AddressChangeRequest, AddressChangeState
from civid.issuer.storage.appointments import Appointment, AppointmentState, Slot
from civid.issuer.storage.certified_copies import CertifiedCopy, CopyKind
from civid.issuer.storage.credentials import CredentialRecord, CredentialState, StatusRef
from civid.issuer.storage.engine import database_url, make_engine
from civid.issuer.storage.enrollments import AttemptState, Enrollment, EnrollmentState
from civid.issuer.storage.house_numbers import ApplicationState, HouseNumberApplication
from civid.issuer.storage.idempotency import IdempotentResult, request_hash
from civid.issuer.storage.migrate import current_revision, head_revision, migrate
from civid.issuer.storage.officers import IssuerKey, Officer
from civid.issuer.storage.status_lists import DEFAULT_SIZE, StatusListRecord, StatusPurpose
from civid.issuer.storage.store import Store, open_store, pseudonym
from civid.service.db.tx import read, write

__all__ = [
    "DEFAULT_SIZE",
    "AddressChangeRequest",
    "AddressChangeState",
    "ApplicationState",
    "Appointment",
    "AppointmentState",
    "AttemptState",
    "CertifiedCopy",
    "CopyKind",
    "CredentialRecord",
    "CredentialState",
    "Enrollment",
    "EnrollmentState",
    "HouseNumberApplication",
    "IdempotentResult",
    "IssuerKey",
    "Officer",
    "Slot",
    "StatusListRecord",
    "StatusPurpose",
    "StatusRef",
    "Store",
    "current_revision",
    "database_url",
    "head_revision",
    "make_engine",
    "migrate",
    "open_store",
    "pseudonym",
    "read",
    "request_hash",
    "write",
]
