"""One verification's memo: recalled only for the same content, within its block, within its bound."""

from __future__ import annotations

import threading

from civid.core.jsonld.verification_memo import ScopedMemo


def test_a_value_is_recalled_for_a_copy_with_the_same_content() -> None:
    memo: ScopedMemo[str] = ScopedMemo("test_memo_copy", max_entries=4)
    subject = {"name": "a"}
    with memo.scope():
        memo.remember({"id": "x", "subject": subject}, "found")
        assert memo.recall({"id": "x", "subject": subject}) == "found"


def test_a_changed_content_is_not_recalled() -> None:
    memo: ScopedMemo[str] = ScopedMemo("test_memo_changed", max_entries=4)
    subject = {"name": "a"}
    with memo.scope():
        memo.remember({"id": "x", "subject": subject}, "found")
        subject["name"] = "b"
        assert memo.recall({"id": "x", "subject": subject}) is None


def test_nothing_is_remembered_outside_a_scope_or_after_it() -> None:
    memo: ScopedMemo[str] = ScopedMemo("test_memo_outside", max_entries=4)
    memo.remember({"id": "x"}, "found")
    with memo.scope():
        assert memo.recall({"id": "x"}) is None
        memo.remember({"id": "x"}, "found")
    assert memo.recall({"id": "x"}) is None


def test_a_scope_is_private_to_its_thread() -> None:
    memo: ScopedMemo[str] = ScopedMemo("test_memo_thread", max_entries=4)
    seen: list[str | None] = []
    with memo.scope():
        memo.remember({"id": "x"}, "found")
        worker = threading.Thread(target=lambda: seen.append(memo.recall({"id": "x"})))
        worker.start()
        worker.join()
    assert seen == [None]


def test_the_memo_stays_within_its_bound() -> None:
    memo: ScopedMemo[int] = ScopedMemo("test_memo_bound", max_entries=3)
    with memo.scope():
        for number in range(5):
            memo.remember({"n": number}, number)
        assert [memo.recall({"n": number}) for number in range(5)] == [0, 1, 2, None, None]
