"""A process killed (SIGKILL) at any point of an issuance leaves no credential or a recorded one.

A driver process (this module run as a script) issues through the officer desk in a loop: assisted
enrollment for a citizen without a credential, re-binding (revoke the old one, issue a new one) for a
citizen with one. Each credential is written to a side file as soon as the desk returns it, i.e. the
moment it could leave the process. The test kills the driver at random moments, several rounds on the
same database, then checks that every credential in the side file is recorded with the same bytes and
that the store shows no half-done issuance (see tests/issuer/test_kill_support.py).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.core.did.web import did_web_for
from civid.issuer.app import open_issuer_store, utcnow
from civid.issuer.config import IssuerConfig
from civid.issuer.domain.issuance import NationalIdIssuer
from civid.issuer.domain.keys import PASSPHRASE_ENV, KeyRing
from civid.issuer.domain.lifecycle import AssistedRequest, OfficerDesk
from civid.issuer.domain.status_lists import StatusLists
from civid.issuer.registry import import_jsonl
from civid.issuer.storage import CredentialRecord, Officer, Store, open_store
from tests.issuer.test_kill_support import (
    PASSPHRASE,
    SideFile,
    assert_signatures_verify,
    assert_store_consistent,
    read_side_file,
    write_registry,
)

pytestmark = pytest.mark.slow

ROUNDS = 6
CITIZENS = 12
OFFICER = "officer-kill"
READY_TIMEOUT_S = 60.0


def _config(data_dir: Path, database_url: str) -> IssuerConfig:
    return IssuerConfig(data_dir=data_dir, database_url=database_url, demo_registry=False)


def _open(data_dir: Path, database_url: str) -> tuple[Store, KeyRing, OfficerDesk]:
    config = _config(data_dir, database_url)
    store, master = open_issuer_store(config, fast_kdf=True)
    keys = KeyRing(store, did_web_for(config.issuer_domain), master)
    keys.ensure_key()
    lists = StatusLists(store, keys, config.issuer_domain)
    issuer = NationalIdIssuer(store, keys, lists, utcnow)
    return store, keys, OfficerDesk(store, issuer, 3, 1 << 20, utcnow)


def drive(data_dir: Path, database_url: str, side_path: Path, ready_path: Path, ids: list[str]) -> None:
    """Issue forever (until killed), recording each credential the desk hands back."""
    store, _keys, desk = _open(data_dir, database_url)
    officer = store.officers.get(OFFICER)
    assert officer is not None
    side = SideFile(side_path)
    ready_path.touch()
    while True:
        for nid in ids:
            record = _issue_once(desk, officer, nid)
            side.append(record.id, record.document)


def _issue_once(desk: OfficerDesk, officer: Officer, nid: str) -> CredentialRecord:
    holder = did_key_for(Ed25519KeyPair.generate().public_key)
    request_id = f"kill-{uuid.uuid4().hex}"
    if desk.citizen(nid).holder_did:
        return desk.rebind(officer, nid, holder, "new phone", request_id).credential
    request = AssistedRequest(nid, "", holder, b"\xff\xd8 desk photo", "card checked", request_id)
    return desk.assisted_enrollment(officer, request)


def _prepare(tmp_path: Path, database_url: str) -> list[str]:
    ids = write_registry(tmp_path / "registry.jsonl", CITIZENS)
    store = open_store(database_url)
    try:
        assert import_jsonl(tmp_path / "registry.jsonl", store, actor="admin:test").ok
        store.officers.add(OFFICER, "Kill Test", Ed25519KeyPair.generate().public_key.multikey)
    finally:
        store.close()
    return ids


def _run_round(tmp_path: Path, database_url: str, n: int, rng: random.Random) -> None:
    ready = tmp_path / f"ready-{n}"
    env = os.environ | {PASSPHRASE_ENV: PASSPHRASE, "PYTHONPATH": str(Path(__file__).parents[2])}
    args = [sys.executable, __file__, str(tmp_path / "issuer"), database_url, str(tmp_path / "side")]
    driver = subprocess.Popen([*args, str(ready)], env=env, stderr=subprocess.PIPE)
    try:
        if n == 0:  # the first round dies during start-up (migrations, first key) or its first issuance
            time.sleep(rng.uniform(0.5, 4.0))
        else:
            _wait_ready(driver, ready)
            time.sleep(rng.uniform(0.05, 1.2))
        assert driver.poll() is None, driver.communicate()[1].decode()[-2000:]
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.communicate()


def _wait_ready(driver: subprocess.Popen[bytes], ready: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not ready.exists():
        assert driver.poll() is None, driver.communicate()[1].decode()[-2000:]
        assert time.monotonic() < deadline, "the driver did not start"
        time.sleep(0.05)


def test_killed_issuing_process_never_leaves_an_unrecorded_credential(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prepare(tmp_path, database_url)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    for n in range(ROUNDS):
        _run_round(tmp_path, database_url, n, rng)
    sent = read_side_file(tmp_path / "side")
    assert len(sent) >= ROUNDS - 1, f"too few issuances to judge (seed {seed})"
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    store, keys, _desk = _open(tmp_path / "issuer", database_url)
    try:
        assert_store_consistent(store, sent)
        assert_signatures_verify(store, keys.did_document()[0], list(sent)[-3:])
    finally:
        store.close()


if __name__ == "__main__":
    data, url, side_file, ready_file = sys.argv[1:5]
    from tests.issuer.test_kill_support import citizen_ids

    drive(Path(data), url, Path(side_file), Path(ready_file), citizen_ids(CITIZENS))
