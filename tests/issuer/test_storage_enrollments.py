from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.issuer.registry import Citizen
from civid.issuer.storage import Enrollment, EnrollmentState, Store


def test_third_failure_locks_enrollment(store: Store) -> None:
    key = store.subject_key("1103702071811")
    states = [store.attempts.record_failure(key, max_failures=3) for _ in range(3)]
    assert [(s.failures_today, s.locked) for s in states] == [(1, False), (2, False), (3, True)]
    assert store.attempts.state(key).locked


def test_unknown_id_is_counted_and_locked_exactly_like_a_known_one(
    store: Store, citizen_factory: Callable[..., Citizen]
) -> None:
    known = citizen_factory(1)
    store.citizens.add_many([known])
    known_key, unknown_key = store.subject_key(known.national_id), store.subject_key("3100600445473")
    for _ in range(3):
        a = store.attempts.record_failure(known_key, 3)
        b = store.attempts.record_failure(unknown_key, 3)
        assert a == b
    assert store.attempts.state(known_key) == store.attempts.state(unknown_key)


def test_officer_unlock_lifts_the_lock_and_resets_the_count(store: Store) -> None:
    store.officers.add("officer-1", "Somsak", "z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH")
    key = store.subject_key("1103702071811")
    for _ in range(3):
        store.attempts.record_failure(key, 3)

    store.attempts.unlock(key, "officer-1")

    state = store.attempts.state(key)
    assert (state.failures_today, state.locked) == (0, False)
    with pytest.raises(CividError) as err:
        store.attempts.unlock(key, "officer-1")
    assert err.value.code is ErrorCode.INVALID_STATE
    assert store.attempts.record_failure(key, 3).locked is False


def test_subject_key_is_a_keyed_pseudonym(store: Store) -> None:
    key = store.subject_key("1103702071811")
    assert len(key) == 64 and "1103702071811" not in key
    assert key == store.subject_key("1103702071811") != store.subject_key("3100600445473")


def test_enrollment_moves_only_forward_and_only_before_expiry(store: Store) -> None:
    now = datetime.now(UTC)
    live = Enrollment(
        "e1", "k", None, "did:key:z6Mk", "c1", EnrollmentState.CHALLENGED, now, now + timedelta(minutes=5)
    )
    stale = Enrollment(
        "e2", "k", None, "did:key:z6Mk", "c2", EnrollmentState.CHALLENGED, now, now - timedelta(seconds=1)
    )
    store.enrollments.create(live)
    store.enrollments.create(stale)

    store.enrollments.transition("e1", (EnrollmentState.CHALLENGED,), EnrollmentState.KEY_PROVEN)
    with pytest.raises(CividError):
        store.enrollments.transition("e1", (EnrollmentState.CHALLENGED,), EnrollmentState.KEY_PROVEN)
    with pytest.raises(CividError):
        store.enrollments.transition("e2", (EnrollmentState.CHALLENGED,), EnrollmentState.KEY_PROVEN)

    assert store.enrollments.expire_due() == 1
    got = store.enrollments.get("e2")
    assert got is not None and got.state is EnrollmentState.EXPIRED
    assert got.created_at == now  # aware UTC round trip on both engines
