"""A real ``civid issuer serve`` killed (SIGKILL) with AssistedEnrollment calls in flight.

Every credential a client received is recorded; a call cut off by the kill, retried with the same
request_id on the restarted server, gets the credential issued before the kill or a new one, never a
second one for the same citizen; the store passes the integrity checks of test_kill_support.py.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest
from sqlalchemy import func, select

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.issuer.domain.keys import PASSPHRASE_ENV
from civid.issuer.domain.officer_auth import sign_officer_call
from civid.issuer.registry import import_jsonl
from civid.issuer.storage import open_store
from civid.issuer.storage.schema import credentials
from civid.issuer.v1 import officer_service_pb2 as opb
from civid.issuer.v1 import officer_service_pb2_grpc
from tests.issuer.test_kill_support import PASSPHRASE, assert_store_consistent, write_registry

pytestmark = pytest.mark.slow

CITIZENS = 120
IN_FLIGHT = 6
OFFICER = "officer-kill"
METHOD = "/civid.issuer.v1.OfficerService/AssistedEnrollment"
VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"


@dataclass
class Desk:
    """The client side: who to enrol next, what was received, which calls were cut off."""

    key: Ed25519KeyPair
    waiting: list[str]
    holders: dict[str, str]
    received: dict[str, str] = field(default_factory=dict)
    cut_off: list[str] = field(default_factory=list)
    ever_cut_off: int = 0

    def request(self, nid: str) -> opb.AssistedEnrollmentRequest:
        return opb.AssistedEnrollmentRequest(
            national_id=nid,
            holder_did=self.holders[nid],
            desk_photo=b"\xff\xd8 desk photo",
            reason="card and face checked at the desk",
            request_id=f"assist-{nid}",
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(data_dir: Path, database_url: str, port: int) -> subprocess.Popen[bytes]:
    args = [str(VENV_BIN / "civid"), "issuer", "serve", "--data-dir", str(data_dir)]
    args += ["--database-url", database_url, "--listen", f"127.0.0.1:{port}", "--no-demo-registry"]
    env = os.environ | {PASSPHRASE_ENV: PASSPHRASE}
    return subprocess.Popen(args, env=env, start_new_session=True, stderr=subprocess.DEVNULL)


def _kill(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGKILL)  # the server and its face workers: the group it leads
    server.wait()


async def _enrol(stub: officer_service_pb2_grpc.OfficerServiceStub, desk: Desk, nid: str) -> None:
    metadata = sign_officer_call(OFFICER, desk.key, METHOD, int(time.time()))
    try:
        answer = await stub.AssistedEnrollment(desk.request(nid), metadata=metadata, timeout=60)
    except grpc.aio.AioRpcError as error:
        assert error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED), error
        desk.cut_off.append(nid)
        desk.ever_cut_off += 1
        return
    desk.received[answer.credential.credential_id] = answer.credential.credential_json


async def _worker(stub: officer_service_pb2_grpc.OfficerServiceStub, desk: Desk, todo: Iterator[str]) -> None:
    for nid in todo:
        await _enrol(stub, desk, nid)


async def _round(port: int, desk: Desk, kill_after: int | None, server: subprocess.Popen[bytes]) -> None:
    """Retry the calls cut off last round, then enrol the waiting citizens; SIGKILL the server once
    ``kill_after`` more answers have arrived — while the other calls are still in flight."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        await asyncio.wait_for(channel.channel_ready(), timeout=180)
        stub = officer_service_pb2_grpc.OfficerServiceStub(channel)
        retry, desk.cut_off = desk.cut_off, []
        todo = iter([*retry, *(desk.waiting if kill_after is not None else [])])
        desk.waiting = []
        workers = [asyncio.create_task(_worker(stub, desk, todo)) for _ in range(IN_FLIGHT)]
        if kill_after is not None:
            target = len(desk.received) + kill_after
            while len(desk.received) < target and not all(w.done() for w in workers):
                await asyncio.sleep(0.002)
            _kill(server)
        await asyncio.gather(*workers)
        desk.waiting = list(todo)


def _prepare(tmp_path: Path, database_url: str) -> tuple[Desk, Path]:
    ids = write_registry(tmp_path / "registry.jsonl", CITIZENS)
    key = Ed25519KeyPair.generate()
    store = open_store(database_url)
    try:
        assert import_jsonl(tmp_path / "registry.jsonl", store, actor="admin:test").ok
        store.officers.add(OFFICER, "Kill Test", key.public_key.multikey)
    finally:
        store.close()
    holders = {nid: did_key_for(Ed25519KeyPair.generate().public_key) for nid in ids}
    return Desk(key, list(ids), holders), tmp_path / "issuer"


async def test_killed_server_never_loses_a_credential_a_client_received(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, data_dir = _prepare(tmp_path, database_url)
    rng = random.Random()
    for kill_after in (rng.randint(1, 8), rng.randint(1, 8), None):
        port = _free_port()
        server = _serve(data_dir, database_url, port)
        try:
            await _round(port, desk, kill_after, server)
        finally:
            if server.poll() is None:
                _kill(server)
    assert desk.received and desk.ever_cut_off and not desk.cut_off
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    store = open_store(database_url)
    try:
        assert_store_consistent(store, desk.received)
        with store.engine.connect() as conn:
            query = select(credentials.c.national_id, func.count()).group_by(credentials.c.national_id)
            per_citizen = {nid: n for nid, n in conn.execute(query)}
        assert set(per_citizen.values()) == {1}, "a retried call issued a second credential"
    finally:
        store.close()
