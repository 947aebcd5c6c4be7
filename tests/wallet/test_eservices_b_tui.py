"""The wallet's Requests screen (key r on the home screen) follows a real issuer's request stream."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from civid.wallet.services import eservices_b as es
from civid.wallet.tui.app import WalletApp
from civid.wallet.tui.i18n import t
from civid.wallet.tui.screens.requests import RequestsScreen
from tests.issuer.server_fixtures import OBAMA, RunningIssuer
from tests.issuer.server_fixtures import issuer as issuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher
from tests.wallet.eservices_b_fixtures import NEW_HOUSE, PIN, approve, enrolled_wallet

pytestmark = pytest.mark.slow
SIZE = (80, 24)


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 15.0) -> None:
    """Let the app run until ``condition`` holds (the stream is polled by the issuer every 0.5 s)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the screen never showed the change"
        await pilot.pause(0.1)


async def open_requests(app: WalletApp, pilot: Pilot[None]) -> RequestsScreen:
    await pilot.press(*PIN, "enter")
    await app.workers.wait_for_complete()
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(app.screen, RequestsScreen)
    return app.screen


async def test_a_pending_application_shows_and_turns_approved_when_the_officer_approves(
    tmp_path: Path, issuer: RunningIssuer
) -> None:
    wallet = await enrolled_wallet(tmp_path / "wallet", issuer, OBAMA)
    submitted = await es.apply_house_number(wallet, NEW_HOUSE)
    key = f"house_number_application:{submitted['applicationId']}"
    app = WalletApp(tmp_path / "wallet")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_requests(app, pilot)
        await until(pilot, lambda: screen.row_states().get(key) == "SUBMITTED")

        await approve(issuer, submitted["applicationId"])

        await until(pilot, lambda: screen.row_states().get(key) == "APPROVED")
        changed = t("requests.changed", screen.language)
        assert any(n.title == changed for n in app._notifications)


async def test_a_booking_made_elsewhere_appears_while_the_screen_is_open(
    tmp_path: Path, issuer: RunningIssuer
) -> None:
    wallet = await enrolled_wallet(tmp_path / "wallet", issuer, OBAMA)
    app = WalletApp(tmp_path / "wallet")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_requests(app, pilot)
        status = screen.query_one("#requests-status")
        none_yet = t("requests.count", screen.language).format(count=0)
        await until(pilot, lambda: none_yet in str(status.render()))
        slot = (await es.list_slots(wallet, "bkk-wattana", "ID_CARD"))[0]

        booked, _ticket = await es.book(wallet, slot["slotId"])

        await until(
            pilot, lambda: screen.row_states().get(f"appointment:{booked['appointmentId']}") == "BOOKED"
        )
