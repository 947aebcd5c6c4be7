"""Pytest fixtures that start a REAL issuer gRPC server (grpc.aio, 127.0.0.1:<free port>) in-process.

Use from any test module (verifier, wallet, demo tests too)::

    from tests.issuer.server_fixtures import *  # noqa: F403  (or list them in pytest_plugins)

    async def test_something(issuer: RunningIssuer) -> None:
        did_doc = await issuer.issuer_stub.GetDidDocument(issuer_service_pb2.GetDidDocumentRequest())

``issuer`` gives a fresh data directory (SQLite), a small registry (:data:`OBAMA`, :data:`BIDEN`, with
photos from ``civid.issuer.photos``), one registered officer (``issuer.officer_metadata(rpc)`` signs a
call) and stubs for both services. The face matcher (dlib) is loaded once per session.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import grpc
import pytest

from civid.common.v1 import holder_proof_pb2
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.issuer.app import IssuerApp, import_registry
from civid.issuer.config import IssuerConfig
from civid.issuer.domain.enrollment import COMPLETE_METHOD
from civid.issuer.domain.holder_proof import signing_input
from civid.issuer.domain.officer_auth import sign_officer_call
from civid.issuer.eservices import handlers
from civid.issuer.face import FaceMatcher, create_matcher
from civid.issuer.photos import fetch_photos
from civid.issuer.registry.national_id import check_digit
from civid.issuer.service.runner import DomainRunner
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.issuer.v1 import issuer_service_pb2_grpc, officer_service_pb2_grpc
from civid.rpc.server import ServerSettings, build_server


def national_id(first12: str) -> str:
    return first12 + str(check_digit(first12))


OBAMA = national_id("110170023070")  # registry photo obama.jpg; selfie obama2.jpg matches
BIDEN = national_id("310040012345")  # registry photo biden.jpg
UNKNOWN = national_id("123456789012")  # valid check digit, not in the registry
OBAMA_LASER = "JT0-1234567-89"
BIDEN_LASER = "ME1-7654321-00"
OFFICER_ID = "officer-1"


def _citizen_row(nid: str, laser: str, given: str, family: str, photo: str, expires: str) -> dict[str, Any]:
    return {
        "kind": "citizen",
        "national_id": nid,
        "laser_code": laser,
        "name_th": {"title": "นาย", "given": "สมชาย", "family": "ใจดี"},
        "name_en": {"title": "Mr.", "given": given, "family": family},
        "birth_date": "1961-08-04",
        "sex": "male",
        "religion": "พุทธ",
        "address": {
            "house_number": "99/1",
            "moo": "4",
            "sub_district": "คลองเตยเหนือ",
            "district": "วัฒนา",
            "province": "กรุงเทพมหานคร",
            "postal_code": "10110",
            "house_code": "10050123456",
        },
        "card_issued": "2024-01-15",
        "card_expires": expires,
        "issuing_office": "สำนักงานเขตวัฒนา",
        "photo": {"name": photo},
    }


def write_test_registry(path: Path) -> Path:
    """A two-citizen registry export (JSON Lines) with the house they live in."""
    expires = date(date.today().year + 5, 1, 1).isoformat()
    house = {
        "kind": "house",
        "house_number": "99/1",
        "moo": "4",
        "sub_district": "คลองเตยเหนือ",
        "district": "วัฒนา",
        "province": "กรุงเทพมหานคร",
        "postal_code": "10110",
        "house_code": "10050123456",
    }
    rows = [
        house,
        _citizen_row(OBAMA, OBAMA_LASER, "Barack", "Obama", "obama.jpg", expires),
        _citizen_row(BIDEN, BIDEN_LASER, "Joe", "Biden", "biden.jpg", expires),
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@dataclass(frozen=True)
class RunningIssuer:
    """A started issuer: its address, app (domain access), officer key and service stubs."""

    address: str
    app: IssuerApp
    server: grpc.aio.Server
    channel: grpc.aio.Channel
    issuer_stub: issuer_service_pb2_grpc.IssuerServiceStub
    officer_stub: officer_service_pb2_grpc.OfficerServiceStub
    officer_id: str
    officer_key: Ed25519KeyPair

    def officer_metadata(self, rpc: str) -> tuple[tuple[str, str | bytes], ...]:
        """Signed metadata for one OfficerService call (``rpc``: the method name, e.g. "GetCitizen")."""
        method = f"/civid.issuer.v1.OfficerService/{rpc}"
        return sign_officer_call(self.officer_id, self.officer_key, method, int(self.app.clock().timestamp()))


@pytest.fixture(scope="session")
def issuer_face_matcher() -> FaceMatcher:
    """The dlib matcher, loaded once per session (slow on 2 cores)."""
    fetch_photos()
    return create_matcher("dlib")


def issuer_test_config(data_dir: Path, **overrides: Any) -> IssuerConfig:
    passphrase = data_dir / "passphrase"
    data_dir.mkdir(parents=True, exist_ok=True)
    passphrase.write_text("test passphrase\n", encoding="utf-8")
    values: dict[str, Any] = {
        "listen": "127.0.0.1:0",
        "data_dir": data_dir,
        "demo_registry": False,
        "key_passphrase_file": passphrase,
    }
    return IssuerConfig(**(values | overrides))


async def start_issuer(config: IssuerConfig, matcher: FaceMatcher, registry: Path | None) -> RunningIssuer:
    """Open the app (fast KDF), load ``registry``, register an officer and start the server."""
    app = IssuerApp.open(config, matcher=matcher, fast_kdf=True)
    if registry is not None:
        import_registry(app, registry, actor="admin:test")
    officer_key = Ed25519KeyPair.generate()
    app.store.officers.add(OFFICER_ID, "Test Officer", officer_key.public_key.multikey)
    run = DomainRunner()
    built = build_server(
        ServerSettings(listen=config.listen, max_message_bytes=config.max_message_bytes),
        lambda server: app.register(server, handlers(app, run)),
    )
    server, port = built.server, built.port
    await server.start()
    address = f"127.0.0.1:{port}"
    channel = grpc.aio.insecure_channel(
        address, options=[("grpc.max_send_message_length", config.max_message_bytes)]
    )
    return RunningIssuer(
        address=address,
        app=app,
        server=server,
        channel=channel,
        issuer_stub=issuer_service_pb2_grpc.IssuerServiceStub(channel),
        officer_stub=officer_service_pb2_grpc.OfficerServiceStub(channel),
        officer_id=OFFICER_ID,
        officer_key=officer_key,
    )


async def stop_issuer(running: RunningIssuer) -> None:
    await running.channel.close()
    await running.server.stop(None)
    running.app.close()


@pytest.fixture
async def issuer(tmp_path: Path, issuer_face_matcher: FaceMatcher) -> AsyncIterator[RunningIssuer]:
    """A fresh issuer server with the two-citizen test registry and one officer."""
    config = issuer_test_config(tmp_path / "issuer")
    running = await start_issuer(
        config, issuer_face_matcher, write_test_registry(tmp_path / "registry.jsonl")
    )
    try:
        yield running
    finally:
        await stop_issuer(running)


# --- the wallet side of self-service enrollment, for tests ---


@dataclass(frozen=True)
class Holder:
    key: Ed25519KeyPair = field(default_factory=Ed25519KeyPair.generate)

    @property
    def did(self) -> str:
        return did_key_for(self.key.public_key)

    def proof(
        self, audience: str, method: str, nonce: str, params: dict[str, str]
    ) -> holder_proof_pb2.HolderProof:
        created = int(time.time())
        signature = self.key.sign(signing_input(audience, created, self.did, method, nonce, params))
        proof = holder_proof_pb2.HolderProof(did=self.did, nonce=nonce, signature=signature)
        proof.create_time.seconds = created
        return proof


async def enroll(
    stub: issuer_service_pb2_grpc.IssuerServiceStub,
    holder: Holder,
    national_id: str,
    laser_code: str,
    selfie: bytes,
    request_id: str = "enroll-1",
) -> ipb.CompleteEnrollmentResponse:
    started = await stub.StartEnrollment(
        ipb.StartEnrollmentRequest(national_id=national_id, laser_code=laser_code, holder_did=holder.did)
    )
    params = {
        "enrollmentId": started.enrollment_id,
        "requestId": request_id,
        "selfieSha256": hashlib.sha256(selfie).hexdigest(),
    }
    proof = holder.proof(started.issuer_did, COMPLETE_METHOD, started.challenge, params)
    request = ipb.CompleteEnrollmentRequest(
        enrollment_id=started.enrollment_id, selfie=selfie, holder_proof=proof, request_id=request_id
    )
    return await stub.CompleteEnrollment(request)
