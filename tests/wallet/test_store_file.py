"""The sealed store file: round trips, damage detection, atomic replacement under a real SIGKILL."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.wallet.store.container import parse_container
from civid.wallet.store.errors import StoreCorrupted, WrongPin
from civid.wallet.store.kdf import FAST_KDF
from civid.wallet.store.layout import STORE_FILE_NAME
from civid.wallet.store.store import STORE_MAGIC, EncryptedStore, pin_status

PIN = "480213"


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "wallet"
    EncryptedStore.create(directory, PIN, b"first contents", kdf=FAST_KDF)
    return directory


def store_bytes(store_dir: Path) -> bytearray:
    return bytearray((store_dir / STORE_FILE_NAME).read_bytes())


def test_written_contents_read_back_after_reopening(store_dir: Path) -> None:
    EncryptedStore.unlock(store_dir, PIN).write("ข้อมูล".encode())
    assert EncryptedStore.unlock(store_dir, PIN).read() == "ข้อมูล".encode()


def test_the_store_file_does_not_contain_the_plaintext(tmp_path: Path) -> None:
    EncryptedStore.create(tmp_path / "w", PIN, b"1101700203451 Somchai", kdf=FAST_KDF)
    assert b"Somchai" not in (tmp_path / "w" / STORE_FILE_NAME).read_bytes()


def test_the_store_file_is_readable_only_by_its_owner(store_dir: Path) -> None:
    mode = stat.S_IMODE((store_dir / STORE_FILE_NAME).stat().st_mode)
    assert mode == 0o600


def test_creating_over_an_existing_store_is_refused(store_dir: Path) -> None:
    with pytest.raises(CividError) as caught:
        EncryptedStore.create(store_dir, "902715", b"other", kdf=FAST_KDF)
    assert caught.value.code is ErrorCode.ALREADY_EXISTS
    assert EncryptedStore.unlock(store_dir, PIN).read() == b"first contents"


def test_opening_a_directory_without_a_store_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(CividError, match="civid wallet init") as caught:
        EncryptedStore.unlock(tmp_path, PIN)
    assert caught.value.code is ErrorCode.NOT_FOUND


def test_update_is_a_read_modify_write(store_dir: Path) -> None:
    store = EncryptedStore.unlock(store_dir, PIN)
    assert store.update(lambda old: old + b" and more") == b"first contents and more"
    assert store.read() == b"first contents and more"


def test_a_changed_pin_opens_the_store_and_the_old_one_does_not(store_dir: Path) -> None:
    EncryptedStore.unlock(store_dir, PIN).change_pin("902715")
    assert EncryptedStore.unlock(store_dir, "902715").read() == b"first contents"
    with pytest.raises(WrongPin):
        EncryptedStore.unlock(store_dir, PIN)


@pytest.mark.parametrize(
    ("where", "what"),
    [
        (-1, "the trailer"),
        (-60, "the encrypted contents"),
        (9, "the format version"),
        (20, "the Argon2id parameters"),
        (30, "the salt"),
    ],
)
def test_a_modified_store_file_is_reported_as_corrupted_not_as_a_wrong_pin(
    store_dir: Path, where: int, what: str
) -> None:
    data = store_bytes(store_dir)
    data[where] ^= 0x01
    (store_dir / STORE_FILE_NAME).write_bytes(bytes(data))
    with pytest.raises(StoreCorrupted, match="restore your backup") as caught:
        EncryptedStore.unlock(store_dir, PIN)
    assert caught.value.code is ErrorCode.STORE_CORRUPTED, what
    assert pin_status(store_dir).failures == 0  # damage never counts as a wrong PIN


def test_a_truncated_store_file_is_corrupted(store_dir: Path) -> None:
    data = store_bytes(store_dir)
    (store_dir / STORE_FILE_NAME).write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(StoreCorrupted, match=r"truncated|checksum"):
        EncryptedStore.unlock(store_dir, PIN)


def test_a_forged_body_with_a_recomputed_checksum_is_still_corrupted(store_dir: Path) -> None:
    """A forger who fixes the unkeyed checksum is stopped by the key check and the body's MAC."""
    import hashlib

    data = store_bytes(store_dir)[:-32]
    data[-20] ^= 0x01
    forged = bytes(data) + hashlib.sha256(bytes(data)).digest()
    (store_dir / STORE_FILE_NAME).write_bytes(forged)
    with pytest.raises(StoreCorrupted, match="fail authentication"):
        EncryptedStore.unlock(store_dir, PIN)


def test_a_header_swapped_from_another_store_does_not_open(store_dir: Path, tmp_path: Path) -> None:
    """Headers are authenticated inside the body: another store's header (same PIN) is refused."""
    import hashlib

    EncryptedStore.create(tmp_path / "other", PIN, b"x", kdf=FAST_KDF)
    other = (tmp_path / "other" / STORE_FILE_NAME).read_bytes()
    mine = bytes(store_bytes(store_dir))
    header_len = len(parse_container(STORE_MAGIC, other).header)
    spliced = other[:header_len] + mine[header_len:-32]
    (store_dir / STORE_FILE_NAME).write_bytes(spliced + hashlib.sha256(spliced).digest())
    with pytest.raises(StoreCorrupted):
        EncryptedStore.unlock(store_dir, PIN)


def test_a_store_replaced_behind_an_open_handle_is_refused(store_dir: Path, tmp_path: Path) -> None:
    store = EncryptedStore.unlock(store_dir, PIN)
    EncryptedStore.create(tmp_path / "other", "902715", b"intruder", kdf=FAST_KDF)
    os.replace(tmp_path / "other" / STORE_FILE_NAME, store_dir / STORE_FILE_NAME)
    with pytest.raises(StoreCorrupted):
        store.read()


def test_temp_files_left_by_a_killed_writer_are_removed_on_unlock(store_dir: Path) -> None:
    leftover = store_dir / f".{STORE_FILE_NAME}.abc123.tmp"
    leftover.write_bytes(b"half a write")
    EncryptedStore.unlock(store_dir, PIN)
    assert not leftover.exists()


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from civid.wallet.store.store import EncryptedStore

    store = EncryptedStore.unlock(Path(sys.argv[1]), sys.argv[2])
    n = 0
    while True:
        n += 1
        body = (b"version %08d;" % n) * 20000
        store.write(body)
        if n == 1:
            print("writing", flush=True)
    """
)


def assert_whole_version(payload: bytes) -> None:
    head = payload[:17]
    assert head.startswith(b"version ") and head.endswith(b";")
    assert payload == head * 20000


@pytest.mark.slow
def test_a_writer_killed_mid_write_leaves_the_previous_store_readable(store_dir: Path) -> None:
    rng = random.Random(20250601)
    for _ in range(10):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store_dir), PIN], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline() == "writing\n"
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        assert_whole_version(EncryptedStore.unlock(store_dir, PIN).read())
    assert sorted(p.name for p in store_dir.iterdir()) == [".lock", "pin-attempts.json", STORE_FILE_NAME]


STALLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from civid.wallet.store import atomic
    from civid.wallet.store.store import EncryptedStore

    def stall(fd):
        print("stalled", flush=True)  # the new version is in the temp file, not yet renamed over
        time.sleep(60)

    store = EncryptedStore.unlock(Path(sys.argv[1]), sys.argv[2])
    store.write(b"second contents")
    atomic.os.fsync = stall
    store.write(b"third contents, never finished")
    """
)


@pytest.mark.slow
def test_a_writer_killed_between_writing_and_renaming_leaves_the_previous_store(store_dir: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", STALLED_WRITER, str(store_dir), PIN], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline() == "stalled\n"
    assert list(store_dir.glob(f".{STORE_FILE_NAME}.*.tmp"))  # caught in the middle of the write
    child.kill()
    child.wait()
    child.stdout.close()
    assert EncryptedStore.unlock(store_dir, PIN).read() == b"second contents"
