"""PIN rules, wrong-PIN delays, lockout, and a counter file that cannot be tampered open."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.wallet.store.attempts import LockoutPolicy
from civid.wallet.store.container import Container
from civid.wallet.store.errors import InvalidPin, PinRetryTooSoon, StoreLocked, WrongPin
from civid.wallet.store.kdf import FAST_KDF
from civid.wallet.store.layout import ATTEMPTS_FILE_NAME
from civid.wallet.store.pin import validate_backup_secret, validate_pin
from civid.wallet.store.store import EncryptedStore, pin_status

PIN = "480213"
WRONG = "480214"
POLICY = LockoutPolicy()


class Clock:
    """A hand-moved clock for this test module."""

    def __init__(self) -> None:
        self.now = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "wallet"
    EncryptedStore.create(directory, PIN, b"payload", kdf=FAST_KDF)
    return directory


@pytest.fixture
def clock() -> Clock:
    return Clock()


def fail(store_dir: Path, clock: Clock, times: int) -> None:
    """Offer a wrong PIN ``times`` times, each as soon as the delay allows."""
    for _ in range(times):
        status = pin_status(store_dir, clock=clock)
        if status.retry_after is not None and status.retry_after > clock.now:
            clock.now = status.retry_after
        with pytest.raises((WrongPin, StoreLocked)):
            EncryptedStore.unlock(store_dir, WRONG, clock=clock)


@pytest.mark.parametrize("pin", ["12345", "1234567", "12a456", "๑๒๓๔๕๖", " 48021", ""])
def test_a_pin_must_be_exactly_six_ascii_digits(pin: str) -> None:
    with pytest.raises(InvalidPin, match="exactly 6 digits"):
        validate_pin(pin)


@pytest.mark.parametrize(
    "pin", ["000000", "999999", "123456", "012345", "654321", "987654", "121212", "123123"]
)
def test_trivially_weak_pins_are_refused_with_a_clear_message(pin: str) -> None:
    with pytest.raises(InvalidPin, match="too easy to guess") as caught:
        validate_pin(pin)
    assert caught.value.code is ErrorCode.INVALID_PIN


@pytest.mark.parametrize("pin", ["480213", "902715", "135790"])
def test_ordinary_pins_are_accepted(pin: str) -> None:
    validate_pin(pin)


def test_a_store_cannot_be_created_with_a_weak_pin(tmp_path: Path) -> None:
    with pytest.raises(InvalidPin):
        EncryptedStore.create(tmp_path / "w", "123456", b"x", kdf=FAST_KDF)
    assert not EncryptedStore.exists(tmp_path / "w")


def test_a_backup_passphrase_is_a_valid_pin_or_ten_characters() -> None:
    validate_backup_secret("480213")
    validate_backup_secret("correct horse battery")
    with pytest.raises(InvalidPin):
        validate_backup_secret("short")
    with pytest.raises(InvalidPin):
        validate_backup_secret("000000")


def test_the_right_pin_opens_the_store(store_dir: Path, clock: Clock) -> None:
    assert EncryptedStore.unlock(store_dir, PIN, clock=clock).read() == b"payload"


def test_a_wrong_pin_reports_attempts_left(store_dir: Path, clock: Clock) -> None:
    with pytest.raises(WrongPin) as caught:
        EncryptedStore.unlock(store_dir, WRONG, clock=clock)
    assert caught.value.code is ErrorCode.WRONG_PIN
    assert caught.value.attempts_left == 9
    assert caught.value.retry_after == clock.now


def test_wrong_pins_bring_growing_delays(store_dir: Path, clock: Clock) -> None:
    delays = []
    for _ in range(7):
        with pytest.raises(WrongPin) as caught:
            EncryptedStore.unlock(store_dir, WRONG, clock=clock)
        delays.append((caught.value.retry_after - clock.now).total_seconds())
        clock.now = caught.value.retry_after
    assert delays == [0, 0, 1, 2, 4, 8, 16]


def test_an_attempt_before_the_delay_is_refused_without_trying_the_pin(store_dir: Path, clock: Clock) -> None:
    fail(store_dir, clock, 3)  # now 1 s to wait
    with pytest.raises(PinRetryTooSoon) as caught:
        EncryptedStore.unlock(store_dir, PIN, clock=clock)  # even the right PIN
    assert caught.value.retry_after == clock.now + timedelta(seconds=1)
    assert pin_status(store_dir, clock=clock).failures == 3  # the refused attempt was not counted
    clock.advance(seconds=1)
    assert EncryptedStore.unlock(store_dir, PIN, clock=clock).read() == b"payload"


def test_the_right_pin_resets_the_count(store_dir: Path, clock: Clock) -> None:
    fail(store_dir, clock, 4)
    clock.advance(seconds=2)
    EncryptedStore.unlock(store_dir, PIN, clock=clock)
    assert pin_status(store_dir, clock=clock).attempts_left == 10


def test_ten_wrong_pins_lock_the_store_for_hours(store_dir: Path, clock: Clock) -> None:
    fail(store_dir, clock, 9)
    clock.advance(seconds=64)
    with pytest.raises(StoreLocked) as caught:
        EncryptedStore.unlock(store_dir, WRONG, clock=clock)
    assert caught.value.locked_until == clock.now + timedelta(hours=4)
    assert "nothing has been lost" in caught.value.message
    clock.advance(hours=3, minutes=59)
    with pytest.raises(StoreLocked):
        EncryptedStore.unlock(store_dir, PIN, clock=clock)


def test_a_locked_store_opens_with_the_right_pin_after_the_lock_and_nothing_is_lost(
    store_dir: Path, clock: Clock
) -> None:
    fail(store_dir, clock, 10)
    clock.advance(hours=4)
    assert EncryptedStore.unlock(store_dir, PIN, clock=clock).read() == b"payload"


def test_a_wrong_pin_after_the_lock_locks_again_at_once(store_dir: Path, clock: Clock) -> None:
    fail(store_dir, clock, 10)
    clock.advance(hours=4)
    with pytest.raises(StoreLocked):
        EncryptedStore.unlock(store_dir, WRONG, clock=clock)
    assert pin_status(store_dir, clock=clock).locked_until == clock.now + timedelta(hours=4)


def test_the_lock_duration_is_configurable(store_dir: Path, clock: Clock) -> None:
    policy = LockoutPolicy(max_failures=3, lock_duration=timedelta(hours=24))
    for _ in range(2):
        with pytest.raises(WrongPin):
            EncryptedStore.unlock(store_dir, WRONG, policy=policy, clock=clock)
    with pytest.raises(StoreLocked) as caught:
        EncryptedStore.unlock(store_dir, WRONG, policy=policy, clock=clock)
    assert caught.value.locked_until == clock.now + timedelta(hours=24)


def test_a_pin_that_is_not_six_digits_is_refused_without_counting(store_dir: Path, clock: Clock) -> None:
    with pytest.raises(InvalidPin):
        EncryptedStore.unlock(store_dir, "12345", clock=clock)
    assert pin_status(store_dir, clock=clock).failures == 0


def test_a_deleted_counter_file_locks_instead_of_resetting(store_dir: Path, clock: Clock) -> None:
    fail(store_dir, clock, 5)
    (store_dir / ATTEMPTS_FILE_NAME).unlink()
    with pytest.raises(StoreLocked) as caught:
        EncryptedStore.unlock(store_dir, PIN, clock=clock)
    assert caught.value.locked_until == clock.now + timedelta(hours=4)


@pytest.mark.parametrize(
    "content",
    [
        b"garbage",
        b'{"version": 1, "failures": -3, "lastFailureAt": null}',
        b'{"version": 1, "failures": 0}',
        b'{"version": 1, "failures": 7, "lastFailureAt": null}',
        b'{"version": 1, "failures": "0", "lastFailureAt": null}',
        b'{"version": 1, "failures": 0, "lastFailureAt": null, "unlock": true}',
    ],
)
def test_an_edited_counter_file_fails_closed(store_dir: Path, clock: Clock, content: bytes) -> None:
    (store_dir / ATTEMPTS_FILE_NAME).write_bytes(content)
    with pytest.raises(StoreLocked):
        EncryptedStore.unlock(store_dir, PIN, clock=clock)
    assert pin_status(store_dir, clock=clock).locked_until == clock.now + timedelta(hours=4)


def test_a_failure_time_in_the_future_never_shortens_the_lock(store_dir: Path, clock: Clock) -> None:
    future = (clock.now + timedelta(days=30)).isoformat()
    doc = {"version": 1, "failures": 10, "lastFailureAt": future}
    (store_dir / ATTEMPTS_FILE_NAME).write_text(json.dumps(doc))
    assert pin_status(store_dir, clock=clock).locked_until == clock.now + timedelta(hours=4)


def test_an_attempt_is_counted_before_the_pin_is_checked(
    store_dir: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killing the program during a guess must not give a free guess: the count is written first."""

    def interrupted(*_: object) -> bool:
        raise KeyboardInterrupt  # stands in for a kill during the key derivation

    monkeypatch.setattr(Container, "key_matches", interrupted)
    with pytest.raises(KeyboardInterrupt):
        EncryptedStore.unlock(store_dir, WRONG, clock=clock)
    monkeypatch.undo()
    assert pin_status(store_dir, clock=clock).failures == 1


def test_pin_status_shows_attempts_left_before_any_attempt(store_dir: Path, clock: Clock) -> None:
    status = pin_status(store_dir, clock=clock)
    assert (status.attempts_left, status.retry_after, status.locked_until) == (10, None, None)


def test_pin_status_of_a_directory_without_a_store_is_not_found_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(CividError) as caught:
        pin_status(tmp_path)
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert list(tmp_path.iterdir()) == []
