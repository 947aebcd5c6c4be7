"""The published vc-di-eddsa vectors, reproduced exactly and verified."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from civid.core.credential import CredentialChecks, verify_credential
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.resolver import DidResolver
from civid.core.errors import ErrorCode
from civid.core.proofs.dataintegrity import ProofOptions, add_proof, proofs_of
from civid.core.proofs.suites import suite_for_proof
from civid.core.result import Outcome

from .conftest import load_vector

CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def spec_key() -> Ed25519KeyPair:
    return Ed25519KeyPair.from_secret_multikey(
        load_vector("eddsa-rdfc-2022/keyPair.json")["privateKeyMultibase"]
    )


def options_from(config: dict, created: datetime = CREATED) -> ProofOptions:
    return ProofOptions(
        verification_method=config["verificationMethod"],
        proof_purpose=config["proofPurpose"],
        cryptosuite=config["cryptosuite"],
        created=created,
        proof_id=config.get("id"),
        previous_proof=config.get("previousProof"),
    )


SIGNING_CASES = [
    (
        "eddsa-rdfc-2022/unsigned.json",
        "eddsa-rdfc-2022/proofConfigDataInt.json",
        "eddsa-rdfc-2022/signedDataInt.json",
        "eddsa-rdfc-2022/combinedHashDataInt.txt",
    ),
    (
        "eddsa-rdfc-2022/employ/employmentAuth.json",
        "eddsa-rdfc-2022/employ/proofConfigDataInt.json",
        "eddsa-rdfc-2022/employ/signedDataInt.json",
        "eddsa-rdfc-2022/employ/combinedHashDataInt.txt",
    ),
    (
        "eddsa-rdfc-2022/unsigned.json",
        "eddsa-jcs-2022/proofConfigJCS.json",
        "eddsa-jcs-2022/signedJCS.json",
        "eddsa-jcs-2022/combinedHashJCS.txt",
    ),
]


@pytest.mark.parametrize(("unsigned", "config", "signed", "combined"), SIGNING_CASES)
def test_signing_reproduces_the_published_proof_value(unsigned, config, signed, combined):
    config_json = load_vector(config)
    created = datetime.fromisoformat(config_json["created"].replace("Z", "+00:00"))
    secured = add_proof(load_vector(unsigned), spec_key(), options_from(config_json, created))
    assert secured == load_vector(signed)


@pytest.mark.parametrize(("unsigned", "config", "signed", "combined"), SIGNING_CASES)
def test_hash_data_is_config_hash_then_document_hash(unsigned, config, signed, combined):
    signed_doc = load_vector(signed)
    proof = {k: v for k, v in signed_doc["proof"].items() if k != "proofValue"}
    unsecured = {k: v for k, v in signed_doc.items() if k != "proof"}
    assert suite_for_proof(proof).hash_data(unsecured, proof).hex() == load_vector(combined)


def test_legacy_ed25519_signature_2020_hash_matches_the_vector():
    signed = load_vector("ed25519-signature-2020/signedEdSig.json")
    proof = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    combined = load_vector("ed25519-signature-2020/combinedHashEdSig.txt")
    assert suite_for_proof(proof).hash_data(unsecured, proof).hex() == combined


SIGNED_EXAMPLES = [
    "eddsa-rdfc-2022/signedDataInt.json",
    "eddsa-rdfc-2022/employ/signedDataInt.json",
    "eddsa-jcs-2022/signedJCS.json",
    "ed25519-signature-2020/signedEdSig.json",
    "eddsa-rdfc-2022/proof-set-chain/signedProofSet1.json",
    "eddsa-rdfc-2022/proof-set-chain/signedProofSet2.json",
    "eddsa-rdfc-2022/proof-set-chain/signedProofChain1.json",
    "eddsa-rdfc-2022/proof-set-chain/signedProofChain2.json",
]


@pytest.mark.parametrize("signed", SIGNED_EXAMPLES)
def test_signed_examples_verify_except_issuer_binding(signed):
    """In the spec's examples the issuer does not control the signing key: that check alone fails."""
    result = verify_credential(load_vector(signed), CredentialChecks(DidResolver([]), NOW))
    failed = [c for c in result.checks if c.outcome is Outcome.FAILED]
    assert [(c.name, c.code) for c in failed] == [("issuer.binding", ErrorCode.ISSUER_MISMATCH)]
    signatures = [c for c in result.checks if c.name.endswith("signature")]
    assert signatures and all(c.outcome is Outcome.PASSED for c in signatures)


def test_a_proof_set_is_reproduced_by_adding_a_second_proof():
    first = load_vector("eddsa-rdfc-2022/proof-set-chain/signedProofSet1.json")
    config = load_vector("eddsa-rdfc-2022/proof-set-chain/proofSetConfig2.json")
    key = _multikey_pair(config["verificationMethod"])
    assert add_proof(first, key, options_from(config)) == load_vector(
        "eddsa-rdfc-2022/proof-set-chain/signedProofSet2.json"
    )


def test_a_proof_chain_is_reproduced_with_previous_proof():
    first = load_vector("eddsa-rdfc-2022/proof-set-chain/signedProofChain1.json")
    config = load_vector("eddsa-rdfc-2022/proof-set-chain/proofChainConfig2.json")
    created = datetime.fromisoformat(config["created"].replace("Z", "+00:00"))
    key = _multikey_pair(config["verificationMethod"])
    assert add_proof(first, key, options_from(config, created)) == load_vector(
        "eddsa-rdfc-2022/proof-set-chain/signedProofChain2.json"
    )


def test_a_chain_whose_previous_proof_was_removed_fails():
    chain = copy.deepcopy(load_vector("eddsa-rdfc-2022/proof-set-chain/signedProofChain2.json"))
    chain["proof"] = [
        p for p in proofs_of(chain) if p.get("id") != "urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23"
    ]
    result = verify_credential(chain, CredentialChecks(DidResolver([]), NOW))
    assert ErrorCode.PREVIOUS_PROOF_NOT_FOUND in result.error_codes()


def _multikey_pair(verification_method: str) -> Ed25519KeyPair:
    public = verification_method.split("#")[1]
    for pair in load_vector("eddsa-rdfc-2022/proof-set-chain/multiKeyPairs.json").values():
        if pair["publicKeyMultibase"] == public:
            return Ed25519KeyPair.from_secret_multikey(pair["privateKeyMultibase"])
    raise AssertionError(f"no key pair for {public}")
