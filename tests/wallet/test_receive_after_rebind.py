"""A lost phone: the officer re-binds the card to the new wallet's key; the new wallet receives it,
and the old wallet's card is revoked."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from civid.core.errors import ErrorCode
from civid.issuer.v1 import officer_service_pb2 as opb
from civid.wallet.services.lifecycle import init_wallet
from tests.issuer.eservices_a_fixtures import verify_with_status
from tests.issuer.server_fixtures import OBAMA, RunningIssuer
from tests.issuer.server_fixtures import issuer as issuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher
from tests.wallet.eservices_b_fixtures import PIN, civid, enrolled_wallet

pytestmark = pytest.mark.slow


async def test_a_new_wallet_receives_the_card_the_officer_rebound_to_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, issuer: RunningIssuer, pin_env: None
) -> None:
    old = await enrolled_wallet(tmp_path / "old", issuer, OBAMA)
    old_card = old.credentials()[0]
    new = init_wallet(tmp_path / "new", PIN)
    new.update_settings(issuer_address=issuer.address)

    rebound = await issuer.officer_stub.RebindHolder(
        opb.RebindHolderRequest(
            national_id=OBAMA,
            new_holder_did=new.holder_did,
            reason="phone lost, identity checked with the card",
            request_id=str(uuid.uuid4()),
        ),
        metadata=issuer.officer_metadata("RebindHolder"),
    )
    ran = await civid(capsys, tmp_path / "new", "receive")

    assert ran.code == 0, ran.err
    assert [r["id"] for r in ran.out["received"]] == [rebound.credential.credential_id]
    assert rebound.revoked_credential_id == old_card.id
    old_result = await verify_with_status(issuer, dict(old_card.document))
    assert ErrorCode.REVOKED in old_result.error_codes()


async def test_receiving_twice_holds_nothing_new(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, issuer: RunningIssuer, pin_env: None
) -> None:
    await enrolled_wallet(tmp_path / "w", issuer, OBAMA)
    ran = await civid(capsys, tmp_path / "w", "receive")
    assert ran.code == 0, ran.err
    assert ran.out == {"received": []}
