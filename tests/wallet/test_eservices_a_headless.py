"""`civid wallet move …` and `civid wallet copy …` with two wallets against a real issuer server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from civid.cli.main import main
from civid.wallet.domain import Wallet
from tests.issuer.eservices_a_fixtures import NEW_HOUSE, desk_enrol
from tests.issuer.eservices_a_fixtures import registry_issuer as registry_issuer
from tests.issuer.server_fixtures import BIDEN, OBAMA, Holder, RunningIssuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher

pytestmark = pytest.mark.slow
PIN = "482915"


async def wallet(capsys: pytest.CaptureFixture[str], folder: Path, issuer: RunningIssuer, nid: str) -> Path:
    """A wallet initialised for ``issuer``, its holder enrolled at the officer desk as ``nid``."""
    code, out = await civid(capsys, "--store", str(folder), "init", "--issuer", issuer.address)
    assert code == 0
    holder_did = out["holderDid"]
    enrolled = await desk_enrol_did(issuer, nid, holder_did)
    Wallet.open(folder, PIN).add_credential(enrolled)
    return folder


async def desk_enrol_did(issuer: RunningIssuer, nid: str, did: str) -> dict[str, Any]:
    class _Did(Holder):
        @property
        def did(self) -> str:
            return did

    return await desk_enrol(issuer, nid, _Did())


async def civid(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    """Run `civid wallet …` off the event loop (the issuer server runs on it)."""
    code = await asyncio.to_thread(main, ["wallet", *args])
    out, _err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None


async def test_two_wallets_move_house_and_the_applicant_holds_the_reissued_card(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, registry_issuer: RunningIssuer, pin_env: None
) -> None:
    mover = await wallet(capsys, tmp_path / "obama", registry_issuer, OBAMA)
    owner = await wallet(capsys, tmp_path / "biden", registry_issuer, BIDEN)
    code, asked = await civid(capsys, "--store", str(mover), "move", "request", "--house", NEW_HOUSE)
    assert code == 0 and asked["state"] == "ADDRESS_CHANGE_STATE_PENDING_CONSENT"
    code, seen = await civid(capsys, "--store", str(owner), "move", "list")
    assert [(s["addressChangeId"], s["callerRole"]) for s in seen] == [
        (asked["addressChangeId"], "ADDRESS_CHANGE_ROLE_OWNER")
    ]
    code, done = await civid(capsys, "--store", str(owner), "move", "consent", asked["addressChangeId"])
    assert code == 0 and done["state"] == "ADDRESS_CHANGE_STATE_COMPLETED"
    code, collected = await civid(capsys, "--store", str(mover), "move", "collect", asked["addressChangeId"])
    assert code == 0 and collected["address"]["houseCode"] == NEW_HOUSE
    held = Wallet.open(mover, PIN).credentials()
    assert [c.id for c in held] == [done["newCredentialId"]]


async def test_owner_refusal_through_the_wallet_reaches_the_applicant(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, registry_issuer: RunningIssuer, pin_env: None
) -> None:
    mover = await wallet(capsys, tmp_path / "obama", registry_issuer, OBAMA)
    owner = await wallet(capsys, tmp_path / "biden", registry_issuer, BIDEN)
    _, asked = await civid(capsys, "--store", str(mover), "move", "request", "--house", NEW_HOUSE)
    change_id = asked["addressChangeId"]
    code, _ = await civid(capsys, "--store", str(owner), "move", "refuse", change_id, "--reason", "full")
    assert code == 0
    _, seen = await civid(capsys, "--store", str(mover), "move", "list")
    assert (seen[0]["state"], seen[0]["refusalReason"]) == ("ADDRESS_CHANGE_STATE_REFUSED", "full")


async def test_a_certified_copy_is_held_and_exported_as_json_and_a_printable_page_with_a_qr_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, registry_issuer: RunningIssuer, pin_env: None
) -> None:
    mover = await wallet(capsys, tmp_path / "obama", registry_issuer, OBAMA)
    page, file = tmp_path / "copy.html", tmp_path / "copy.json"
    code, out = await civid(
        capsys, "--store", str(mover), "copy", "household", "--to", str(file), "--html", str(page)
    )
    assert code == 0 and "HouseholdRegistrationCredential" in out["types"]
    exported = json.loads(file.read_text(encoding="utf-8"))
    assert exported["id"] == out["id"]
    text = page.read_text(encoding="utf-8")
    assert out["verificationReference"] in text and "<svg" in text
    assert out["id"] in [c.id for c in Wallet.open(mover, PIN).credentials()]
