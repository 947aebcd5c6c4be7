"""`civid credential sign|verify` and `civid did key`, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import VECTORS, load_vector

SPEC_SEED = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"


def civid(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "civid.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_sign_with_the_spec_key_and_created_reproduces_the_spec_proof_value():
    run = civid(
        "credential",
        "sign",
        "--key-seed-hex",
        SPEC_SEED,
        "--created",
        "2023-02-24T23:36:38Z",
        str(VECTORS / "eddsa-rdfc-2022/unsigned.json"),
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == load_vector("eddsa-rdfc-2022/signedDataInt.json")


def test_sign_with_jcs_reproduces_the_spec_proof_value():
    run = civid(
        "credential",
        "sign",
        "--key-seed-hex",
        SPEC_SEED,
        "--created",
        "2023-02-24T23:36:38Z",
        "--cryptosuite",
        "eddsa-jcs-2022",
        str(VECTORS / "eddsa-rdfc-2022/unsigned.json"),
    )
    assert json.loads(run.stdout) == load_vector("eddsa-jcs-2022/signedJCS.json")


def test_verify_exits_1_and_names_issuer_binding_for_the_spec_example():
    run = civid("credential", "verify", str(VECTORS / "eddsa-rdfc-2022/signedDataInt.json"))
    out = json.loads(run.stdout)
    assert run.returncode == 1
    assert out["verified"] is False
    assert [e["code"] for e in out["errors"]] == ["ISSUER_MISMATCH"]


def test_verify_reads_stdin_and_exits_0_for_a_good_credential(tmp_path: Path):
    unsigned = load_vector("eddsa-rdfc-2022/unsigned.json")
    did = json.loads(civid("did", "key", "--seed-hex", SPEC_SEED).stdout)["did"]
    unsigned["issuer"] = did
    signed = civid("credential", "sign", "--key-seed-hex", SPEC_SEED, "-", stdin=json.dumps(unsigned))
    run = civid("credential", "verify", "-", stdin=signed.stdout)
    assert run.returncode == 0, run.stdout
    assert json.loads(run.stdout)["verified"] is True


def test_verify_exits_2_for_unreadable_input(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    run = civid("credential", "verify", str(bad))
    assert run.returncode == 2
    assert json.loads(run.stdout)["errors"][0]["code"] == "MALFORMED_DOCUMENT"


def test_verify_exits_2_for_bad_usage():
    assert civid("credential", "verify").returncode == 2


def test_did_key_prints_the_did_and_its_document():
    out = json.loads(civid("did", "key", "--seed-hex", SPEC_SEED).stdout)
    assert out["did"] == "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert out["didDocument"]["id"] == out["did"]
