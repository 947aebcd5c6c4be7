"""A rejected presentation the citizen can fix (a device clock ahead or behind) says what to do."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from civid.core.errors import ErrorCode
from civid.wallet.services.lifecycle import init_wallet
from civid.wallet.services.present import ConsentRequest, PresentationOutcome, RequestedClaim, Text
from civid.wallet.services.rejections import rejection_hint
from civid.wallet.tui.app import WalletApp
from civid.wallet.tui.screens.present import ConsentScreen

PIN = "482915"
AIRLINE = Text("สายการบินไทยในประเทศ", "Thai Domestic Air")
IN_FUTURE = (
    ErrorCode.PRESENTATION_CREATED_IN_FUTURE.value,
    "the presentation was created 400 s in the future",
)


def _outcome(*errors: tuple[str, str]) -> PresentationOutcome:
    return PresentationOutcome("pr-1", AIRLINE, False, (), errors)


def test_a_presentation_from_the_future_asks_the_citizen_to_set_the_device_clock() -> None:
    thai, english = rejection_hint([IN_FUTURE[0]]) or ("", "")
    assert "clock is ahead" in english and "นาฬิกา" in thai


def test_a_rejection_the_citizen_cannot_fix_has_no_hint() -> None:
    assert rejection_hint([ErrorCode.REVOKED.value]) is None
    assert "hint" not in _outcome(("REVOKED", "revoked")).to_json()


def test_the_outcome_json_carries_the_hint_in_thai_and_english() -> None:
    hint = _outcome(("REVOKED", "revoked"), IN_FUTURE).to_json()["hint"]
    assert "clock is ahead" in hint["en"] and "นาฬิกา" in hint["th"]


async def test_the_consent_screen_shows_the_hint_under_the_rejection(tmp_path: Path) -> None:
    init_wallet(tmp_path / "wallet", PIN)
    consent = ConsentRequest(
        "pr-1",
        "127.0.0.1:50052",
        "thai-domestic-air",
        AIRLINE,
        Text("ขึ้นเครื่อง", "boarding"),
        (RequestedClaim("givenNameEn", Text("ชื่อ", "Given name")),),
        (),
        "challenge-0123456789",
        "d",
        None,
    )
    app = WalletApp(tmp_path / "wallet")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*PIN, "enter")
        await app.workers.wait_for_complete()
        screen = ConsentScreen(consent)
        await app.push_screen(screen)
        await pilot.pause()
        screen.show_outcome(_outcome(IN_FUTURE))
        await pilot.pause()
        shown = str(screen.query_one("#outcome", Static).content)
    assert "PRESENTATION_CREATED_IN_FUTURE" in shown
    assert "clock is ahead" in shown or "นาฬิกา" in shown
