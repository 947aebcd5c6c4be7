"""Real servers on 127.0.0.1 for the verifier's tests (and the wallet's and the demo's).

* :class:`TestIssuer` — an issuer key, its did:web document, revocation and suspension status lists,
  and credentials signed directly with civid.core (fast).
* :class:`FakeIssuerServicer` — a real grpc.aio IssuerService serving only GetDidDocument and
  GetStatusList (with ETags) from a TestIssuer. Test-only: the product never contains it.
* :class:`ThreadedLoop` — an event loop in a background thread, so sync tests can drive grpc.aio servers.
* :func:`start_env_with_real_issuer` — the REAL issuer (tests/issuer/server_fixtures.py: test registry,
  one officer) and a REAL verifier trusting only it, both on 127.0.0.1; the wallet's tests may use it too.
"""

from __future__ import annotations

import asyncio
import gc
import io
import json
import socket
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import grpc

from civid.cli.certs import LocalPki
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for, verification_method_id_for
from civid.core.did.web import build_did_web_document
from civid.core.presentation import create_presentation
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.core.statuslist.bitstring import Bitstring, StatusPurpose
from civid.core.statuslist.credential import status_entry, status_list_credential
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.issuer.v1 import issuer_service_pb2_grpc as ipb_grpc

ISSUER_DID = "did:web:issuer.civid.example"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CIVID_V1 = "https://w3id.org/civid/v1"
T = TypeVar("T")


def tls_credentials(
    pki: LocalPki, *, client_cert: bool, client_pki: LocalPki | None = None
) -> grpc.ChannelCredentials:
    """A TLS client trusting ``pki``'s CA; with ``client_cert``, presenting the client certificate of
    ``client_pki`` (default ``pki``)."""
    if not client_cert:
        return grpc.ssl_channel_credentials(root_certificates=pki.ca_cert.read_bytes())
    client = client_pki or pki
    return grpc.ssl_channel_credentials(
        root_certificates=pki.ca_cert.read_bytes(),
        private_key=client.client_key.read_bytes(),
        certificate_chain=client.client_cert.read_bytes(),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Holder:
    key: Ed25519KeyPair
    did: str
    method: str

    @classmethod
    def new(cls) -> Holder:
        key = Ed25519KeyPair.generate()
        return cls(key, did_key_for(key.public_key), verification_method_id_for(key.public_key))

    def present(
        self,
        credentials: list[Mapping[str, Any]],
        challenge: str,
        domain: str,
        created: datetime | None = None,
    ) -> dict[str, Any]:
        """A presentation signed now, or at ``created``."""
        return create_presentation(
            credentials, self.key, self.did, self.method, challenge=challenge, domain=domain, created=created
        )


PLACEHOLDER_PHOTO = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ"  # a JPEG's first bytes, not a picture


def citizen_claims(index: int, photo: str = PLACEHOLDER_PHOTO) -> dict[str, Any]:
    """A citizen's claims; ``photo``: the card photo's data URL (the issuer's are some 12 KB)."""
    return {
        "type": "Citizen",
        "nationalIdNumber": "1101700203451",
        "laserCode": "JT0123456789",
        "titleTh": "นาย",
        "givenNameTh": "สมชาย",
        "familyNameTh": "ใจดี",
        "titleEn": "Mr.",
        "givenNameEn": f"Somchai{index}",
        "familyNameEn": "Jaidee",
        "birthDate": "1985-01-15",
        "sex": "male",
        "address": {"province": "Bangkok", "district": "Phra Nakhon"},
        "cardIssueDate": "2024-01-01",
        "cardExpiryDate": "2032-01-14",
        "photo": photo,
    }


@dataclass
class TestIssuer:
    """An issuer for tests: signs credentials and status lists with civid.core."""

    __test__ = False  # not a test class

    did: str = ISSUER_DID
    key: Ed25519KeyPair = field(default_factory=Ed25519KeyPair.generate)
    list_length: int = 131072
    version: int = 0
    _lists: dict[StatusPurpose, Bitstring] = field(default_factory=dict)
    _signed: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for purpose in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION):
            self._lists[purpose] = Bitstring(self.list_length)

    @property
    def method(self) -> str:
        return f"{self.did}#key-1"

    @property
    def document(self) -> dict[str, Any]:
        return build_did_web_document(self.did, [("key-1", self.key.public_key)])

    def list_url(self, purpose: StatusPurpose) -> str:
        return f"https://{self.did.removeprefix('did:web:')}/status/{purpose.value}/1"

    def sign(self, document: Mapping[str, Any]) -> dict[str, Any]:
        options = ProofOptions(
            verification_method=self.method, proof_purpose="assertionMethod", cryptosuite="eddsa-rdfc-2022"
        )
        return add_proof(document, self.key, options)

    def unsigned_credential(
        self, holder_did: str, index: int, photo: str = PLACEHOLDER_PHOTO, **extra: Any
    ) -> dict[str, Any]:
        credential: dict[str, Any] = {
            "@context": [CREDENTIALS_V2, CIVID_V1],
            "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
            "type": ["VerifiableCredential", "NationalIdCredential"],
            "issuer": self.did,
            "validFrom": "2024-01-01T00:00:00Z",
            "validUntil": "2032-01-14T23:59:59Z",
            "credentialSubject": {"id": holder_did, **citizen_claims(index, photo)},
            "credentialStatus": [
                status_entry(self.list_url(p), p, index)
                for p in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)
            ],
        }
        credential.update(extra)
        return credential

    def issue(
        self, holder_did: str, index: int, photo: str = PLACEHOLDER_PHOTO, **extra: Any
    ) -> dict[str, Any]:
        return self.sign(self.unsigned_credential(holder_did, index, photo, **extra))

    def set_status(self, purpose: StatusPurpose, index: int) -> None:
        with self._lock:
            self._lists[purpose].set(index)
            self.version += 1

    def status_list(self, url: str) -> tuple[str, dict[str, Any]] | None:
        """The signed list at ``url`` and its ETag (re-signed only when it changed)."""
        purpose = next((p for p in self._lists if self.list_url(p) == url), None)
        if purpose is None:
            return None
        with self._lock:
            cached = self._signed.get(url)
            if cached is None or cached[0] != self.version:
                valid_from = datetime.now(UTC) - timedelta(minutes=1)
                unsigned = status_list_credential(
                    url, self.did, purpose, self._lists[purpose].copy(), valid_from
                )
                cached = self._signed[url] = (self.version, self.sign(unsigned))
            return f"v{cached[0]}", cached[1]


class FakeIssuerServicer(ipb_grpc.IssuerServiceServicer):
    """GetDidDocument and GetStatusList of a TestIssuer (the two calls a verifier needs)."""

    def __init__(self, issuer: TestIssuer) -> None:
        self.issuer = issuer
        self.status_calls = 0

    async def GetDidDocument(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> ipb.GetDidDocumentResponse:
        return ipb.GetDidDocumentResponse(
            did=self.issuer.did, did_document_json=json.dumps(self.issuer.document)
        )

    async def GetStatusList(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> ipb.GetStatusListResponse:
        self.status_calls += 1
        found = self.issuer.status_list(request.status_list_credential)
        if found is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such status list")
            raise AssertionError("unreachable")
        etag, document = found
        if request.if_none_match == etag:
            return ipb.GetStatusListResponse(etag=etag, not_modified=True)
        return ipb.GetStatusListResponse(status_list_credential_json=json.dumps(document), etag=etag)


class ThreadedLoop:
    """An event loop in a daemon thread; ``call(coro_fn)`` runs a coroutine there and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, make: Callable[[], Awaitable[T]], timeout: float = 120) -> T:
        async def run() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def stop_and_release(self, holder: list[Any], stop: Callable[[Any], Awaitable[object]]) -> None:
        """Stop the object ``holder`` holds alone, and free it here, in the loop's thread.

        gRPC's asyncio module shuts down when its last server or channel is freed, closing the socket
        its poller wakes running loops through; freed in another thread while this loop runs, that
        races the loop reading the socket ("OSError: [Errno 9] Bad file descriptor" logged)."""

        async def run() -> None:
            target = holder.pop()
            await stop(target)
            del target
            gc.collect()  # cycles holding gRPC call objects, freed here too

        asyncio.run_coroutine_threadsafe(run(), self.loop).result(120)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


class FakeIssuerServer:
    """A real grpc.aio server on 127.0.0.1 serving a FakeIssuerServicer; ``stop`` takes it down."""

    def __init__(self, issuer: TestIssuer, port: int | None = None) -> None:
        self.issuer = issuer
        self.port = port or free_port()
        self.servicer = FakeIssuerServicer(issuer)
        self._loop = ThreadedLoop()
        self._server: list[grpc.aio.Server] = []  # the started server, held here alone

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> FakeIssuerServer:
        async def start() -> None:
            server = grpc.aio.server()
            ipb_grpc.add_IssuerServiceServicer_to_server(self.servicer, server)
            server.add_insecure_port(self.address)
            await server.start()
            self._server.append(server)

        self._loop.call(start)
        return self

    def stop(self) -> None:
        if self._server:
            self._loop.stop_and_release(self._server, lambda server: server.stop(0))

    def close(self) -> None:
        self.stop()
        self._loop.close()


def write_trust_file(path: Path, issuer_did: str, address: str) -> Path:
    path.write_text(
        f'[[issuer]]\ndid = "{issuer_did}"\naddress = "{address}"\nrefresh_s = 300\n', encoding="utf-8"
    )
    return path


@dataclass(frozen=True)
class RealIssuerEnv:
    """A REAL issuer and a REAL verifier trusting only it; sync helpers for the officer's desk."""

    issuer: Any  # tests.issuer.server_fixtures.RunningIssuer, driven on ``issuer_loop``
    issuer_loop: ThreadedLoop
    verifier_address: str
    verifier_settings: Any  # civid.verifier.settings.VerifierSettings
    rp_keys: dict[str, str]
    channel: grpc.Channel  # to the verifier

    @property
    def issuer_did(self) -> str:
        return str(self.issuer.app.keys.did)

    def rp_metadata(self, rp_id: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.rp_keys[rp_id]}"),)

    def officer(self, rpc: str, request: Any) -> Any:
        """One signed OfficerService call (``rpc``: the method name), answered by the real issuer."""
        method = getattr(self.issuer.officer_stub, rpc)
        return self.issuer_loop.call(lambda: method(request, metadata=self.issuer.officer_metadata(rpc)))

    def issue_national_id(self, national_id: str, holder_did: str) -> dict[str, Any]:
        """The citizen's national-ID credential, issued now to ``holder_did`` at the officer's desk.

        RebindHolder issues whether or not the citizen had an active credential (and revokes it if so),
        so each call gives a fresh credential; the citizen's earlier one is revoked."""
        from civid.issuer.v1 import officer_service_pb2 as opb

        request = opb.RebindHolderRequest(
            national_id=national_id,
            new_holder_did=holder_did,
            reason="identity checked with the card at the desk",
            request_id=f"rebind-{uuid.uuid4().hex[:16]}",
        )
        document: dict[str, Any] = json.loads(
            self.officer("RebindHolder", request).credential.credential_json
        )
        return document


@contextmanager
def start_env_with_real_issuer(tmp: Path, matcher: Any, **verifier_overrides: Any) -> Iterator[RealIssuerEnv]:
    """Start the real issuer (test registry: OBAMA and BIDEN, one officer) and a real verifier with the
    shipped relying parties that trusts only that issuer; stop both at the end.

    ``matcher``: the issuer's face matcher (the ``issuer_face_matcher`` session fixture)."""
    from civid.verifier import app
    from civid.verifier.settings import VerifierSettings
    from tests.issuer import server_fixtures as issuer_fixtures

    issuer_loop = ThreadedLoop()
    config = issuer_fixtures.issuer_test_config(tmp / "issuer")
    registry = issuer_fixtures.write_test_registry(tmp / "registry.jsonl")
    issuer = issuer_loop.call(lambda: issuer_fixtures.start_issuer(config, matcher, registry))
    verifier_loop = ThreadedLoop()
    try:
        trust = write_trust_file(tmp / "trust.toml", issuer.app.keys.did, issuer.address)
        values: dict[str, Any] = {
            "listen": f"127.0.0.1:{free_port()}",
            "data_dir": tmp / "verifier",
            "trust": trust,
            "engine": "thread",
            "engine_workers": 2,
            "max_in_flight": 64,
        }
        settings = VerifierSettings(**(values | verifier_overrides)).validate()
        created = app.prepare(settings, out=io.StringIO())
        running = [verifier_loop.call(lambda: app.start_verifier(settings))]
        channel = grpc.insecure_channel(settings.listen)
        try:
            yield RealIssuerEnv(
                issuer, issuer_loop, settings.listen, settings, {k.rp_id: k.api_key for k in created}, channel
            )
        finally:
            channel.close()
            verifier_loop.stop_and_release(running, lambda verifier: verifier.stop(0))
    finally:
        verifier_loop.close()
        issuer_loop.call(lambda: issuer_fixtures.stop_issuer(issuer))
        issuer_loop.close()
