"""Snapshots at 80×24 of the card front, the card back, the consent screen and the requests screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from civid.wallet.domain import Wallet
from civid.wallet.services.eservices_b import RequestLine
from civid.wallet.services.present import ConsentRequest, RequestedClaim, Text
from civid.wallet.tui.app import WalletApp
from civid.wallet.tui.i18n import t
from civid.wallet.tui.screens.present import ConsentScreen
from civid.wallet.tui.screens.requests import RequestsScreen

SIZE = (80, 24)
PIN = "482915"

AIRLINE_REQUEST = ConsentRequest(
    request_id="pr_snapshot",
    verifier_address="127.0.0.1:50052",
    relying_party_id="rp_thai_airways",
    relying_party=Text("การบินไทย", "Thai Airways"),
    purpose=Text("ยืนยันตัวตนก่อนขึ้นเครื่อง", "Identity check before boarding"),
    claims=(
        RequestedClaim("givenNameEn", Text("ชื่อ (อังกฤษ)", "Given name")),
        RequestedClaim("familyNameEn", Text("นามสกุล (อังกฤษ)", "Last name")),
        RequestedClaim("photo", Text("รูปถ่าย", "Photo")),
    ),
    accepted_types=("NationalIdCredential",),
    challenge="c" * 43,
    domain="did:web:verifier.civid.example",
    expires_at=None,
)

REQUEST_LINES = (
    RequestLine(
        "address_change:ac_1", "address_change", "PENDING_CONSENT", "applicant → 10110-0042", "SNAPSHOT"
    ),
    RequestLine(
        "house_number_application:hn_1",
        "house_number_application",
        "SUBMITTED",
        "หมู่บ้านสุขใจ วัฒนา",
        "SNAPSHOT",
    ),
    RequestLine(
        "appointment:ap_1", "appointment", "BOOKED", "bkk-wattana ID_CARD 2025-07-01T09:00", "SNAPSHOT"
    ),
)


async def _unlock(pilot: Any) -> None:
    await pilot.press(*PIN, "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_card_front(snap_compare: Any, wallet_with_card: Wallet, store_dir: Path) -> None:
    async def open_card(pilot: Any) -> None:
        await _unlock(pilot)
        await pilot.press("c")
        await pilot.pause()

    assert snap_compare(WalletApp(store_dir), terminal_size=SIZE, run_before=open_card)


def test_card_back(snap_compare: Any, wallet_with_card: Wallet, store_dir: Path) -> None:
    async def open_back(pilot: Any) -> None:
        await _unlock(pilot)
        await pilot.press("c", "f")
        await pilot.pause()

    assert snap_compare(WalletApp(store_dir), terminal_size=SIZE, run_before=open_back)


def test_consent_screen(snap_compare: Any, wallet_with_card: Wallet, store_dir: Path) -> None:
    async def ask(pilot: Any) -> None:
        await _unlock(pilot)
        await pilot.app.push_screen(ConsentScreen(AIRLINE_REQUEST))
        await pilot.pause()

    assert snap_compare(WalletApp(store_dir), terminal_size=SIZE, run_before=ask)


def test_requests_screen(snap_compare: Any, wallet_with_card: Wallet, store_dir: Path) -> None:
    wallet_with_card.update_settings(issuer_address="127.0.0.1:1")  # nothing listens: it disconnects

    async def follow(pilot: Any) -> None:
        await _unlock(pilot)
        await pilot.press("r")
        screen = pilot.app.screen
        assert isinstance(screen, RequestsScreen)
        disconnected = t("requests.disconnected", screen.language).split("{")[0]
        while not str(screen.query_one("#requests-status").render()).startswith(disconnected):
            await pilot.pause(0.05)
        for line in (*REQUEST_LINES, None):
            screen.show(line)
        await pilot.pause()

    assert snap_compare(WalletApp(store_dir), terminal_size=SIZE, run_before=follow)
