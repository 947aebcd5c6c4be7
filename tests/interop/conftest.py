"""Drivers for the two implementations under test: Digital Bazaar's JS (tests/interop/js) and the civid CLI.

Both read a JSON document on stdin and print JSON. Tests that need Node.js skip, with the reason, only
when `node` is not installed or `tests/interop/js/node_modules` is missing (CI runs `npm ci` there).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
JS_DIR = HERE / "js"
FIXTURES = HERE / "fixtures"
TIMEOUT_S = 120


@dataclass(frozen=True)
class Run:
    """One finished command: its exit status and the JSON it printed."""

    returncode: int
    output: dict[str, Any]


@dataclass(frozen=True)
class DidKey:
    """A did:key as Digital Bazaar derives it from a seed."""

    did: str
    verification_method: str
    public_key_multibase: str
    seed_hex: str


def _run(argv: list[str], document: Any, cwd: Path) -> tuple[int, dict[str, Any]]:
    proc = subprocess.run(
        argv,
        input=json.dumps(document, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=TIMEOUT_S,
        check=False,
    )
    try:
        output = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"{' '.join(argv)} exited {proc.returncode} without JSON output.\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    if not isinstance(output, dict):
        pytest.fail(f"{' '.join(argv)} printed {output!r}, not a JSON object")
    return proc.returncode, output


def _signed(argv: list[str], document: Any, cwd: Path) -> dict[str, Any]:
    """Runs a signing command; fails the test unless it printed a document with a proof."""
    returncode, output = _run(argv, document, cwd)
    assert returncode == 0, f"{' '.join(argv)} failed ({returncode}): {output}"
    assert "proof" in output, f"{' '.join(argv)} printed no proof: {output}"
    return output


@dataclass(frozen=True)
class JsHarness:
    """Digital Bazaar's libraries, driven through the scripts in tests/interop/js."""

    node: str

    def run(self, script: str, *args: str, document: Any = None) -> Run:
        return Run(*_run([self.node, str(JS_DIR / script), *args, "-"], document, JS_DIR))

    def did_key(self, seed_hex: str) -> DidKey:
        out = self.run("did-key.mjs", "--seed-hex", seed_hex).output
        return DidKey(out["did"], out["verificationMethod"], out["publicKeyMultibase"], seed_hex)

    def sign(
        self, document: Any, *, seed_hex: str, cryptosuite: str, extra: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        argv = ["--seed-hex", seed_hex, "--cryptosuite", cryptosuite, *extra]
        return _signed([self.node, str(JS_DIR / "sign.mjs"), *argv, "-"], document, JS_DIR)

    def sign_vp(
        self, document: Any, *, seed_hex: str, cryptosuite: str, challenge: str, domain: str
    ) -> dict[str, Any]:
        argv = ["--seed-hex", seed_hex, "--cryptosuite", cryptosuite, "--challenge", challenge]
        argv += ["--domain", domain]
        return _signed([self.node, str(JS_DIR / "sign-vp.mjs"), *argv, "-"], document, JS_DIR)

    def verify(self, document: Any, *args: str) -> Run:
        return self.run("verify.mjs", *args, document=document)

    def verify_vp(self, document: Any, *, challenge: str, domain: str) -> Run:
        return self.run("verify-vp.mjs", "--challenge", challenge, "--domain", domain, document=document)


@dataclass(frozen=True)
class CividCli:
    """The `civid credential` commands, run as `python -m civid.cli.main` (no PATH needed)."""

    def run(self, *args: str, document: Any) -> Run:
        argv = [sys.executable, "-m", "civid.cli.main", "credential", *args, "-"]
        return Run(*_run(argv, document, HERE))

    def sign(
        self, document: Any, *, seed_hex: str, cryptosuite: str, extra: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        argv = [sys.executable, "-m", "civid.cli.main", "credential", "sign", "--key-seed-hex", seed_hex]
        argv += ["--cryptosuite", cryptosuite, *extra, "-"]
        return _signed(argv, document, HERE)

    def sign_vp(
        self, document: Any, *, seed_hex: str, cryptosuite: str, challenge: str, domain: str
    ) -> dict[str, Any]:
        extra = ("--purpose", "authentication", "--challenge", challenge, "--domain", domain)
        return self.sign(document, seed_hex=seed_hex, cryptosuite=cryptosuite, extra=extra)

    def verify(self, document: Any, *args: str) -> Run:
        return self.run("verify", *args, document=document)


@pytest.fixture(scope="session")
def js() -> JsHarness:
    node = shutil.which("node")
    if node is None:
        pytest.skip("interop: Node.js (`node`) is not installed")
    if not (JS_DIR / "node_modules").is_dir():
        pytest.skip("interop: tests/interop/js/node_modules is missing; run `npm ci` in tests/interop/js")
    return JsHarness(node)


@pytest.fixture(scope="session")
def civid() -> CividCli:
    return CividCli()
