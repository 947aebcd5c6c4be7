"""Wrong-PIN delays and lockout, counted in a small unencrypted side file.

The counter cannot live inside the encrypted store (reading the store needs the PIN), so it is a JSON
file beside it, replaced atomically. A guess is counted *before* the key is derived and the count is
reset only after the PIN proved right, so killing the program mid-attempt never yields a free guess.
After ``free_attempts`` failures each further failure doubles the wait (0, 0, 1, 2, 4 … s by default);
at ``max_failures`` the store locks for ``lock_duration``; after that, every further failure locks it
again. Delays are enforced by refusing attempts before ``retry_after``, never by sleeping. Nothing is
ever wiped.

What this does and does not protect (someone who can read and write the store directory):

* A missing, unreadable or inconsistent counter file fails closed: the store is locked for
  ``lock_duration`` from the moment it is noticed. Deleting or garbling the file never unlocks early.
* A counter time in the future (the clock was set back, or the file was edited) is pulled back to now,
  so the wait is never shorter than from now.
* Replacing the file with an older copy, or one written by hand with a consistent zero count, cannot be
  detected: a file without a secret cannot be authenticated, and any secret readable without the PIN
  is readable by the attacker too. Setting the system clock forward likewise ends waits early.
* Anyone holding a copy of the store file can guess PINs offline, out of reach of any counter: the only
  defence there is the Argon2id cost of each of the 10^6 PINs. The lockout limits guesses made through
  this program (for instance at an unattended terminal); it is not a substitute for disk encryption.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from civid.wallet.store.atomic import atomic_write

Clock = Callable[[], datetime]
_VERSION: Final = 1


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LockoutPolicy:
    """How long wrong PINs make the citizen wait."""

    free_attempts: int = 2
    first_delay: timedelta = timedelta(seconds=1)
    max_failures: int = 10
    lock_duration: timedelta = timedelta(hours=4)

    def delay_after(self, failures: int) -> timedelta:
        """The wait after ``failures`` consecutive wrong PINs (below the lock)."""
        if failures <= self.free_attempts:
            return timedelta(0)
        return self.first_delay * (1 << (failures - self.free_attempts - 1))


DEFAULT_POLICY: Final = LockoutPolicy()


@dataclass(frozen=True)
class PinStatus:
    """What the PIN screen shows before asking: attempts left and when the next one is accepted."""

    failures: int
    attempts_left: int
    retry_after: datetime | None
    locked_until: datetime | None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def waiting_at(self, now: datetime) -> bool:
        return self.retry_after is not None and now < self.retry_after


@dataclass(frozen=True)
class AttemptRecord:
    """Consecutive wrong PINs and the time of the last one."""

    failures: int = 0
    last_failure_at: datetime | None = None

    def status(self, policy: LockoutPolicy) -> PinStatus:
        left = max(policy.max_failures - self.failures, 0)
        if self.last_failure_at is None or self.failures == 0:
            return PinStatus(self.failures, left, None, None)
        if self.failures >= policy.max_failures:
            until = self.last_failure_at + policy.lock_duration
            return PinStatus(self.failures, 0, until, until)
        return PinStatus(self.failures, left, self.last_failure_at + policy.delay_after(self.failures), None)

    def failed_at(self, now: datetime) -> AttemptRecord:
        return AttemptRecord(self.failures + 1, now)


class AttemptsFile:
    """The side file holding the :class:`AttemptRecord`; callers hold the store lock around use."""

    def __init__(self, path: Path, policy: LockoutPolicy) -> None:
        self.path = path
        self.policy = policy

    def read(self, now: datetime) -> AttemptRecord:
        """The record, failing closed (a fresh full lock, written back) when the file is not sound."""
        try:
            record = _decode(self.path.read_bytes())
        except (OSError, ValueError, TypeError, KeyError):
            record = AttemptRecord(max(self.policy.max_failures, 1), now)
            self.write(record)
            return record
        if record.last_failure_at is not None and record.last_failure_at > now:
            record = AttemptRecord(record.failures, now)
            self.write(record)
        return record

    def write(self, record: AttemptRecord) -> None:
        atomic_write(self.path, _encode(record))

    def reset(self) -> None:
        self.write(AttemptRecord())


def _encode(record: AttemptRecord) -> bytes:
    last = record.last_failure_at.isoformat() if record.last_failure_at else None
    doc = {"version": _VERSION, "failures": record.failures, "lastFailureAt": last}
    return json.dumps(doc).encode("utf-8")


def _decode(data: bytes) -> AttemptRecord:
    doc: Any = json.loads(data)
    if not isinstance(doc, dict) or set(doc) != {"version", "failures", "lastFailureAt"}:
        raise ValueError("unexpected fields")
    failures, last = doc["failures"], doc["lastFailureAt"]
    if doc["version"] != _VERSION or type(failures) is not int or failures < 0:
        raise ValueError("bad version or count")
    if last is None:
        if failures != 0:
            raise ValueError("failures without a time")
        return AttemptRecord()
    moment = datetime.fromisoformat(last)
    if moment.tzinfo is None:
        raise ValueError("naive time")
    return AttemptRecord(failures, moment)
