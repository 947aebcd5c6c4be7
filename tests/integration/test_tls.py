"""TLS and mutual TLS with the certificates `civid certs create` makes: issuer, verifier, wallet client."""

from __future__ import annotations

import io
import json
import stat
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from grpc_health.v1 import health_pb2, health_pb2_grpc

from civid.cli.certs import LocalPki, create_local_pki
from civid.cli.main import main as civid_main
from civid.issuer.app import IssuerApp
from civid.issuer.face import FaceMatcher
from civid.issuer.service.server import server_settings
from civid.issuer.v1 import issuer_service_pb2, issuer_service_pb2_grpc
from civid.rpc.server import build_server
from civid.verifier import app as verifier_app
from civid.verifier.settings import VerifierSettings
from civid.verifier.v1 import verifier_service_pb2, verifier_service_pb2_grpc
from civid.wallet.clients.verifier import VerifierClient
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher
from tests.issuer.server_fixtures import issuer_test_config
from tests.verifier.server_fixtures import (
    FakeIssuerServer,
    Holder,
    TestIssuer,
    ThreadedLoop,
    free_port,
    tls_credentials,
    write_trust_file,
)

AIRLINE = "thai-domestic-air"
BOARDING = "airline-domestic-boarding"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> LocalPki:
    out = tmp_path_factory.mktemp("pki")
    assert civid_main(["certs", "create", "--out", str(out), "--hosts", "127.0.0.1,localhost"]) == 0
    return LocalPki.in_folder(out)


def health_status(address: str, credentials: grpc.ChannelCredentials | None) -> int:
    """The overall health answer over a plaintext (credentials None) or TLS channel."""
    channel = (
        grpc.insecure_channel(address) if credentials is None else grpc.secure_channel(address, credentials)
    )
    with channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    return int(answer.status)


# --- civid certs create --------------------------------------------------------------------------


def test_certs_create_writes_a_ca_server_and_client_certificate_with_private_keys(pki: LocalPki) -> None:
    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    server = x509.load_pem_x509_certificate(pki.server_cert.read_bytes())
    client = x509.load_pem_x509_certificate(pki.client_cert.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    server.verify_directly_issued_by(ca)
    client.verify_directly_issued_by(ca)
    usages = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in usages
    for key in (pki.server_key, pki.client_key, pki.ca_cert.parent / "ca-key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_server_certificate_names_every_requested_host(tmp_path: Path) -> None:
    pki = create_local_pki(tmp_path, ["127.0.0.1", "verifier.internal", "::1"])
    server = x509.load_pem_x509_certificate(pki.server_cert.read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["verifier.internal"]
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}


def test_certs_create_refuses_to_overwrite_existing_files(
    pki: LocalPki, capsys: pytest.CaptureFixture[str]
) -> None:
    before = pki.server_key.read_bytes()
    assert civid_main(["certs", "create", "--out", str(pki.ca_cert.parent)]) == 1
    assert "already holds" in capsys.readouterr().err
    assert pki.server_key.read_bytes() == before


# --- the verifier --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsVerifier:
    address: str
    api_key: str
    issuer: TestIssuer


def _start_verifier(tmp: Path, pki: LocalPki, *, mutual: bool) -> Iterator[TlsVerifier]:
    issuer = TestIssuer()
    issuer_server = FakeIssuerServer(issuer).start()
    settings = VerifierSettings(
        listen=f"127.0.0.1:{free_port()}",
        data_dir=tmp / "data",
        trust=write_trust_file(tmp / "trust.toml", issuer.did, issuer_server.address),
        engine="thread",
        engine_workers=1,
        tls_cert=pki.server_cert,
        tls_key=pki.server_key,
        tls_client_ca=pki.ca_cert if mutual else None,
    ).validate()
    created = verifier_app.prepare(settings, out=io.StringIO())
    loop = ThreadedLoop()
    running = loop.call(lambda: verifier_app.start_verifier(settings))
    try:
        keys = {k.rp_id: k.api_key for k in created}
        yield TlsVerifier(settings.listen, keys[AIRLINE], issuer)
    finally:
        loop.call(lambda: running.stop(0))
        loop.close()
        issuer_server.close()


@pytest.fixture(scope="module")
def tls_verifier(tmp_path_factory: pytest.TempPathFactory, pki: LocalPki) -> Iterator[TlsVerifier]:
    yield from _start_verifier(tmp_path_factory.mktemp("tls-verifier"), pki, mutual=False)


@pytest.fixture(scope="module")
def mtls_verifier(tmp_path_factory: pytest.TempPathFactory, pki: LocalPki) -> Iterator[TlsVerifier]:
    yield from _start_verifier(tmp_path_factory.mktemp("mtls-verifier"), pki, mutual=True)


def _create_boarding_request(
    verifier: TlsVerifier, credentials: grpc.ChannelCredentials
) -> verifier_service_pb2.CreatePresentationRequestResponse:
    with grpc.secure_channel(verifier.address, credentials) as channel:
        stub = verifier_service_pb2_grpc.VerifierServiceStub(channel)
        answer: verifier_service_pb2.CreatePresentationRequestResponse = stub.CreatePresentationRequest(
            verifier_service_pb2.CreatePresentationRequestRequest(policy_id=BOARDING),
            metadata=(("authorization", f"Bearer {verifier.api_key}"),),
            timeout=10,
        )
    return answer


def test_tls_verifier_answers_a_client_that_trusts_the_local_ca(
    tls_verifier: TlsVerifier, pki: LocalPki
) -> None:
    answer = _create_boarding_request(tls_verifier, tls_credentials(pki, client_cert=False))
    assert answer.presentation_request.compact.startswith("civid-pr:v1:")


def test_tls_verifier_refuses_a_plaintext_client(tls_verifier: TlsVerifier) -> None:
    with pytest.raises(grpc.RpcError) as failure:
        health_status(tls_verifier.address, None)
    assert failure.value.code() == grpc.StatusCode.UNAVAILABLE


def test_mtls_verifier_refuses_a_client_without_a_certificate(
    mtls_verifier: TlsVerifier, pki: LocalPki
) -> None:
    with pytest.raises(grpc.RpcError) as failure:
        health_status(mtls_verifier.address, tls_credentials(pki, client_cert=False))
    assert failure.value.code() == grpc.StatusCode.UNAVAILABLE


def test_mtls_verifier_serves_a_client_with_a_certificate_from_the_ca(
    mtls_verifier: TlsVerifier, pki: LocalPki
) -> None:
    answer = _create_boarding_request(mtls_verifier, tls_credentials(pki, client_cert=True))
    assert answer.presentation_request.policy_id == BOARDING


async def test_wallet_client_presents_to_a_tls_verifier_trusting_the_ca_file(
    tls_verifier: TlsVerifier, pki: LocalPki
) -> None:
    created = _create_boarding_request(tls_verifier, tls_credentials(pki, client_cert=False))
    holder = Holder.new()
    credential = tls_verifier.issuer.issue(holder.did, 7)
    async with VerifierClient(tls_verifier.address, tls=True, ca_file=pki.ca_cert) as wallet:
        request = await wallet.presentation_request(compact=created.presentation_request.compact)
        presentation = holder.present([credential], request.challenge, request.domain)
        answer = await wallet.submit(request.presentation_request_id, json.dumps(presentation))
    assert answer.verification.verified, answer.verification


# --- the issuer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsIssuer:
    address: str


async def _serve_issuer(
    tmp: Path, pki: LocalPki, matcher: FaceMatcher, *, mutual: bool
) -> AsyncIterator[TlsIssuer]:
    config = issuer_test_config(
        tmp / "issuer",
        tls_cert=pki.server_cert,
        tls_key=pki.server_key,
        tls_client_ca=pki.ca_cert if mutual else None,
    )
    app = IssuerApp.open(config, matcher=matcher, fast_kdf=True)
    built = build_server(server_settings(config), app.register)
    await built.server.start()
    try:
        yield TlsIssuer(f"127.0.0.1:{built.port}")
    finally:
        await built.server.stop(None)
        app.close()


@pytest.fixture
async def mtls_issuer(
    tmp_path: Path, pki: LocalPki, issuer_face_matcher: FaceMatcher
) -> AsyncIterator[TlsIssuer]:
    async for served in _serve_issuer(tmp_path, pki, issuer_face_matcher, mutual=True):
        yield served


async def _did_document(address: str, credentials: grpc.ChannelCredentials) -> str:
    async with grpc.aio.secure_channel(address, credentials) as channel:
        stub = issuer_service_pb2_grpc.IssuerServiceStub(channel)
        answer = await stub.GetDidDocument(issuer_service_pb2.GetDidDocumentRequest(), timeout=10)
    return str(answer.did)


@pytest.mark.slow
async def test_mtls_issuer_serves_a_client_with_a_certificate(mtls_issuer: TlsIssuer, pki: LocalPki) -> None:
    did = await _did_document(mtls_issuer.address, tls_credentials(pki, client_cert=True))
    assert did == "did:web:issuer.civid.example"


@pytest.mark.slow
async def test_mtls_issuer_refuses_a_client_without_a_certificate(
    mtls_issuer: TlsIssuer, pki: LocalPki
) -> None:
    with pytest.raises(grpc.RpcError) as failure:
        await _did_document(mtls_issuer.address, tls_credentials(pki, client_cert=False))
    assert failure.value.code() == grpc.StatusCode.UNAVAILABLE


@pytest.mark.slow
async def test_tls_issuer_serves_a_client_trusting_the_local_ca(
    tmp_path: Path, pki: LocalPki, issuer_face_matcher: FaceMatcher
) -> None:
    async for served in _serve_issuer(tmp_path, pki, issuer_face_matcher, mutual=False):
        did = await _did_document(served.address, tls_credentials(pki, client_cert=False))
        assert did == "did:web:issuer.civid.example"
