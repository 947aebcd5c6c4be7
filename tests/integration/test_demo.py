"""`civid demo --out DIR`: the whole journey across real processes, and what it writes verifies."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
JS_DIR = REPO / "tests" / "interop" / "js"
AIRLINE_CLAIMS = {"titleEn", "givenNameEn", "familyNameEn", "photo", "nationalIdNumber"}


@dataclass(frozen=True)
class DemoRun:
    returncode: int
    stdout: str
    stderr: str
    out: Path

    def json(self, name: str) -> Any:
        return json.loads((self.out / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    out = tmp_path_factory.mktemp("demo-out")
    env = {**os.environ, "CIVID_WALLET_INSECURE_FAST_KDF": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "civid.cli.main", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        cwd=REPO,
        check=False,
    )
    return DemoRun(done.returncode, done.stdout, done.stderr, out)


def _node_or_skip() -> str:
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules").is_dir():
        pytest.skip("node or tests/interop/js/node_modules missing (run npm ci there)")
    return node


def test_demo_exits_zero_after_every_step(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "FAILED" not in demo.stdout
    assert "all steps passed" in demo.stdout


def test_demo_prints_each_step_with_its_timing(demo: DemoRun) -> None:
    step_lines = [line for line in demo.stdout.splitlines() if line.strip().startswith("done in ")]
    assert len(step_lines) == 8
    assert all(line.strip().endswith(" ms") for line in step_lines)


def test_demo_writes_credential_did_document_presentations_and_results(demo: DemoRun) -> None:
    names = {p.name for p in demo.out.iterdir()}
    assert {
        "credential.json",
        "issuer-did.json",
        "presentation-airline.json",
        "presentation-consulate.json",
        "result-airline.json",
        "result-consulate.json",
        "result-airline-revoked.json",
    } <= names


def test_airline_receives_only_its_policy_claims(demo: DemoRun) -> None:
    result = demo.json("result-airline.json")
    assert result["verification"]["verified"] is True
    assert set(result["released_claims"]) == AIRLINE_CLAIMS


def test_consulate_receives_the_full_identity(demo: DemoRun) -> None:
    released = demo.json("result-consulate.json")["released_claims"]
    assert {"givenNameTh", "familyNameTh", "birthDate", "address", "laserCode"} <= set(released)


def test_recheck_after_revocation_fails_naming_revoked(demo: DemoRun) -> None:
    result = demo.json("result-airline-revoked.json")
    assert result["verification"].get("verified", False) is False
    assert "REVOKED" in [error["code"] for error in result["verification"]["errors"]]
    assert not result.get("released_claims")


def test_written_credential_verifies_with_civid_credential_verify(demo: DemoRun) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "civid.cli.main",
            "credential",
            "verify",
            str(demo.out / "credential.json"),
            "--controller-doc",
            str(demo.out / "issuer-did.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["verified"] is True


@pytest.mark.interop
def test_written_credential_verifies_with_the_js_verifier(demo: DemoRun) -> None:
    node = _node_or_skip()
    done = subprocess.run(
        [
            node,
            "verify.mjs",
            "--controller-doc",
            str(demo.out / "issuer-did.json"),
            str(demo.out / "credential.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=JS_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["verified"] is True


@pytest.mark.interop
def test_written_presentation_verifies_with_the_js_verifier(demo: DemoRun) -> None:
    node = _node_or_skip()
    presentation = demo.json("presentation-airline.json")
    proof = presentation["proof"]
    done = subprocess.run(
        [
            node,
            "verify-vp.mjs",
            "--challenge",
            proof["challenge"],
            "--domain",
            proof["domain"],
            "--controller-doc",
            str(demo.out / "issuer-did.json"),
            str(demo.out / "presentation-airline.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=JS_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["verified"] is True
