"""Fixtures for the wallet's app and headless tests: fast KDF, a signed national ID credential, servers."""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import grpc
import pytest

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for, verification_method_id_for
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.wallet.domain import Wallet
from civid.wallet.services.config import FAST_KDF_ENV, PIN_ENV

PIN = "482915"
ISSUER_SEED = bytes(range(32))


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test-only: the minimum Argon2id cost, so each unlock takes milliseconds."""
    monkeypatch.setenv(FAST_KDF_ENV, "1")
    monkeypatch.delenv(PIN_ENV, raising=False)


def photo_data_uri() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (60, 80), (200, 220, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((15, 12, 45, 48), fill=(224, 172, 105))
    draw.rectangle((10, 50, 50, 80), fill=(30, 60, 120))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def signed_national_id(holder_did: str) -> dict[str, Any]:
    """A national ID credential signed by a did:key test issuer (no status list: no network needed)."""
    issuer = Ed25519KeyPair.from_seed(ISSUER_SEED)
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/civid/v1"],
        "id": "urn:uuid:6b3f0c52-4d1e-4d8e-9d55-1f2a3b4c5d6e",
        "type": ["VerifiableCredential", "NationalIdCredential"],
        "issuer": did_key_for(issuer.public_key),
        "validFrom": "2024-01-15T00:00:00Z",
        "validUntil": "2032-04-11T23:59:59Z",
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
            "birthDate": "1990-04-12",
            "cardIssueDate": "2024-01-15",
            "cardExpiryDate": "2032-04-11",
            "laserCode": "JT0-1234567-89",
            "photo": photo_data_uri(),
        },
    }
    options = ProofOptions(
        verification_method=verification_method_id_for(issuer.public_key),
        proof_purpose="assertionMethod",
        cryptosuite="eddsa-rdfc-2022",
        created=datetime(2024, 1, 15, tzinfo=UTC),
    )
    return add_proof(document, issuer, options)


@pytest.fixture
def pin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Headless commands read the PIN of the fixtures' wallets from the environment."""
    monkeypatch.setenv(PIN_ENV, PIN)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "wallet"


@pytest.fixture
def wallet_with_card(store_dir: Path) -> Wallet:
    from civid.wallet.services.lifecycle import init_wallet

    wallet = init_wallet(store_dir, PIN)
    wallet.add_credential(
        signed_national_id(wallet.holder_did), received_at=datetime(2024, 1, 15, tzinfo=UTC)
    )
    return wallet


def _load_fixture_module(path: Path) -> Any:
    """Load another area's ``server_fixtures.py`` under a unique name (both areas use that file name)."""
    spec = importlib.util.spec_from_file_location(f"_wallet_uses_{path.parent.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@cache
def _fixtures(area: str) -> Any:
    """``tests/<area>/server_fixtures.py``, loaded on first use (it imports the issuer or verifier)."""
    return _load_fixture_module(Path(__file__).resolve().parents[1] / area / "server_fixtures.py")


@dataclass(frozen=True)
class DemoCitizen:
    """The demo registry's enrollee (registry photo obama.jpg) and the selfie that matches him."""

    national_id: str
    laser_code: str
    selfie_path: Path


@dataclass(frozen=True)
class IssuerUnderTest:
    address: str
    did: str
    demo_citizen: DemoCitizen


@dataclass(frozen=True)
class VerifierUnderTest:
    """A real verifier; ``create_request`` acts as the relying party registered for the policy."""

    address: str
    channel: grpc.Channel
    rp_keys: dict[str, str]

    def create_request(self, policy_id: str) -> str:
        """A fresh presentation request's compact string (``civid-pr:v1:<id>@<host:port>``)."""
        from civid.verifier.v1 import verifier_service_pb2 as vpb
        from civid.verifier.v1 import verifier_service_pb2_grpc as vpb_grpc

        stub = vpb_grpc.VerifierServiceStub(self.channel)
        for key in self.rp_keys.values():
            metadata = (("authorization", f"Bearer {key}"),)
            offered = stub.ListPolicies(vpb.ListPoliciesRequest(), metadata=metadata).policies
            if policy_id in {p.policy_id for p in offered}:
                request = vpb.CreatePresentationRequestRequest(policy_id=policy_id)
                answer = stub.CreatePresentationRequest(request, metadata=metadata)
                return str(answer.presentation_request.compact)
        raise LookupError(f"no shipped relying party is registered for policy {policy_id!r}")


def demo_citizen() -> DemoCitizen:
    """The demo registry row whose photo is obama.jpg; he enrols with obama2.jpg."""
    from civid.issuer.app import demo_registry_file
    from civid.issuer.photos import photo_path

    path = demo_registry_file()
    assert path is not None, "the issuer ships no demo registry"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    [row] = [r for r in rows if r.get("kind") == "citizen" and r.get("photo") == {"name": "obama.jpg"}]
    return DemoCitizen(row["national_id"], row["laser_code"], photo_path("obama2.jpg"))


@contextmanager
def running_issuer(data_dir: Path, matcher: Any) -> Iterator[IssuerUnderTest]:
    """The real issuer with the demo registry, on its own event loop in a thread."""
    from civid.issuer.app import demo_registry_file

    loop = _fixtures("verifier").ThreadedLoop()
    config = _fixtures("issuer").issuer_test_config(data_dir, demo_registry=True)
    try:
        running = loop.call(lambda: _fixtures("issuer").start_issuer(config, matcher, demo_registry_file()))
        try:
            yield IssuerUnderTest(running.address, running.app.keys.did, demo_citizen())
        finally:
            loop.call(lambda: _fixtures("issuer").stop_issuer(running))
    finally:
        loop.close()


@contextmanager
def running_verifier(data_dir: Path, issuer: IssuerUnderTest) -> Iterator[VerifierUnderTest]:
    """The real verifier with the shipped relying parties, trusting only ``issuer``."""
    from civid.verifier import app
    from civid.verifier.settings import VerifierSettings

    data_dir.mkdir(parents=True, exist_ok=True)
    trust = _fixtures("verifier").write_trust_file(data_dir / "trust.toml", issuer.did, issuer.address)
    port = _fixtures("verifier").free_port()
    settings = VerifierSettings(
        listen=f"127.0.0.1:{port}",
        data_dir=data_dir / "data",
        trust=trust,
        engine="thread",
        engine_workers=2,
    ).validate()
    created = app.prepare(settings, out=io.StringIO())
    loop = _fixtures("verifier").ThreadedLoop()
    try:
        running = loop.call(lambda: app.start_verifier(settings))
        channel = grpc.insecure_channel(settings.listen)
        try:
            yield VerifierUnderTest(settings.listen, channel, {k.rp_id: k.api_key for k in created})
        finally:
            channel.close()
            loop.call(lambda: running.stop(0))
    finally:
        loop.close()


@pytest.fixture(scope="session")
def face_matcher() -> Any:
    """The issuer's dlib matcher, loaded once per session (slow on 2 cores)."""
    from civid.issuer.face import create_matcher
    from civid.issuer.photos import fetch_photos

    fetch_photos()
    return create_matcher("dlib")


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, face_matcher: Any
) -> Iterator[tuple[IssuerUnderTest, VerifierUnderTest]]:
    """A REAL issuer (demo registry) and a REAL verifier trusting it, on 127.0.0.1, for one module.

    Each test enrols into its own wallet; a later enrolment of the demo citizen revokes the earlier
    credential at the issuer, so a test must enrol before it presents."""
    root = tmp_path_factory.mktemp("servers")
    with (
        running_issuer(root / "issuer", face_matcher) as issuer,
        running_verifier(root / "verifier", issuer) as verifier,
    ):
        yield issuer, verifier
