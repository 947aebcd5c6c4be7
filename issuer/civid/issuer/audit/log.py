"""The append-only, hash-chained audit log of officer and admin actions.

Each entry records who (``actor``), what (``action``), on whom (``subject``), when (``at``), why
(``reason``) and ``details``; ``hash`` is SHA-256 over the JCS (RFC 8785) encoding of all of these plus
``seq`` and ``prev_hash``, so editing, deleting or reordering an entry breaks the chain. The ``audit_head``
row holds the last ``(seq, hash)``: appends lock it (``SELECT ... FOR UPDATE`` on PostgreSQL, the write
lock of ``BEGIN IMMEDIATE`` on SQLite), so concurrent appenders — threads or processes — never fork the
chain, and a deleted tail is detected.

Personal data: a citizen is named by a keyed pseudonym, ``citizen:<HMAC-SHA256(pepper, national ID)>``
(:meth:`AuditLog.citizen`), never by ID or name. The log proves on whom an action was taken to anyone
who holds the pepper (the issuer, an auditor it appoints), yet an exported log reveals nobody; details
must carry record ids (credential, request, house code), not personal data. Officers, credentials,
houses and requests are named as ``officer:<id>``, ``credential:<id>``, ``house:<code>``, ``request:<id>``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, Engine, select, update

from civid.core.jcs import canonicalize
from civid.issuer.storage.common import Clock, insert_ignore
from civid.issuer.storage.schema import audit_head, audit_log
from civid.service.db.tx import joined, read

GENESIS_HASH: Final = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""


def entry_hash(entry: AuditEntry) -> str:
    """The SHA-256 (hex) an entry must carry, over everything but the hash itself."""
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "reason": entry.reason,
        "details": dict(entry.details),
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(canonicalize(body)).hexdigest()


class AuditLog:
    """Appends to the log. ``pseudonym`` maps a national ID to its keyed pseudonym."""

    def __init__(self, engine: Engine, clock: Clock, pseudonym: Callable[[str], str]) -> None:
        self._engine = engine
        self._clock = clock
        self._pseudonym = pseudonym

    def citizen(self, national_id: str) -> str:
        """How a citizen is named as a subject: ``citizen:<pseudonym>``."""
        return f"citizen:{self._pseudonym(national_id)}"

    def append(
        self,
        actor: str,
        action: str,
        subject: str,
        reason: str,
        details: Mapping[str, Any] | None = None,
        conn: Connection | None = None,
    ) -> AuditEntry:
        """Append one entry; pass ``conn`` to make it part of the action's own transaction."""
        with joined(self._engine, conn) as c:
            head_seq, head_hash = self._lock_head(c)
            entry = AuditEntry(
                seq=head_seq + 1,
                at=self._clock().astimezone(UTC),
                actor=actor,
                action=action,
                subject=subject,
                reason=reason,
                details=dict(details or {}),
                prev_hash=head_hash,
            )
            entry = AuditEntry(**{**entry.__dict__, "hash": entry_hash(entry)})
            c.execute(audit_log.insert().values(**_row(entry)))
            c.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=entry.seq, hash=entry.hash))
        return entry

    def entries(self, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """The newest entries first, optionally only those about ``subject``."""
        query = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
        if subject is not None:
            query = query.where(audit_log.c.subject == subject)
        with read(self._engine) as conn:
            return [entry_from_row(r._mapping) for r in conn.execute(query)]

    @staticmethod
    def _lock_head(conn: Connection) -> tuple[int, str]:
        locked = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
        row = conn.execute(locked).first()
        if row is None:
            insert_ignore(conn, audit_head, {"id": 1, "seq": 0, "hash": GENESIS_HASH})
            row = conn.execute(locked).one()
        return int(row.seq), str(row.hash)


def _row(entry: AuditEntry) -> dict[str, Any]:
    return entry.__dict__ | {"details": json.dumps(dict(entry.details), sort_keys=True, ensure_ascii=False)}


def entry_from_row(m: Any) -> AuditEntry:
    return AuditEntry(
        seq=int(m["seq"]),
        at=m["at"],
        actor=m["actor"],
        action=m["action"],
        subject=m["subject"],
        reason=m["reason"],
        details=json.loads(m["details"]),
        prev_hash=m["prev_hash"],
        hash=m["hash"],
    )
