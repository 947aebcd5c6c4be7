"""Pilot and headless walks against the REAL issuer and verifier on 127.0.0.1: enrol, card status,
present (approve and decline). Uses the ``servers`` fixture (see conftest.py): the issuer with the
demo registry and a verifier that trusts it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from civid.cli.main import main
from civid.wallet.domain import DisclosureOutcome, Wallet
from civid.wallet.services.lifecycle import init_wallet
from civid.wallet.tui.app import WalletApp
from civid.wallet.tui.screens.present import ConsentScreen

PIN = "482915"
SIZE = (80, 24)
pytestmark = pytest.mark.slow


def _enrolled(store_dir: Path, issuer: Any, verifier: Any) -> Wallet:
    """A wallet holding the demo citizen's card (enrolled on a worker thread: callers may be async)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from civid.wallet.services.enrol import enrol

    wallet = init_wallet(store_dir, PIN)
    wallet.update_settings(issuer_address=issuer.address, verifier_address=verifier.address)
    citizen = issuer.demo_citizen
    selfie = Path(citizen.selfie_path).read_bytes()
    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, enrol(wallet, citizen.national_id, citizen.laser_code, selfie)).result()
    return wallet


async def test_enrol_in_the_app_puts_the_card_in_the_wallet(servers: Any, store_dir: Path) -> None:
    issuer, _ = servers
    wallet = init_wallet(store_dir, PIN)
    wallet.update_settings(issuer_address=issuer.address)
    citizen = issuer.demo_citizen
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*PIN, "enter")
        await app.workers.wait_for_complete()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#national-id", Input).value = citizen.national_id
        app.screen.query_one("#laser-code", Input).value = citizen.laser_code
        app.screen.query_one("#selfie", Input).value = str(citizen.selfie_path)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert len(Wallet.open(store_dir, PIN).credentials()) == 1


async def test_the_status_badge_is_refreshed_from_the_status_list(servers: Any, store_dir: Path) -> None:
    issuer, verifier = servers
    _enrolled(store_dir, issuer, verifier)
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*PIN, "enter")
        await app.workers.wait_for_complete()
        await pilot.press("c", "r")
        await app.workers.wait_for_complete()
    held = Wallet.open(store_dir, PIN).credentials()[0]
    assert held.status.state.value == "valid" and held.status.checked_at is not None


@pytest.mark.parametrize(
    "key, outcome", [("a", DisclosureOutcome.VERIFIED), ("d", DisclosureOutcome.DECLINED)]
)
async def test_present_approve_or_decline_is_recorded(
    servers: Any, store_dir: Path, key: str, outcome: DisclosureOutcome
) -> None:
    issuer, verifier = servers
    _enrolled(store_dir, issuer, verifier)
    compact = verifier.create_request("airline-domestic-boarding")
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*PIN, "enter")
        await app.workers.wait_for_complete()
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one("#request", Input).value = compact
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ConsentScreen)
        await pilot.press(key)
        await app.workers.wait_for_complete()
    [disclosure] = Wallet.open(store_dir, PIN).history()
    assert disclosure.outcome is outcome


def test_headless_present_prints_the_outcome_json(
    servers: Any, store_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    issuer, verifier = servers
    _enrolled(store_dir, issuer, verifier)
    monkeypatch.setenv("CIVID_WALLET_PIN", PIN)
    compact = verifier.create_request("airline-domestic-boarding")
    code = main(["wallet", "--store", str(store_dir), "present", "--request", compact, "--yes"])
    outcome = json.loads(capsys.readouterr().out)
    assert code == 0 and outcome["verified"] is True and outcome["releasedClaims"]
