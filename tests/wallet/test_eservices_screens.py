"""The wallet's e-service screens (m move, o copies, n house number, a appointments) driven by key
presses at 80×24 against a REAL issuer on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Footer, Input

from civid.wallet.domain import Wallet
from civid.wallet.services import eservices_a as es_a
from civid.wallet.services import eservices_b as es_b
from civid.wallet.tui.app import WalletApp
from civid.wallet.tui.screens.booking import BookingScreen
from civid.wallet.tui.screens.copies import CopiesScreen
from civid.wallet.tui.screens.eservice_base import Confirm
from civid.wallet.tui.screens.home import MENU, HomeScreen
from civid.wallet.tui.screens.house import HouseFormScreen, HouseScreen
from civid.wallet.tui.screens.move import MoveScreen
from tests.issuer.eservices_a_fixtures import NEW_HOUSE
from tests.issuer.eservices_a_fixtures import registry_issuer as registry_issuer
from tests.issuer.server_fixtures import BIDEN, OBAMA, RunningIssuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher
from tests.wallet.eservices_b_fixtures import NEW_HOUSE as NEW_BUILT_HOUSE
from tests.wallet.eservices_b_fixtures import PIN, enrolled_wallet

pytestmark = pytest.mark.slow
SIZE = (80, 24)


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 15.0) -> None:
    """Let the app run until ``condition`` holds."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the screen never showed the change"
        await pilot.pause(0.1)


async def open_screen(app: WalletApp, pilot: Pilot[None], key: str) -> None:
    await pilot.press(*PIN, "enter")
    await app.workers.wait_for_complete()
    assert isinstance(app.screen, HomeScreen)
    await pilot.press(key)
    await pilot.pause()


async def confirm(app: WalletApp, pilot: Pilot[None]) -> None:
    await until(pilot, lambda: isinstance(app.screen, Confirm))
    await pilot.press("y")


async def test_booking_a_slot_from_the_booking_screen_leaves_its_ticket_in_the_wallet(
    tmp_path: Path, registry_issuer: RunningIssuer
) -> None:
    await enrolled_wallet(tmp_path / "wallet", registry_issuer, OBAMA)
    app = WalletApp(tmp_path / "wallet")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "a")
        screen = app.screen
        assert isinstance(screen, BookingScreen)
        await until(pilot, lambda: "bkk-wattana" in screen.offices)
        offices = screen.query_one("#offices", DataTable)
        offices.move_cursor(row=offices.get_row_index("bkk-wattana"))
        offices.focus()

        await pilot.press("enter")  # the office's free slots
        await until(pilot, lambda: bool(screen.slots))
        await pilot.press("enter")  # the first slot
        await confirm(app, pilot)

        await until(pilot, lambda: len(screen.bookings) == 1)
        [(appointment_id, booked)] = screen.bookings.items()
        assert screen.state_of(appointment_id) == "BOOKED"
    held = Wallet.open(tmp_path / "wallet", PIN).credentials()
    tickets = [c.id for c in held if "AppointmentTicketCredential" in c.types]
    assert tickets == [booked["ticketId"]]


async def test_a_household_copy_requested_from_the_copies_screen_is_held_and_exported(
    tmp_path: Path, registry_issuer: RunningIssuer
) -> None:
    await enrolled_wallet(tmp_path / "wallet", registry_issuer, OBAMA)
    app = WalletApp(tmp_path / "wallet")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "o")
        screen = app.screen
        assert isinstance(screen, CopiesScreen)

        await pilot.press("ctrl+s")  # household extract is the preselected record
        await until(pilot, lambda: bool(screen.held_copies()))
        [copy] = screen.held_copies()
        assert "HouseholdRegistrationCredential" in copy.types

        screen.query_one("#copies-path", Input).value = str(tmp_path / "household")
        await pilot.press("ctrl+t")
        await until(pilot, lambda: (tmp_path / "household.json").exists())
        await pilot.press("ctrl+g")
        await until(pilot, lambda: (tmp_path / "household.html").exists())
    saved = (tmp_path / "household.json").read_text(encoding="utf-8")
    assert json.loads(saved)["id"] == copy.id
    reference = es_a.verification_reference(copy.id, saved)
    assert reference in (tmp_path / "household.html").read_text(encoding="utf-8")


async def test_the_house_owner_consents_to_a_move_from_the_move_screen(
    tmp_path: Path, registry_issuer: RunningIssuer
) -> None:
    mover = await enrolled_wallet(tmp_path / "obama", registry_issuer, OBAMA)
    await enrolled_wallet(tmp_path / "biden", registry_issuer, BIDEN)
    asked = await es_a.request_move(mover, NEW_HOUSE)
    change_id = asked["addressChangeId"]
    app = WalletApp(tmp_path / "biden")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "m")
        screen = app.screen
        assert isinstance(screen, MoveScreen)
        await until(pilot, lambda: screen.state_of(change_id) == "PENDING_CONSENT")

        await pilot.press("ctrl+y")
        await confirm(app, pilot)

        await until(pilot, lambda: screen.state_of(change_id) == "COMPLETED")
    [done] = await es_a.list_moves(mover)
    assert done["state"] == "ADDRESS_CHANGE_STATE_COMPLETED"


async def test_the_owner_refuses_a_move_with_a_reason_the_applicant_sees(
    tmp_path: Path, registry_issuer: RunningIssuer
) -> None:
    mover = await enrolled_wallet(tmp_path / "obama", registry_issuer, OBAMA)
    await enrolled_wallet(tmp_path / "biden", registry_issuer, BIDEN)
    change_id = (await es_a.request_move(mover, NEW_HOUSE))["addressChangeId"]
    app = WalletApp(tmp_path / "biden")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "m")
        screen = app.screen
        assert isinstance(screen, MoveScreen)
        await until(pilot, lambda: screen.state_of(change_id) == "PENDING_CONSENT")

        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press(*"no room", "enter")

        await until(pilot, lambda: screen.state_of(change_id) == "REFUSED")
    [seen] = await es_a.list_moves(mover)
    assert seen["refusalReason"] == "no room"


async def test_a_house_number_application_sent_from_the_form_is_listed_as_submitted(
    tmp_path: Path, registry_issuer: RunningIssuer
) -> None:
    wallet = await enrolled_wallet(tmp_path / "wallet", registry_issuer, OBAMA)
    app = WalletApp(tmp_path / "wallet")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "n")
        screen = app.screen
        assert isinstance(screen, HouseScreen)
        await pilot.press("ctrl+n")
        form = app.screen
        assert isinstance(form, HouseFormScreen)
        for name in ("sub_district", "district", "province", "postal_code", "moo", "village"):
            form.query_one(f"#house-{name.replace('_', '-')}", Input).value = getattr(NEW_BUILT_HOUSE, name)
        form.query_one("#house-land-title-number", Input).value = NEW_BUILT_HOUSE.land_title_number
        form.query_one("#house-building-permit-number", Input).value = NEW_BUILT_HOUSE.building_permit_number

        await pilot.press("ctrl+s")

        listing: HouseScreen = screen
        await until(pilot, lambda: app.screen is listing and len(listing.applications) == 1)
        [application_id] = listing.applications
        assert listing.state_of(application_id) == "SUBMITTED"
    [listed] = await es_b.list_house_applications(wallet)
    assert listed["landTitleNumber"] == NEW_BUILT_HOUSE.land_title_number


async def test_the_home_menu_shows_every_e_service_above_the_footer_at_80_by_24(
    wallet_with_card: Wallet, store_dir: Path
) -> None:
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*PIN, "enter")
        await app.workers.wait_for_complete()
        menu, footer = app.screen.query_one("#home-menu"), app.screen.query_one(Footer)
        assert menu.region.height == len(MENU)
        assert menu.region.bottom <= footer.region.y
        assert {"move", "copies", "house", "booking"} <= {name for _, name, _ in MENU}
