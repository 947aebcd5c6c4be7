"""The Wallet: holder key, held credentials, disclosure history, settings and e-service requests."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from civid.core.crypto.keys import Ed25519KeyPair, Ed25519PublicKey
from civid.core.did.key import did_key_for, public_key_of_did_key, verification_method_id_for
from civid.core.errors import CividError, ErrorCode
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.wallet.domain import (
    CredentialState,
    Disclosure,
    DisclosureOutcome,
    Language,
    PendingRequest,
    RequestKind,
    RequestStatus,
    Wallet,
    WalletSettings,
)
from civid.wallet.store.errors import StoreCorrupted, WrongPin
from civid.wallet.store.kdf import FAST_KDF
from civid.wallet.store.layout import STORE_FILE_NAME

PIN = "480213"
NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
ISSUER = Ed25519KeyPair.from_seed(bytes(range(32)))
ISSUER_DID = did_key_for(ISSUER.public_key)


def national_id(holder_did: str, *, credential_id: str = "urn:uuid:1", **subject: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/civid/v1"],
        "id": credential_id,
        "type": ["VerifiableCredential", "NationalIdCredential"],
        "issuer": ISSUER_DID,
        "validFrom": "2024-01-01T00:00:00Z",
        "validUntil": "2032-01-14T23:59:59Z",
        "credentialSubject": {
            "id": holder_did,
            "type": "Citizen",
            "nationalIdNumber": "1101700203451",
            "givenNameTh": "สมชาย",
            "familyNameTh": "ใจดี",
            "birthDate": "1985-01-15",
            **subject,
        },
    }


def signed(document: dict[str, Any]) -> dict[str, Any]:
    options = ProofOptions(verification_method_id_for(ISSUER.public_key), created=NOW)
    return add_proof(document, ISSUER, options)


def disclosure(request_id: str, at: datetime, outcome: DisclosureOutcome) -> Disclosure:
    return Disclosure(
        request_id=request_id,
        relying_party_id="rp-bank",
        relying_party_name="ธนาคารตัวอย่าง",
        purpose="เปิดบัญชี (open an account)",
        claims=("givenNameTh", "familyNameTh", "birthDate"),
        outcome=outcome,
        at=at,
        credential_ids=("urn:uuid:1",),
    )


@pytest.fixture
def wallet(tmp_path: Path) -> Wallet:
    return Wallet.create(tmp_path / "store", PIN, kdf=FAST_KDF, clock=lambda: NOW)


def test_a_new_wallet_has_an_ed25519_did_key(wallet: Wallet) -> None:
    assert wallet.holder_did.startswith("did:key:z6Mk")
    assert public_key_of_did_key(wallet.holder_did) == wallet.holder_public_key
    assert wallet.verification_method == f"{wallet.holder_did}#{wallet.holder_did.removeprefix('did:key:')}"


def test_the_holder_key_survives_reopening(wallet: Wallet, tmp_path: Path) -> None:
    assert Wallet.open(tmp_path / "store", PIN).holder_did == wallet.holder_did


def test_two_wallets_have_different_holder_keys(tmp_path: Path) -> None:
    one = Wallet.create(tmp_path / "a", PIN, kdf=FAST_KDF)
    two = Wallet.create(tmp_path / "b", PIN, kdf=FAST_KDF)
    assert one.holder_did != two.holder_did


def test_a_holder_signature_verifies_under_the_holder_did(wallet: Wallet) -> None:
    signature = wallet.sign(b"I consent to the move")
    assert public_key_of_did_key(wallet.holder_did).verify(b"I consent to the move", signature)
    assert not Ed25519PublicKey(wallet.holder_public_key.raw).verify(b"something else", signature)


def test_the_seed_does_not_appear_in_the_wallet_repr_or_attributes(wallet: Wallet) -> None:
    assert not any(name for name in dir(wallet) if "seed" in name)
    assert "seed" not in repr(wallet)


def test_the_wrong_pin_does_not_open_the_wallet(wallet: Wallet, tmp_path: Path) -> None:
    with pytest.raises(WrongPin):
        Wallet.open(tmp_path / "store", "902715")


def test_a_credential_added_is_listed_after_reopening(wallet: Wallet, tmp_path: Path) -> None:
    held = wallet.add_credential(national_id(wallet.holder_did))
    again = Wallet.open(tmp_path / "store", PIN).credentials()
    assert [c.id for c in again] == ["urn:uuid:1"]
    assert again[0] == held
    assert (held.types, held.issuer, held.received_at) == (
        ("VerifiableCredential", "NationalIdCredential"),
        ISSUER_DID,
        NOW,
    )
    assert held.status.state is CredentialState.UNKNOWN and held.status.checked_at is None


def test_the_held_document_is_exactly_the_one_received(wallet: Wallet) -> None:
    document = signed(national_id(wallet.holder_did))
    assert wallet.add_credential(document).document == document


def test_a_held_credential_is_immutable(wallet: Wallet) -> None:
    held = wallet.add_credential(national_id(wallet.holder_did))
    held.document["issuer"] = "did:example:evil"
    assert wallet.credential(held.id).issuer == ISSUER_DID
    with pytest.raises(FrozenInstanceError):
        held.issuer = "x"  # type: ignore[misc]


def test_a_credential_without_an_id_gets_a_stable_derived_one(wallet: Wallet) -> None:
    document = national_id(wallet.holder_did)
    del document["id"]
    first = wallet.add_credential(document)
    second = wallet.add_credential(document)
    assert first.id.startswith("urn:civid:sha256:") and first.id == second.id
    assert len(wallet.credentials()) == 1


def test_a_document_that_is_not_a_credential_is_refused(wallet: Wallet) -> None:
    with pytest.raises(CividError) as caught:
        wallet.add_credential({"type": ["VerifiablePresentation"], "issuer": "x", "credentialSubject": {}})
    assert caught.value.code is ErrorCode.NOT_A_CREDENTIAL
    assert wallet.credentials() == ()


def test_a_reissued_national_id_replaces_the_one_held(wallet: Wallet) -> None:
    """After re-binding a new key (or moving house) the issuer sends a new ID with a new id."""
    wallet.add_credential(national_id("did:key:old", credential_id="urn:uuid:old"))
    wallet.add_credential(national_id(wallet.holder_did, credential_id="urn:uuid:new"))
    assert [c.id for c in wallet.credentials()] == ["urn:uuid:new"]


def test_two_appointment_tickets_of_one_citizen_are_held_side_by_side(wallet: Wallet) -> None:
    def ticket(credential_id: str) -> dict[str, Any]:
        document = national_id(wallet.holder_did, credential_id=credential_id)
        document["type"] = ["VerifiableCredential", "AppointmentTicketCredential"]
        return document

    wallet.add_credential(ticket("urn:uuid:ticket-1"))
    wallet.add_credential(ticket("urn:uuid:ticket-2"))
    assert {c.id for c in wallet.credentials()} == {"urn:uuid:ticket-1", "urn:uuid:ticket-2"}


def test_a_credential_for_another_citizen_does_not_replace_the_held_id(wallet: Wallet) -> None:
    wallet.add_credential(national_id(wallet.holder_did, credential_id="urn:uuid:mine"))
    wallet.add_credential(
        national_id("did:key:x", credential_id="urn:uuid:theirs", nationalIdNumber="3100600123459")
    )
    assert {c.id for c in wallet.credentials()} == {"urn:uuid:mine", "urn:uuid:theirs"}


def test_asking_for_a_credential_not_held_fails_with_not_found(wallet: Wallet) -> None:
    with pytest.raises(CividError) as caught:
        wallet.credential("urn:uuid:missing")
    assert caught.value.code is ErrorCode.NOT_FOUND


def test_a_removed_credential_is_gone(wallet: Wallet) -> None:
    wallet.add_credential(national_id(wallet.holder_did))
    wallet.remove_credential("urn:uuid:1")
    assert wallet.credentials() == ()


def test_the_status_check_is_cached_with_its_time(wallet: Wallet, tmp_path: Path) -> None:
    wallet.add_credential(national_id(wallet.holder_did))
    checked = NOW + timedelta(minutes=5)
    wallet.record_status("urn:uuid:1", CredentialState.SUSPENDED, checked)
    status = Wallet.open(tmp_path / "store", PIN).credential("urn:uuid:1").status
    assert (status.state, status.checked_at) == (CredentialState.SUSPENDED, checked)


def test_credentials_of_a_type_are_found(wallet: Wallet) -> None:
    wallet.add_credential(national_id(wallet.holder_did))
    assert [c.id for c in wallet.credentials_of_type("NationalIdCredential")] == ["urn:uuid:1"]
    assert wallet.credentials_of_type("BirthRecordCredential") == ()


def test_disclosures_are_listed_newest_first_after_reopening(wallet: Wallet, tmp_path: Path) -> None:
    wallet.record_disclosure(disclosure("req-1", NOW, DisclosureOutcome.VERIFIED))
    wallet.record_disclosure(disclosure("req-2", NOW + timedelta(hours=1), DisclosureOutcome.DECLINED))
    history = Wallet.open(tmp_path / "store", PIN).history()
    assert [d.request_id for d in history] == ["req-2", "req-1"]
    assert history[1] == disclosure("req-1", NOW, DisclosureOutcome.VERIFIED)


def test_default_settings_point_at_the_local_services_in_thai(wallet: Wallet) -> None:
    assert wallet.settings() == WalletSettings("127.0.0.1:50051", "127.0.0.1:50052", False, None, Language.TH)


def test_updated_settings_persist(wallet: Wallet, tmp_path: Path) -> None:
    updated = wallet.update_settings(tls=True, ca_file=Path("/etc/civid/ca.pem"), language=Language.EN)
    assert Wallet.open(tmp_path / "store", PIN).settings() == updated
    assert updated.issuer_address == "127.0.0.1:50051" and updated.tls


def test_an_unknown_setting_is_refused(wallet: Wallet) -> None:
    with pytest.raises(TypeError):
        wallet.update_settings(colour="red")


def test_a_pending_request_is_updated_in_place(wallet: Wallet, tmp_path: Path) -> None:
    wallet.save_request(
        PendingRequest("move-1", RequestKind.ADDRESS_CHANGE, RequestStatus.AWAITING_CONSENT, NOW)
    )
    wallet.save_request(PendingRequest("appt-1", RequestKind.APPOINTMENT, RequestStatus.SUBMITTED, NOW))
    later = NOW + timedelta(days=1)
    wallet.save_request(PendingRequest("move-1", RequestKind.ADDRESS_CHANGE, RequestStatus.COMPLETED, later))
    pending = Wallet.open(tmp_path / "store", PIN).pending_requests()
    assert [(p.id, p.status) for p in pending] == [
        ("move-1", RequestStatus.COMPLETED),
        ("appt-1", RequestStatus.SUBMITTED),
    ]
    assert pending[0].status.finished and not pending[1].status.finished


def test_two_open_handles_see_each_others_changes(wallet: Wallet, tmp_path: Path) -> None:
    """The TUI and a headless command may hold the same store open at once."""
    other = Wallet.open(tmp_path / "store", PIN)
    wallet.add_credential(national_id(wallet.holder_did))
    other.record_disclosure(disclosure("req-1", NOW, DisclosureOutcome.VERIFIED))
    assert [c.id for c in other.credentials()] == ["urn:uuid:1"]
    assert [d.request_id for d in wallet.history()] == ["req-1"]


def test_a_changed_pin_opens_the_wallet(wallet: Wallet, tmp_path: Path) -> None:
    wallet.add_credential(national_id(wallet.holder_did))
    wallet.change_pin("902715")
    wallet.record_disclosure(disclosure("req-1", NOW, DisclosureOutcome.VERIFIED))
    reopened = Wallet.open(tmp_path / "store", "902715")
    assert (len(reopened.credentials()), len(reopened.history())) == (1, 1)


def test_a_modified_store_reports_corruption(wallet: Wallet, tmp_path: Path) -> None:
    path = tmp_path / "store" / STORE_FILE_NAME
    data = bytearray(path.read_bytes())
    data[-50] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(StoreCorrupted):
        Wallet.open(tmp_path / "store", PIN)


@pytest.mark.slow
def test_a_presentation_of_a_held_credential_verifies_for_the_verifier(wallet: Wallet) -> None:
    from civid.core.credential import CredentialChecks
    from civid.core.did.resolver import DidResolver
    from civid.core.presentation import verify_presentation

    wallet.add_credential(signed(national_id(wallet.holder_did)))
    vp = wallet.present(["urn:uuid:1"], challenge="c-123", domain="https://verifier.example")
    checks = CredentialChecks(DidResolver([]), NOW)
    result = verify_presentation(vp, checks, challenge="c-123", domain="https://verifier.example")
    assert result.verified, result.to_json()
    assert vp["holder"] == wallet.holder_did
    assert vp["proof"]["verificationMethod"] == wallet.verification_method


def test_settings_from_a_form_accept_plain_strings(wallet: Wallet) -> None:
    updated = wallet.update_settings(language="en", ca_file="/etc/civid/ca.pem")
    assert (updated.language, updated.ca_file) == (Language.EN, Path("/etc/civid/ca.pem"))


@pytest.mark.parametrize("changes", [{"language": "fr"}, {"issuer_address": " "}])
def test_unusable_settings_are_refused_and_nothing_changes(wallet: Wallet, changes: dict[str, str]) -> None:
    with pytest.raises(CividError):
        wallet.update_settings(**changes)
    assert wallet.settings() == WalletSettings()
