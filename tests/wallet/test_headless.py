"""`civid wallet …` headless commands, end to end through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civid.cli.main import main
from civid.wallet.domain import Wallet

PIN = "482915"


def civid(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["wallet", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def _enrol_args(store_dir: Path, tmp_path: Path, national_id: str) -> list[str]:
    """`enrol` against an address where nothing listens, with a tiny JPEG as the selfie."""
    selfie = tmp_path / "me.jpg"
    selfie.write_bytes(b"\xff\xd8\xff")
    return [
        *("--store", str(store_dir), "enrol", "--issuer", "127.0.0.1:1"),
        *("--national-id", national_id, "--laser-code", "JT0-1234567-89", "--selfie", str(selfie)),
    ]


def test_init_creates_a_store_and_prints_the_holder_did(
    capsys: pytest.CaptureFixture[str], store_dir: Path, pin_env: None
) -> None:
    code, out, _ = civid(capsys, "--store", str(store_dir), "init", "--issuer", "127.0.0.1:6001")
    assert code == 0 and out["holderDid"].startswith("did:key:z6Mk")
    assert Wallet.open(store_dir, PIN).settings().issuer_address == "127.0.0.1:6001"


def test_init_reads_the_pin_from_stdin_when_the_environment_has_none(
    capsys: pytest.CaptureFixture[str], store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(PIN + "\n"))
    code, out, _ = civid(capsys, "--store", str(store_dir), "init")
    assert code == 0
    assert Wallet.open(store_dir, PIN).holder_did == out["holderDid"]


def test_a_wrong_pin_exits_1_with_a_json_error(
    capsys: pytest.CaptureFixture[str],
    wallet_with_card: Wallet,
    store_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CIVID_WALLET_PIN", "739164")
    code, out, err = civid(capsys, "--store", str(store_dir), "show")
    assert code == 1 and out is None
    assert json.loads(err)["error"]["code"] == "WRONG_PIN"


def test_show_prints_the_card_claims(
    capsys: pytest.CaptureFixture[str], wallet_with_card: Wallet, store_dir: Path, pin_env: None
) -> None:
    code, out, _ = civid(capsys, "--store", str(store_dir), "show")
    assert code == 0
    [card] = out["credentials"]
    assert card["claims"]["nationalIdNumber"] == "1 1017 00203 45 1"
    assert card["status"]["state"] == "unknown"


def test_history_of_a_new_wallet_is_empty(
    capsys: pytest.CaptureFixture[str], wallet_with_card: Wallet, store_dir: Path, pin_env: None
) -> None:
    assert civid(capsys, "--store", str(store_dir), "history")[:2] == (0, [])


def test_backup_and_restore_recreate_the_same_holder_and_card(
    capsys: pytest.CaptureFixture[str],
    wallet_with_card: Wallet,
    store_dir: Path,
    tmp_path: Path,
    pin_env: None,
) -> None:
    backup = tmp_path / "b.civid"
    assert civid(capsys, "--store", str(store_dir), "backup", "--to", str(backup))[0] == 0
    code, out, _ = civid(capsys, "--store", str(tmp_path / "restored"), "restore", "--from", str(backup))
    assert code == 0 and out["holderDid"] == wallet_with_card.holder_did and out["credentials"] == 1


def test_restore_with_the_wrong_passphrase_fails_and_creates_no_store(
    capsys: pytest.CaptureFixture[str],
    wallet_with_card: Wallet,
    store_dir: Path,
    tmp_path: Path,
    pin_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backup = tmp_path / "b.civid"
    civid(capsys, "--store", str(store_dir), "backup", "--to", str(backup))
    monkeypatch.setenv("CIVID_WALLET_BACKUP_PASSPHRASE", "not the right phrase")
    code, _, err = civid(capsys, "--store", str(tmp_path / "r"), "restore", "--from", str(backup))
    assert code == 1 and json.loads(err)["error"]["code"] == "WRONG_PASSPHRASE"
    assert not Wallet.exists(tmp_path / "r")


def test_export_writes_the_credential_document(
    capsys: pytest.CaptureFixture[str],
    wallet_with_card: Wallet,
    store_dir: Path,
    tmp_path: Path,
    pin_env: None,
) -> None:
    target = tmp_path / "vc.json"
    assert civid(capsys, "--store", str(store_dir), "export", "--to", str(target))[0] == 0
    assert json.loads(target.read_text(encoding="utf-8"))["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_status_without_a_card_says_to_enrol_first(
    capsys: pytest.CaptureFixture[str], store_dir: Path, pin_env: None
) -> None:
    civid(capsys, "--store", str(store_dir), "init")
    code, _, err = civid(capsys, "--store", str(store_dir), "status")
    assert code == 1 and "enrol first" in json.loads(err)["error"]["message"]


def test_present_with_a_malformed_request_string_fails_before_any_network_call(
    capsys: pytest.CaptureFixture[str], wallet_with_card: Wallet, store_dir: Path, pin_env: None
) -> None:
    code, _, err = civid(
        capsys, "--store", str(store_dir), "present", "--request", "civid-pr:v1:pr_x", "--yes"
    )
    assert code == 1 and json.loads(err)["error"]["code"] == "MALFORMED_DOCUMENT"


def test_enrol_with_a_bad_check_digit_is_refused_before_contacting_the_issuer(
    capsys: pytest.CaptureFixture[str],
    wallet_with_card: Wallet,
    store_dir: Path,
    tmp_path: Path,
    pin_env: None,
) -> None:
    code, _, err = civid(capsys, *_enrol_args(store_dir, tmp_path, "1-1017-00203-45-1"))
    assert code == 1 and json.loads(err)["error"]["code"] == "INVALID_NATIONAL_ID"


@pytest.mark.slow
def test_an_unreachable_issuer_gives_a_person_level_message(
    capsys: pytest.CaptureFixture[str],
    wallet_with_card: Wallet,
    store_dir: Path,
    tmp_path: Path,
    pin_env: None,
) -> None:
    code, _, err = civid(capsys, *_enrol_args(store_dir, tmp_path, "1-1017-00203-45-0"))
    error = json.loads(err.splitlines()[-1])["error"]
    assert code == 1 and error["code"] == "SERVICE_UNAVAILABLE" and "Settings" in error["message"]
