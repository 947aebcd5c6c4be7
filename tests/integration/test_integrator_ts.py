"""The integrator's airline kiosks against a real verifier: TypeScript (stubs generated from protos/)
and the same client in Python (integrator/python).

Each kiosk runs as its own process; a civid wallet client answers its request with a presentation
signed by civid.core. The TypeScript one needs ``npm ci && npm run build`` in integrator/typescript.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from civid.verifier import app as verifier_app
from civid.verifier.settings import VerifierSettings
from civid.wallet.clients.verifier import VerifierClient
from tests.verifier.server_fixtures import (
    FakeIssuerServer,
    Holder,
    TestIssuer,
    ThreadedLoop,
    free_port,
    write_trust_file,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
KIT = REPO / "integrator" / "typescript"
KIOSK = KIT / "dist" / "src" / "airline-kiosk.js"
PYTHON_KIOSK = REPO / "integrator" / "python" / "airline_kiosk.py"
AIRLINE = "thai-domestic-air"
WAIT_S = 60


@dataclass(frozen=True)
class Verifier:
    address: str
    api_key: str
    issuer: TestIssuer


def typescript_kiosk() -> list[str]:
    """The compiled kiosk (built here when node_modules is installed but dist/ is missing)."""
    node_modules = KIT / "node_modules"
    if shutil.which("node") is None or not node_modules.is_dir():
        pytest.skip("node or integrator/typescript/node_modules missing (run npm ci there)")
    if not KIOSK.exists():
        subprocess.run(["npm", "run", "build"], cwd=KIT, check=True, capture_output=True, timeout=300)
    return ["node", str(KIOSK)]


@pytest.fixture(params=["typescript", "python"])
def kiosk(request: pytest.FixtureRequest) -> list[str]:
    """The command that starts a kiosk."""
    if request.param == "typescript":
        return typescript_kiosk()
    return [sys.executable, str(PYTHON_KIOSK)]


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Verifier]:
    tmp = tmp_path_factory.mktemp("ts-verifier")
    issuer = TestIssuer()
    issuer_server = FakeIssuerServer(issuer).start()
    settings = VerifierSettings(
        listen=f"127.0.0.1:{free_port()}",
        data_dir=tmp / "data",
        trust=write_trust_file(tmp / "trust.toml", issuer.did, issuer_server.address),
        engine="thread",
        engine_workers=1,
    ).validate()
    created = verifier_app.prepare(settings, out=io.StringIO())
    loop = ThreadedLoop()
    running = loop.call(lambda: verifier_app.start_verifier(settings))
    try:
        yield Verifier(settings.listen, {k.rp_id: k.api_key for k in created}[AIRLINE], issuer)
    finally:
        loop.call(lambda: running.stop(0))
        loop.close()
        issuer_server.close()


def start_kiosk(kiosk: list[str], address: str, api_key: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CIVID_RP_API_KEY": api_key}
    return subprocess.Popen(
        [*kiosk, "--verifier", address, "--timeout-s", str(WAIT_S)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def read_compact(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("compact "):
            return line.split(" ", 1)[1].strip()
    raise AssertionError(f"the kiosk printed no compact request; stderr: {process.communicate()[1]}")


async def wallet_answers(verifier: Verifier, compact: str) -> bool:
    """A civid wallet reads the request by its compact string, signs a presentation and submits it."""
    holder = Holder.new()
    credential = verifier.issuer.issue(holder.did, 11)
    async with VerifierClient(verifier.address) as wallet:
        request = await wallet.presentation_request(compact=compact)
        presentation = holder.present([credential], request.challenge, request.domain)
        answer = await wallet.submit(request.presentation_request_id, json.dumps(presentation))
    return bool(answer.verification.verified)


def test_kiosk_prints_the_claims_the_wallet_released(kiosk: list[str], verifier: Verifier) -> None:
    process = start_kiosk(kiosk, verifier.address, verifier.api_key)
    try:
        compact = read_compact(process)
        assert compact.startswith("civid-pr:v1:")
        assert asyncio.run(wallet_answers(verifier, compact))
        stdout, stderr = process.communicate(timeout=WAIT_S)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "verified: true" in stdout
    assert "claim givenNameEn: Somchai11" in stdout
    assert "claim familyNameEn: Jaidee" in stdout


def test_kiosk_reads_the_error_info_reason_of_a_refused_call(kiosk: list[str], verifier: Verifier) -> None:
    process = start_kiosk(kiosk, verifier.address, "not-a-registered-key")
    stdout, stderr = process.communicate(timeout=WAIT_S)
    assert process.returncode == 1
    assert "compact" not in stdout
    assert "RP_UNAUTHENTICATED:" in stderr.splitlines()[-1]
    assert stderr.splitlines()[-1].startswith("error: ")
