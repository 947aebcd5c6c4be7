import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.issuer.storage import StatusPurpose, Store


def test_concurrent_allocations_are_unique_random_and_counted(store: Store) -> None:
    status_list = store.status_lists.create(StatusPurpose.REVOCATION, size=4096)

    def allocate_many(_: int) -> list[int]:
        return [store.status_lists.allocate(status_list.id) for _ in range(25)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        indexes = [i for batch in pool.map(allocate_many, range(8)) for i in batch]

    assert len(indexes) == 200 and len(set(indexes)) == 200
    assert all(0 <= i < 4096 for i in indexes)
    assert sorted(indexes) != list(range(min(indexes), min(indexes) + 200))  # not a sequential block
    assert max(indexes) - min(indexes) > 1000  # spread over the list
    current = store.status_lists.get(status_list.id)
    assert current is not None and current.allocated == 200


def test_a_crowded_list_still_hands_out_every_free_index_once(store: Store) -> None:
    status_list = store.status_lists.create(StatusPurpose.SUSPENSION, size=16)
    indexes = [store.status_lists.allocate(status_list.id) for _ in range(16)]
    assert sorted(indexes) == list(range(16))
    assert indexes != list(range(16))


def test_a_full_list_refuses_to_allocate(store: Store) -> None:
    status_list = store.status_lists.create(StatusPurpose.REVOCATION, size=8)
    for _ in range(8):
        store.status_lists.allocate(status_list.id)
    with pytest.raises(CividError) as err:
        store.status_lists.allocate(status_list.id)
    assert err.value.code is ErrorCode.STATUS_LIST_FULL
    assert store.status_lists.list_with_room(StatusPurpose.REVOCATION) is None


def test_list_with_room_finds_the_newest_open_list_of_the_purpose(store: Store) -> None:
    revocation = store.status_lists.create(StatusPurpose.REVOCATION, size=8)
    store.status_lists.create(StatusPurpose.SUSPENSION, size=8)
    assert store.status_lists.list_with_room(StatusPurpose.REVOCATION) == revocation.id


def test_setting_a_bit_bumps_version_and_etag_only_when_it_changes(store: Store) -> None:
    created = store.status_lists.create(StatusPurpose.REVOCATION, size=64)

    changed = store.status_lists.set_bit(created.id, 9, True)
    unchanged = store.status_lists.set_bit(created.id, 9, True)

    assert changed.bit(9) and not changed.bit(8)
    assert changed.bitstring[1] == 0b0100_0000  # bit 9 = 2nd most significant bit of byte 1
    assert (changed.version, unchanged.version) == (2, 2)
    assert changed.etag != created.etag and unchanged.etag == changed.etag
    cleared = store.status_lists.set_bit(created.id, 9, False)
    assert not cleared.bit(9) and cleared.version == 3
    stored = store.status_lists.get(created.id)
    assert stored is not None and stored.etag == cleared.etag


def test_index_outside_the_list_is_refused(store: Store) -> None:
    created = store.status_lists.create(StatusPurpose.REVOCATION, size=8)
    with pytest.raises(CividError) as err:
        store.status_lists.set_bit(created.id, 8, True)
    assert err.value.code is ErrorCode.STATUS_INDEX_OUT_OF_RANGE


def test_issuers_that_find_no_list_at_the_same_moment_create_only_one(store: Store) -> None:
    """Each transaction looks for a list with room and creates one when there is none; with creation
    serialized, the second one waits and then finds the first one's list."""
    barrier = threading.Barrier(4)

    def first_allocation() -> str:
        barrier.wait()
        with store.write() as conn:
            store.status_lists.serialize_creation(StatusPurpose.REVOCATION, conn)
            found = store.status_lists.list_with_room(StatusPurpose.REVOCATION, conn)
            list_id = found or store.status_lists.create(StatusPurpose.REVOCATION, conn=conn).id
            store.status_lists.allocate(list_id, conn)
            time.sleep(0.05)  # hold the transaction open while the others arrive
            return list_id

    with ThreadPoolExecutor(4) as pool:
        list_ids = list(pool.map(lambda _: first_allocation(), range(4)))

    assert len(set(list_ids)) == 1
    assert store.status_lists.list_ids(StatusPurpose.REVOCATION) == [list_ids[0]]
