"""Interop both ways with an independent implementation: Digital Bazaar's JavaScript libraries.

civid signs (``civid credential sign``) and Digital Bazaar verifies; Digital Bazaar signs and civid
verifies (``civid credential verify``), for credentials and presentations, with both cryptosuites; and
what one side tampers with, the other refuses. The first tests check the harness itself: Digital
Bazaar's suites, as driven here, reproduce the published vc-di-eddsa proofValues.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Protocol

import pytest

pytestmark = pytest.mark.interop

SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
SPEC_SEED = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
ISSUER_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
HOLDER_SEED = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
OTHER_SEED = "c5aa8df43f9f837bed7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7f"
CHALLENGE = "b6f3a6c1-8d8e-4a5c-9d0f-2f1e7c3b9a10"
DOMAIN = "https://verifier.civid.example"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CIVID_V1 = "https://w3id.org/civid/v1"
VECTORS = ["rdfc-alumni", "jcs-alumni", "rdfc-employ"]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class Run(Protocol):
    """What the conftest drivers return for one command."""

    returncode: int
    output: dict[str, Any]


def load_vector(name: str, file: str) -> Any:
    path = FIXTURES / "vectors" / name / file
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text.strip()


def simple_credential(holder_did: str) -> dict[str, Any]:
    """A credential that needs only the credentials v2 context; the issuer is set by the signer."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": "urn:uuid:6a1f0b3e-2c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "type": ["VerifiableCredential"],
        "name": "Interop credential",
        "validFrom": "2025-01-01T00:00:00Z",
        "validUntil": "2035-01-01T00:00:00Z",
        "credentialSubject": {"id": holder_did, "name": "Somchai Jaidee"},
    }


def national_id_credential(issuer_did: str, holder_did: str) -> dict[str, Any]:
    """A national-ID-like credential in civid's own vocabulary, with Thai names."""
    return {
        "@context": [CREDENTIALS_V2, CIVID_V1],
        "id": "urn:uuid:0b9d6f8e-5f2f-4f6f-9a43-7e3f0c4c5a11",
        "type": ["VerifiableCredential", "NationalIdCredential"],
        "issuer": issuer_did,
        "validFrom": "2025-01-01T00:00:00Z",
        "validUntil": "2032-01-14T23:59:59Z",
        "credentialSubject": {
            "id": holder_did,
            "type": "Citizen",
            "nationalIdNumber": "1101700203451",
            "titleTh": "นาย",
            "givenNameTh": "สมชาย",
            "familyNameTh": "ใจดี",
            "titleEn": "Mr.",
            "givenNameEn": "Somchai",
            "familyNameEn": "Jaidee",
            "birthDate": "1985-01-15",
        },
    }


def unsigned_presentation(holder_did: str, credential: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder_did,
        "verifiableCredential": [credential],
    }


def tampered_claim(document: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    subject = changed["credentialSubject"]
    key = "givenNameTh" if "givenNameTh" in subject else "name"
    subject[key] = subject[key] + "x"
    return changed


def tampered_embedded_claim(presentation: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(presentation)
    changed["verifiableCredential"][0] = tampered_claim(changed["verifiableCredential"][0])
    return changed


def error_codes(run: Run) -> list[str]:
    """The codes of a civid result's errors and failed checks."""
    codes = [e.get("code", "") for e in run.output.get("errors", [])]
    codes += [c.get("code", "") for c in run.output.get("checks", []) if c.get("outcome") == "failed"]
    return codes


def assert_civid_verified(run: Run) -> None:
    assert (run.returncode, run.output.get("verified")) == (0, True), run.output


def assert_civid_refused(run: Run, code: str) -> None:
    assert (run.returncode, run.output.get("verified")) == (1, False), run.output
    assert code in error_codes(run), run.output


def assert_js_verified(run: Run) -> None:
    assert (run.returncode, run.output["verified"]) == (0, True), run.output


def assert_js_refused(run: Run, reason: str) -> None:
    assert (run.returncode, run.output["verified"]) == (1, False), run.output
    assert reason.lower() in run.output["error"].lower(), run.output


@pytest.fixture(scope="module")
def issuer(js):
    return js.did_key(ISSUER_SEED)


@pytest.fixture(scope="module")
def holder(js):
    return js.did_key(HOLDER_SEED)


# --- the harness: Digital Bazaar's suites reproduce the published vectors -------------------------


@pytest.mark.parametrize("name", VECTORS)
def test_js_harness_reproduces_published_proof_value(js, name: str) -> None:
    options = load_vector(name, "proofConfig.json")
    args = ("--created", options["created"], "--contexts-dir", str(FIXTURES / "contexts"))
    signed = js.sign(
        load_vector(name, "unsigned.json"), seed_hex=SPEC_SEED, cryptosuite=options["cryptosuite"], extra=args
    )
    assert signed["proof"]["proofValue"] == load_vector(name, "proofValue.txt")
    assert signed == load_vector(name, "signed.json")


@pytest.mark.parametrize("name", VECTORS)
def test_js_harness_refuses_published_vector_only_for_issuer_binding(js, name: str) -> None:
    signed = load_vector(name, "signed.json")
    contexts = ("--contexts-dir", str(FIXTURES / "contexts"))
    assert_js_refused(js.verify(signed, *contexts), "issuer must match the verification method controller")
    assert_js_verified(js.verify(signed, *contexts, "--no-issuer-binding"))


def test_js_harness_loader_refuses_a_context_civid_does_not_ship(js, holder) -> None:
    credential = simple_credential(holder.did)
    credential["@context"] = [CREDENTIALS_V2, "https://example.com/unknown-context/v1"]
    signed = js.sign(credential, seed_hex=ISSUER_SEED, cryptosuite="eddsa-jcs-2022")
    assert_js_refused(js.verify(signed), "interop loader refuses")


# --- civid signs, Digital Bazaar verifies ---------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_js_verifies_credential_signed_by_civid_with_issuer_bound_to_key(js, civid, issuer, holder, suite):
    credential = simple_credential(holder.did) | {"issuer": issuer.did}
    signed = civid.sign(credential, seed_hex=ISSUER_SEED, cryptosuite=suite)
    result = js.verify(signed)
    assert_js_verified(result)
    assert result.output["issuerBinding"] == "checked"


@pytest.mark.parametrize("suite", SUITES)
def test_js_verifies_national_id_with_thai_text_signed_by_civid(js, civid, issuer, holder, suite) -> None:
    signed = civid.sign(national_id_credential(issuer.did, holder.did), seed_hex=ISSUER_SEED, cryptosuite=suite)
    assert signed["credentialSubject"]["givenNameTh"] == "สมชาย"
    assert_js_verified(js.verify(signed))


@pytest.mark.parametrize("suite", SUITES)
def test_js_detects_claim_tampered_after_civid_signed(js, civid, issuer, holder, suite) -> None:
    signed = civid.sign(national_id_credential(issuer.did, holder.did), seed_hex=ISSUER_SEED, cryptosuite=suite)
    assert_js_refused(js.verify(tampered_claim(signed)), "invalid signature")


def test_js_refuses_civid_credential_whose_issuer_does_not_control_the_key(js, civid, holder) -> None:
    other = js.did_key(OTHER_SEED)
    credential = simple_credential(holder.did) | {"issuer": other.did}
    signed = civid.sign(credential, seed_hex=ISSUER_SEED, cryptosuite="eddsa-rdfc-2022")
    assert_js_refused(js.verify(signed), "issuer must match the verification method controller")


@pytest.mark.parametrize("suite", SUITES)
def test_js_verifies_presentation_signed_by_civid_with_challenge_and_domain(js, civid, issuer, holder, suite):
    vc = civid.sign(national_id_credential(issuer.did, holder.did), seed_hex=ISSUER_SEED, cryptosuite=suite)
    vp = civid.sign_vp(
        unsigned_presentation(holder.did, vc),
        seed_hex=HOLDER_SEED, cryptosuite=suite, challenge=CHALLENGE, domain=DOMAIN,
    )
    result = js.verify_vp(vp, challenge=CHALLENGE, domain=DOMAIN)
    assert_js_verified(result)
    assert result.output["holderChecks"] == {"signerIsHolder": True, "holderIsSubject": True}


@pytest.fixture(scope="module")
def civid_presentation(js, civid, issuer, holder) -> dict[str, Any]:
    vc = civid.sign(national_id_credential(issuer.did, holder.did), seed_hex=ISSUER_SEED, cryptosuite=SUITES[0])
    return civid.sign_vp(
        unsigned_presentation(holder.did, vc),
        seed_hex=HOLDER_SEED, cryptosuite=SUITES[0], challenge=CHALLENGE, domain=DOMAIN,
    )


def test_js_refuses_civid_presentation_replayed_with_another_challenge(js, civid_presentation) -> None:
    result = js.verify_vp(civid_presentation, challenge="another-challenge", domain=DOMAIN)
    assert_js_refused(result, "challenge is not as expected")


def test_js_refuses_civid_presentation_meant_for_another_domain(js, civid_presentation) -> None:
    result = js.verify_vp(civid_presentation, challenge=CHALLENGE, domain="https://other.example")
    assert_js_refused(result, "domain")


def test_js_detects_credential_tampered_inside_civid_presentation(js, civid_presentation) -> None:
    result = js.verify_vp(tampered_embedded_claim(civid_presentation), challenge=CHALLENGE, domain=DOMAIN)
    assert_js_refused(result, "invalid signature")


# --- Digital Bazaar signs, civid verifies ---------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_civid_verifies_credential_signed_by_js(js, civid, issuer, holder, suite: str) -> None:
    signed = js.sign(simple_credential(holder.did), seed_hex=ISSUER_SEED, cryptosuite=suite)
    assert signed["issuer"] == issuer.did
    assert_civid_verified(civid.verify(signed))


@pytest.mark.parametrize("suite", SUITES)
def test_civid_verifies_national_id_with_thai_text_signed_by_js(js, civid, issuer, holder, suite) -> None:
    signed = js.sign(national_id_credential(issuer.did, holder.did), seed_hex=ISSUER_SEED, cryptosuite=suite)
    assert_civid_verified(civid.verify(signed))


@pytest.mark.parametrize("suite", SUITES)
def test_civid_detects_claim_tampered_after_js_signed(js, civid, issuer, holder, suite: str) -> None:
    signed = js.sign(national_id_credential(issuer.did, holder.did), seed_hex=ISSUER_SEED, cryptosuite=suite)
    assert_civid_refused(civid.verify(tampered_claim(signed)), "INVALID_SIGNATURE")


@pytest.mark.parametrize("suite", SUITES)
def test_civid_verifies_presentation_signed_by_js_with_challenge_and_domain(js, civid, issuer, holder, suite):
    vc = js.sign(national_id_credential(issuer.did, holder.did), seed_hex=ISSUER_SEED, cryptosuite=suite)
    vp = js.sign_vp(vc, seed_hex=HOLDER_SEED, cryptosuite=suite, challenge=CHALLENGE, domain=DOMAIN)
    assert vp["holder"] == holder.did
    assert_civid_verified(civid.verify(vp, "--challenge", CHALLENGE, "--domain", DOMAIN))


def test_civid_verifies_js_wallet_presentation_of_civid_issued_credential(js, civid, issuer, holder) -> None:
    vc = civid.sign(national_id_credential(issuer.did, holder.did), seed_hex=ISSUER_SEED, cryptosuite=SUITES[0])
    vp = js.sign_vp(vc, seed_hex=HOLDER_SEED, cryptosuite=SUITES[0], challenge=CHALLENGE, domain=DOMAIN)
    assert_civid_verified(civid.verify(vp, "--challenge", CHALLENGE, "--domain", DOMAIN))


@pytest.fixture(scope="module")
def js_presentation(js, issuer, holder) -> dict[str, Any]:
    vc = js.sign(national_id_credential(issuer.did, holder.did), seed_hex=ISSUER_SEED, cryptosuite=SUITES[0])
    return js.sign_vp(vc, seed_hex=HOLDER_SEED, cryptosuite=SUITES[0], challenge=CHALLENGE, domain=DOMAIN)


def test_civid_refuses_js_presentation_replayed_with_another_challenge(civid, js_presentation) -> None:
    result = civid.verify(js_presentation, "--challenge", "another-challenge", "--domain", DOMAIN)
    assert_civid_refused(result, "CHALLENGE_MISMATCH")


def test_civid_refuses_js_presentation_meant_for_another_domain(civid, js_presentation) -> None:
    result = civid.verify(js_presentation, "--challenge", CHALLENGE, "--domain", "https://other.example")
    assert_civid_refused(result, "DOMAIN_MISMATCH")


def test_civid_detects_credential_tampered_inside_js_presentation(civid, js_presentation) -> None:
    result = civid.verify(tampered_embedded_claim(js_presentation), "--challenge", CHALLENGE, "--domain", DOMAIN)
    assert_civid_refused(result, "INVALID_SIGNATURE")


def test_civid_refuses_js_presentation_signed_by_a_key_that_is_not_the_holders(js, civid, issuer, holder):
    vc = js.sign(national_id_credential(issuer.did, holder.did), seed_hex=ISSUER_SEED, cryptosuite=SUITES[0])
    vp = js.sign_vp(
        unsigned_presentation(holder.did, vc),
        seed_hex=OTHER_SEED, cryptosuite=SUITES[0], challenge=CHALLENGE, domain=DOMAIN,
    )
    assert_civid_refused(civid.verify(vp, "--challenge", CHALLENGE, "--domain", DOMAIN), "HOLDER_MISMATCH")
