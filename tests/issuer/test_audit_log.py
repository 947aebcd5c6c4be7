import itertools
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import update

from civid.issuer.audit import AuditEntry, verify_audit_log
from civid.issuer.storage import Store
from civid.issuer.storage.schema import audit_log


def fill(store: Store, n: int) -> list[AuditEntry]:
    return [
        store.audit.append(
            "officer:o1", "credential.revoke", f"credential:urn:uuid:{i}", "lost phone", {"n": i}
        )
        for i in range(1, n + 1)
    ]


def test_an_untouched_log_verifies(store: Store) -> None:
    entries = fill(store, 5)
    report = verify_audit_log(store)
    assert report.ok and report.entries_checked == 5
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))


def test_empty_log_verifies(store: Store) -> None:
    assert verify_audit_log(store).ok


def test_edited_entry_is_detected_at_its_seq(store: Store) -> None:
    fill(store, 5)
    with store.write() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(reason="routine"))
    report = verify_audit_log(store)
    assert (report.ok, report.first_bad_seq) == (False, 3)
    assert "altered" in report.problem


def test_edited_details_are_detected(store: Store) -> None:
    fill(store, 3)
    with store.write() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(details='{"n": 99}'))
    assert verify_audit_log(store).first_bad_seq == 2


def test_deleted_entry_is_detected(store: Store) -> None:
    fill(store, 5)
    with store.write() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 2))
    report = verify_audit_log(store)
    assert (report.ok, report.first_bad_seq) == (False, 2)
    assert "missing" in report.problem


def test_deleted_last_entry_is_detected(store: Store) -> None:
    fill(store, 4)
    with store.write() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 4))
    assert verify_audit_log(store).first_bad_seq == 4


def test_deleted_entry_with_renumbered_successors_is_detected(store: Store) -> None:
    fill(store, 4)
    with store.write() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 2))
        for seq in (3, 4):
            conn.execute(update(audit_log).where(audit_log.c.seq == seq).values(seq=seq - 1))
    assert verify_audit_log(store).first_bad_seq == 2


def test_reordered_entries_are_detected(store: Store) -> None:
    fill(store, 5)
    with store.write() as conn:  # swap entries 2 and 4 by renumbering them
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(seq=1000))
        conn.execute(update(audit_log).where(audit_log.c.seq == 4).values(seq=2))
        conn.execute(update(audit_log).where(audit_log.c.seq == 1000).values(seq=4))
    report = verify_audit_log(store)
    assert (report.ok, report.first_bad_seq) == (False, 2)


def test_citizens_are_named_by_pseudonym_not_by_id(store: Store) -> None:
    subject = store.audit.citizen("1103702071811")
    entry = store.audit.append("officer:o1", "enrollment.unlock", subject, "visited the office")
    assert "1103702071811" not in entry.subject and entry.subject.startswith("citizen:")
    assert store.audit.entries(subject=subject) == [entry]


APPENDER = textwrap.dedent(
    """
    import sys
    from civid.issuer.storage import open_store
    store = open_store(sys.argv[1])
    for i in range(int(sys.argv[3])):
        store.audit.append(sys.argv[2], "test.append", f"request:{i}", "concurrency")
    store.close()
    """
)


@pytest.mark.slow
def test_concurrent_appends_from_two_processes_never_fork_the_chain(store: Store, database_url: str) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", APPENDER, database_url, f"process:{p}", "30"])
        for p in ("a", "b")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]

    report = verify_audit_log(store)
    assert report.ok, report.problem
    assert report.entries_checked == 60
    actors = {e.actor for e in store.audit.entries(limit=60)}
    assert actors == {"process:a", "process:b"}
