"""Pilot tests of the wallet app at 80×24 that need no server: first run, unlock, card, my data,
backup and restore, errors as notifications."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from civid.wallet.domain import Wallet
from civid.wallet.services.lifecycle import init_wallet
from civid.wallet.tui.app import WalletApp
from civid.wallet.tui.screens.card import CardScreen
from civid.wallet.tui.screens.home import HomeScreen
from civid.wallet.tui.screens.my_data import MyDataScreen
from civid.wallet.tui.screens.pin import PinScreen
from civid.wallet.tui.widgets.id_card import IdCard

SIZE = (80, 24)
PIN = "482915"  # the PIN of the conftest fixtures


def _card_text(card: IdCard) -> str:
    """The card as the terminal shows it, as plain text."""
    console = Console(width=78, record=True, file=io.StringIO())
    console.print(card.content)
    return console.export_text()


async def _type(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text)


async def _unlock(app: WalletApp, pilot: Pilot[None]) -> None:
    await _type(pilot, PIN)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


def _column(table: DataTable[object], index: int) -> list[str]:
    """One column of a table as the terminal shows it."""
    return [str(table.get_row_at(row)[index]) for row in range(table.row_count)]


async def test_first_run_asks_for_the_pin_twice_and_creates_the_wallet(store_dir: Path) -> None:
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PinScreen) and app.screen.first_run
        await _type(pilot, PIN)
        await pilot.press("enter")
        await _type(pilot, PIN)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert Wallet.exists(store_dir)


async def test_first_run_with_two_different_pins_creates_nothing(store_dir: Path) -> None:
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await _type(pilot, PIN)
        await pilot.press("enter")
        await _type(pilot, "739164")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PinScreen)
        assert app.screen.query_one("#pin", Input).value == ""
    assert not Wallet.exists(store_dir)


async def test_a_weak_pin_is_refused_with_a_notification_not_a_traceback(store_dir: Path) -> None:
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(2):
            await _type(pilot, "123456")
            await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PinScreen)
        assert any("too easy to guess" in n.message for n in app._notifications)
    assert not Wallet.exists(store_dir)


async def test_a_wrong_pin_keeps_the_wallet_locked_and_says_how_many_attempts_are_left(
    store_dir: Path,
) -> None:
    init_wallet(store_dir, PIN)
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await _type(pilot, "739164")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PinScreen)
        assert any("attempt(s) left" in n.message for n in app._notifications)
        assert app.wallet is None


async def test_escape_on_the_home_screen_stays_home(wallet_with_card: Wallet, store_dir: Path) -> None:
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_the_card_shows_names_id_number_and_buddhist_era_dates(
    wallet_with_card: Wallet, store_dir: Path
) -> None:
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CardScreen)
        front = _card_text(app.screen.query_one("#card", IdCard))
        assert "1 1017 00203 45 1" in front
        assert "สมชาย" in front and "Somchai" in front
        assert "12 เม.ย. 2533" in front and "1990" in front
        await pilot.press("f")
        await pilot.pause()
        back = _card_text(app.screen.query_one("#card", IdCard))
        assert "JT0-1234567-89" in back


async def test_my_data_lists_every_claim_with_thai_labels(wallet_with_card: Wallet, store_dir: Path) -> None:
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, MyDataScreen)
        labels = _column(app.screen.query_one("#claims", DataTable), 1)
        assert "เลขประจำตัวประชาชน" in labels and "วันเกิด" in labels


async def test_my_data_shows_values_as_written_not_as_markup(
    wallet_with_card: Wallet, store_dir: Path
) -> None:
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        table = app.screen.query_one("#claims", DataTable)
        shown = "\n".join(table.render_line(y).text for y in range(table.size.height))
        assert "did:key:z6Mk" in shown and "🔑" not in shown  # the holder's DID, not an emoji code


async def test_my_data_exports_the_credential_file(
    wallet_with_card: Wallet, store_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.json"
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("d")
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    assert '"nationalIdNumber": "1101700203451"' in target.read_text(encoding="utf-8")


async def test_backup_then_restore_into_a_new_store_keeps_the_card(
    wallet_with_card: Wallet, store_dir: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.civid"
    app = WalletApp(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        app.screen.query_one("#backup-path", Input).value = str(backup)
        await _type(pilot, "a long backup phrase")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert backup.is_file()

    other = tmp_path / "new-machine"
    app = WalletApp(other)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        await _type(pilot, str(backup))
        await pilot.press("tab")
        await _type(pilot, "a long backup phrase")
        await pilot.press("tab")
        await _type(pilot, "739164")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.wallet is not None and app.wallet.holder_did == wallet_with_card.holder_did
        assert len(app.wallet.credentials()) == 1
