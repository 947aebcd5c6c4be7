"""WorkerPool: worker processes fed from the event loop over socket pairs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import pool_workers

from civid.verifier.pool import WorkerLost, WorkerPool, WorkerStartError


def fields(answer: bytes) -> tuple[str, int, int, bytes]:
    tag, pid, seen, payload = answer.split(b"|", 3)
    return tag.decode(), int(pid), int(seen), payload


@pytest.fixture
async def pool() -> AsyncIterator[WorkerPool[dict[str, int | str]]]:
    started = WorkerPool(pool_workers.ready, "t", pool_workers.answer, 2)
    await started.start()
    try:
        yield started
    finally:
        await started.close()


async def test_each_call_gets_its_own_answer_from_a_started_worker(
    pool: WorkerPool[dict[str, int | str]],
) -> None:
    payloads = [f"job-{i}".encode() for i in range(40)]
    answers = await asyncio.gather(*(pool.call(p) for p in payloads))
    assert [fields(a)[3] for a in answers] == payloads
    assert {fields(a)[0] for a in answers} == {"t"}  # every worker ran the initializer first
    assert {fields(a)[1] for a in answers} == set(pool.pids)  # both workers took calls


async def test_a_worker_that_dies_fails_only_its_call_and_is_replaced(
    pool: WorkerPool[dict[str, int | str]],
) -> None:
    before = set(pool.pids)
    with pytest.raises(WorkerLost):
        await pool.call(b"die")
    answers = await asyncio.gather(*(pool.call(f"after-{i}".encode()) for i in range(10)))
    assert [fields(a)[3] for a in answers] == [f"after-{i}".encode() for i in range(10)]
    for _ in range(200):  # the replacement starts in the background
        if len(pool.pids) == 2:
            break
        await asyncio.sleep(0.1)
    assert len(pool.pids) == 2 and len(set(pool.pids) - before) == 1


async def test_a_worker_that_cannot_start_fails_the_start_with_its_reason() -> None:
    pool = WorkerPool(pool_workers.refuse_to_start, "no-trust-file", pool_workers.answer, 1)
    with pytest.raises(WorkerStartError, match="ValueError: bad configuration: no-trust-file"):
        await pool.start()


async def test_closing_the_pool_ends_every_worker() -> None:
    pool = WorkerPool(pool_workers.ready, "t", pool_workers.answer, 2)
    await pool.start()
    processes = [w.process for w in pool._workers]
    await pool.close()
    assert all(not p.is_alive() for p in processes)
    with pytest.raises(RuntimeError, match="closed"):
        await pool.call(b"late")


async def test_a_call_cancelled_while_waiting_is_never_sent() -> None:
    pool = WorkerPool(pool_workers.ready, "t", pool_workers.answer, 1, depth=1)
    await pool.start()
    try:
        busy = asyncio.create_task(pool.call(b"sleep:0.5"))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(pool.call(b"never"))
        await asyncio.sleep(0.05)
        waiting.cancel()
        await busy
        _, _, seen, payload = fields(await pool.call(b"next"))
        assert (seen, payload) == (2, b"next")  # the worker saw the first call and this one only
    finally:
        await pool.close()


async def test_sigterm_lets_a_busy_worker_answer_its_call_first() -> None:
    pool = WorkerPool(pool_workers.ready, "t", pool_workers.answer, 1)
    await pool.start()
    try:
        [pid] = pool.pids
        call = asyncio.create_task(pool.call(b"sleep:0.5"))
        await asyncio.sleep(0.2)
        os.kill(pid, signal.SIGTERM)
        assert fields(await call)[3] == b"sleep:0.5"
    finally:
        await pool.close()


async def test_sigint_is_left_to_the_server() -> None:
    pool = WorkerPool(pool_workers.ready, "t", pool_workers.answer, 1)
    await pool.start()
    try:
        [pid] = pool.pids
        os.kill(pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole process group
        await asyncio.sleep(0.2)
        assert fields(await pool.call(b"still here"))[1:] == (pid, 1, b"still here")
    finally:
        await pool.close()
