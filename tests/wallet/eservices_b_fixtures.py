"""Helpers for the wallet's house-number and appointment tests: a wallet enrolled at the officer desk of
a real issuer, the officer's decisions, and `civid wallet …` run off the event loop."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest

from civid.cli.main import main
from civid.issuer.v1 import house_number_pb2 as hnpb
from civid.issuer.v1 import officer_service_pb2 as opb
from civid.wallet.domain import Wallet
from civid.wallet.services.eservices_b import NewHouse
from civid.wallet.services.lifecycle import init_wallet
from tests.issuer.eservices_a_fixtures import desk_enrol
from tests.issuer.server_fixtures import Holder, RunningIssuer

PIN: Final = "482915"
PNG: Final = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NEW_HOUSE: Final = NewHouse(
    sub_district="คลองเตยเหนือ",
    district="วัฒนา",
    province="กรุงเทพมหานคร",
    postal_code="10110",
    land_title_number="โฉนด 4567",
    building_permit_number="ก.1-2568/7",
    moo="4",
    village="หมู่บ้านสุขใจ",
)


@dataclass(frozen=True)
class Ran:
    """What one `civid wallet …` run gave: exit code, stdout JSON, stderr JSON (None when empty)."""

    code: int
    out: Any
    err: Any


@dataclass(frozen=True)
class _WalletHolder(Holder):
    """The wallet's DID, for the officer desk to bind the card to (the wallet keeps the key)."""

    wallet_did: str = ""

    @property
    def did(self) -> str:
        return self.wallet_did


async def enrolled_wallet(folder: Path, issuer: RunningIssuer, national_id: str) -> Wallet:
    """A wallet set up for ``issuer``, holding ``national_id``'s card from the officer desk."""
    wallet = init_wallet(folder, PIN)
    wallet.update_settings(issuer_address=issuer.address)
    wallet.add_credential(await desk_enrol(issuer, national_id, _WalletHolder(wallet_did=wallet.holder_did)))
    return wallet


async def civid(capsys: pytest.CaptureFixture[str], store: Path, *args: str) -> Ran:
    """Run `civid wallet --store STORE …` on a thread (the issuer server runs on this event loop)."""
    code = await asyncio.to_thread(main, ["wallet", "--store", str(store), *args])
    out, err = capsys.readouterr()
    return Ran(code, json.loads(out) if out.strip() else None, _last_json(err))


def _last_json(text: str) -> Any:
    lines = [line for line in text.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


async def approve(issuer: RunningIssuer, application_id: str) -> hnpb.HouseNumberApplication:
    """The officer approves at the desk (signed officer metadata from the issuer fixtures)."""
    answer = await issuer.officer_stub.ApproveHouseNumber(
        opb.ApproveHouseNumberRequest(application_id=application_id, reason="site visited"),
        metadata=issuer.officer_metadata("ApproveHouseNumber"),
    )
    application: hnpb.HouseNumberApplication = answer.application
    return application


async def reject(issuer: RunningIssuer, application_id: str, reason: str) -> None:
    await issuer.officer_stub.RejectHouseNumber(
        opb.RejectHouseNumberRequest(application_id=application_id, reason=reason),
        metadata=issuer.officer_metadata("RejectHouseNumber"),
    )
