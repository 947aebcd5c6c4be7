"""The issuer's append-only, hash-chained audit log (who did what, on whom, when, why)."""

from civid.issuer.audit.log import GENESIS_HASH, AuditEntry, AuditLog, entry_hash
from civid.issuer.audit.verify import AuditReport, verify_audit_log

__all__ = ["GENESIS_HASH", "AuditEntry", "AuditLog", "AuditReport", "entry_hash", "verify_audit_log"]
