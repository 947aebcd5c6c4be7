"""`civid wallet house …` and `civid wallet book …` against a real issuer server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from civid.wallet.domain import Wallet
from tests.issuer.eservices_a_fixtures import verify_with_status
from tests.issuer.server_fixtures import OBAMA, RunningIssuer
from tests.issuer.server_fixtures import issuer as issuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher
from tests.wallet.eservices_b_fixtures import PIN, PNG, Ran, approve, civid, enrolled_wallet, reject

pytestmark = pytest.mark.slow
OFFICE = "bkk-wattana"
APPLY = (
    "house",
    "apply",
    "--sub-district",
    "คลองเตยเหนือ",
    "--district",
    "วัฒนา",
    "--province",
    "กรุงเทพมหานคร",
    "--postal-code",
    "10110",
    "--moo",
    "4",
    "--village",
    "หมู่บ้านสุขใจ",
    "--plot",
    "โฉนด 4567",
    "--permit",
    "ก.1-2568/7",
)


@pytest.fixture
async def store(tmp_path: Path, issuer: RunningIssuer, pin_env: None) -> Path:
    """A wallet holding OBAMA's card, issued by ``issuer``."""
    await enrolled_wallet(tmp_path / "wallet", issuer, OBAMA)
    return tmp_path / "wallet"


async def applied(capsys: pytest.CaptureFixture[str], store: Path, *extra: str) -> Ran:
    ran = await civid(capsys, store, *APPLY, *extra)
    assert ran.code == 0, ran.err
    return ran


async def free_slot(capsys: pytest.CaptureFixture[str], store: Path) -> dict[str, Any]:
    ran = await civid(capsys, store, "book", "slots", "--office", OFFICE, "--service", "id-card")
    assert ran.code == 0 and ran.out, ran.err
    slot: dict[str, Any] = ran.out[0]
    return slot


# --- house numbers -------------------------------------------------------------------------


async def test_an_application_with_a_photo_is_submitted_and_listed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, store: Path
) -> None:
    photo = tmp_path / "house.png"
    photo.write_bytes(PNG)

    ran = await applied(capsys, store, "--photo", str(photo))
    listed = await civid(capsys, store, "house", "list")

    assert ran.out["state"] == "HOUSE_NUMBER_APPLICATION_STATE_SUBMITTED"
    assert (ran.out["photoCount"], ran.out["location"]["village"]) == (1, "หมู่บ้านสุขใจ")
    assert [a["applicationId"] for a in listed.out] == [ran.out["applicationId"]]


async def test_an_approved_application_is_collected_and_the_house_credential_verifies(
    capsys: pytest.CaptureFixture[str], issuer: RunningIssuer, store: Path
) -> None:
    application_id = (await applied(capsys, store)).out["applicationId"]
    approved = await approve(issuer, application_id)

    ran = await civid(capsys, store, "house", "collect", application_id)

    assert ran.code == 0, ran.err
    assert ran.out["houseCode"] == approved.allocated_address.house_code
    held = Wallet.open(store, PIN).credential(ran.out["id"])
    assert "HouseRegistrationCredential" in held.types
    result = await verify_with_status(issuer, held.document)
    assert result.verified, result.to_json()


async def test_collecting_before_an_officer_decides_is_refused(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    application_id = (await applied(capsys, store)).out["applicationId"]

    ran = await civid(capsys, store, "house", "collect", application_id)

    assert ran.code == 1 and ran.err["error"]["code"] == "INVALID_STATE"
    assert len(Wallet.open(store, PIN).credentials()) == 1


async def test_a_rejection_shows_the_officers_reason(
    capsys: pytest.CaptureFixture[str], issuer: RunningIssuer, store: Path
) -> None:
    application_id = (await applied(capsys, store)).out["applicationId"]
    await reject(issuer, application_id, "no building permit on file")

    listed = await civid(capsys, store, "house", "list")

    assert listed.out[0]["state"] == "HOUSE_NUMBER_APPLICATION_STATE_REJECTED"
    assert listed.out[0]["rejectionReason"] == "no building permit on file"


async def test_a_submitted_application_can_be_withdrawn(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    application_id = (await applied(capsys, store)).out["applicationId"]

    ran = await civid(capsys, store, "house", "cancel", application_id)

    assert ran.code == 0 and ran.out["state"] == "HOUSE_NUMBER_APPLICATION_STATE_CANCELLED"


async def test_more_than_five_photos_are_refused_before_anything_is_sent(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, store: Path
) -> None:
    photo = tmp_path / "house.png"
    photo.write_bytes(PNG)

    ran = await civid(capsys, store, *APPLY, *(["--photo", str(photo)] * 6))
    listed = await civid(capsys, store, "house", "list")

    assert ran.code == 1 and ran.err["error"]["code"] == "FIELD_INVALID"
    assert listed.out == []


# --- appointments --------------------------------------------------------------------------


async def test_offices_include_watthana_and_its_slots_have_free_places(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    offices = await civid(capsys, store, "book", "offices")
    slot = await free_slot(capsys, store)

    assert OFFICE in [o["officeId"] for o in offices.out]
    assert slot["officeId"] == OFFICE and slot["purpose"] == "APPOINTMENT_PURPOSE_ID_CARD"
    assert isinstance(slot["available"], int) and slot["available"] > 0


async def test_booking_holds_a_ticket_that_verifies_and_takes_a_place(
    capsys: pytest.CaptureFixture[str], issuer: RunningIssuer, store: Path
) -> None:
    slot = await free_slot(capsys, store)

    ran = await civid(capsys, store, "book", "book", str(slot["slotId"]))
    after = await free_slot(capsys, store)

    assert ran.code == 0 and ran.out["state"] == "APPOINTMENT_STATE_BOOKED", ran.err
    ticket = Wallet.open(store, PIN).credential(ran.out["ticketId"])
    assert "AppointmentTicketCredential" in ticket.types
    assert (await verify_with_status(issuer, ticket.document)).verified
    assert after["slotId"] == slot["slotId"] and after["available"] == slot["available"] - 1


async def test_cancel_revokes_the_ticket_and_the_slot_can_be_booked_again(
    capsys: pytest.CaptureFixture[str], issuer: RunningIssuer, store: Path
) -> None:
    slot_id = str((await free_slot(capsys, store))["slotId"])
    first = (await civid(capsys, store, "book", "book", slot_id)).out
    old_ticket = Wallet.open(store, PIN).credential(first["ticketId"]).document

    cancelled = await civid(capsys, store, "book", "cancel", first["appointmentId"])
    again = await civid(capsys, store, "book", "book", slot_id)

    assert cancelled.out["state"] == "APPOINTMENT_STATE_CANCELLED"
    assert not (await verify_with_status(issuer, old_ticket)).verified
    assert again.code == 0 and again.out["state"] == "APPOINTMENT_STATE_BOOKED", again.err
    held = [c.id for c in Wallet.open(store, PIN).credentials()]
    assert again.out["ticketId"] in held and first["ticketId"] not in held
    listed = await civid(capsys, store, "book", "list")
    states = {a["appointmentId"]: a["state"] for a in listed.out}
    assert states == {
        first["appointmentId"]: "APPOINTMENT_STATE_CANCELLED",
        again.out["appointmentId"]: "APPOINTMENT_STATE_BOOKED",
    }


async def test_an_unknown_service_name_is_refused(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    ran = await civid(capsys, store, "book", "slots", "--office", OFFICE, "--service", "haircut")

    assert ran.code == 1 and ran.err["error"]["code"] == "FIELD_INVALID"
