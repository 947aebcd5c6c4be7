"""Check the audit log's hash chain end to end: ``verify_audit_log(store)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine, select

from civid.issuer.audit.log import GENESIS_HASH, entry_from_row, entry_hash
from civid.issuer.storage.schema import audit_head, audit_log
from civid.service.db.tx import read


class HasEngine(Protocol):
    @property
    def engine(self) -> Engine: ...


@dataclass(frozen=True)
class AuditReport:
    """``ok`` when every entry is intact, in order and none is missing; else the first bad ``seq``."""

    entries_checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def verify_audit_log(source: HasEngine | Engine) -> AuditReport:
    """Recompute every hash and link; report the first entry that was edited, deleted or moved."""
    engine = source if isinstance(source, Engine) else source.engine
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    with read(engine) as conn:
        rows = conn.execution_options(yield_per=1000).execute(select(audit_log).order_by(audit_log.c.seq))
        for row in rows:
            entry = entry_from_row(row._mapping)
            if entry.seq != expected_seq:
                return AuditReport(checked, expected_seq, f"entry {expected_seq} is missing")
            if entry.prev_hash != prev_hash:
                return AuditReport(
                    checked, entry.seq, f"entry {entry.seq} does not follow entry {entry.seq - 1}"
                )
            if entry_hash(entry) != entry.hash:
                return AuditReport(
                    checked, entry.seq, f"entry {entry.seq} was altered (its hash does not match)"
                )
            expected_seq, prev_hash, checked = expected_seq + 1, entry.hash, checked + 1
        head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
    last_seq = expected_seq - 1
    head_seq, head_hash = (0, GENESIS_HASH) if head is None else (int(head.seq), str(head.hash))
    if (head_seq, head_hash) != (last_seq, prev_hash):
        problem = f"the log ends at entry {last_seq} but its head records entry {head_seq}"
        return AuditReport(checked, min(head_seq, last_seq) + 1, problem)
    return AuditReport(checked)
