"""TLS for the issuer server (``--tls-cert/--tls-key/--tls-client-ca``) and officers admitted by mTLS.

Certificates are made here: a test CA, a server certificate for 127.0.0.1, and client certificates
signed by the CA (one registered for the officer, one not).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from civid.core.crypto.keys import Ed25519KeyPair
from civid.issuer.app import IssuerApp, import_registry
from civid.issuer.face import FaceMatcher
from civid.issuer.service.server import server_settings
from civid.issuer.v1 import issuer_service_pb2 as ipb
from civid.issuer.v1 import issuer_service_pb2_grpc, officer_service_pb2_grpc
from civid.issuer.v1 import officer_service_pb2 as opb
from civid.rpc.errors import error_details
from civid.rpc.server import build_server
from tests.issuer.server_fixtures import OBAMA, issuer_test_config, write_test_registry
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher

pytestmark = pytest.mark.slow

OFFICER_ID = "officer-tls"


@dataclass(frozen=True)
class Issued:
    cert_pem: bytes
    key_pem: bytes

    @property
    def sha256(self) -> str:
        der = x509.load_pem_x509_certificate(self.cert_pem).public_bytes(serialization.Encoding.DER)
        return hashlib.sha256(der).hexdigest()


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str, issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None, *, ca: bool = False
) -> tuple[Issued, x509.Name, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_name, signer = issuer or (_name(subject), key)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        san = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    cert = builder.sign(signer, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return Issued(cert.public_bytes(serialization.Encoding.PEM), key_pem), _name(subject), key


@dataclass(frozen=True)
class Pki:
    ca: Issued
    server: Issued
    officer: Issued
    stranger: Issued

    def write(self, folder: Path) -> dict[str, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        files = {"ca": self.ca.cert_pem, "cert": self.server.cert_pem, "key": self.server.key_pem}
        for name, data in files.items():
            (folder / f"{name}.pem").write_bytes(data)
        return {name: folder / f"{name}.pem" for name in files}


@pytest.fixture(scope="module")
def pki() -> Pki:
    ca, ca_name, ca_key = _certificate("civid test CA", None, ca=True)
    signed_by_ca = (ca_name, ca_key)
    return Pki(
        ca,
        _certificate("localhost", signed_by_ca)[0],
        _certificate("officer one", signed_by_ca)[0],
        _certificate("someone else", signed_by_ca)[0],
    )


@dataclass(frozen=True)
class TlsIssuer:
    app: IssuerApp
    server: grpc.aio.Server
    address: str


async def _start(tmp_path: Path, matcher: FaceMatcher, pki: Pki, client_ca: bool) -> TlsIssuer:
    files = pki.write(tmp_path / "tls")
    config = issuer_test_config(
        tmp_path / "issuer",
        tls_cert=files["cert"],
        tls_key=files["key"],
        tls_client_ca=files["ca"] if client_ca else None,
    )
    app = IssuerApp.open(config, matcher=matcher, fast_kdf=True)
    import_registry(app, write_test_registry(tmp_path / "registry.jsonl"), actor="admin:test")
    key = Ed25519KeyPair.generate().public_key.multikey
    app.store.officers.add(OFFICER_ID, "TLS Officer", key, certificate_sha256=pki.officer.sha256)
    built = build_server(server_settings(config), app.register)
    await built.server.start()
    return TlsIssuer(app, built.server, f"localhost:{built.port}")


@pytest.fixture
async def mtls_issuer(tmp_path: Path, issuer_face_matcher: FaceMatcher, pki: Pki) -> AsyncIterator[TlsIssuer]:
    running = await _start(tmp_path, issuer_face_matcher, pki, client_ca=True)
    try:
        yield running
    finally:
        await running.server.stop(None)
        running.app.close()


def _channel(running: TlsIssuer, pki: Pki, client: Issued | None) -> grpc.aio.Channel:
    credentials = grpc.ssl_channel_credentials(
        root_certificates=pki.ca.cert_pem,
        private_key=client.key_pem if client else None,
        certificate_chain=client.cert_pem if client else None,
    )
    return grpc.aio.secure_channel(running.address, credentials)


async def test_an_officer_with_a_registered_client_certificate_needs_no_signature(
    mtls_issuer: TlsIssuer, pki: Pki
) -> None:
    async with _channel(mtls_issuer, pki, pki.officer) as channel:
        stub = officer_service_pb2_grpc.OfficerServiceStub(channel)
        answer = await stub.GetCitizen(opb.GetCitizenRequest(national_id=OBAMA))
    assert answer.citizen.national_id == OBAMA


async def test_an_unregistered_client_certificate_is_unauthenticated(
    mtls_issuer: TlsIssuer, pki: Pki
) -> None:
    async with _channel(mtls_issuer, pki, pki.stranger) as channel:
        stub = officer_service_pb2_grpc.OfficerServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.GetCitizen(opb.GetCitizenRequest(national_id=OBAMA))
    assert raised.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert error_details(raised.value).reason == "OFFICER_UNAUTHENTICATED"


async def test_a_client_without_a_certificate_cannot_connect_when_a_client_ca_is_set(
    mtls_issuer: TlsIssuer, pki: Pki
) -> None:
    async with _channel(mtls_issuer, pki, None) as channel:
        stub = issuer_service_pb2_grpc.IssuerServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.GetDidDocument(ipb.GetDidDocumentRequest(), timeout=10)
    assert raised.value.code() is grpc.StatusCode.UNAVAILABLE


async def test_the_server_speaks_tls_with_its_configured_certificate(
    tmp_path: Path, issuer_face_matcher: FaceMatcher, pki: Pki
) -> None:
    running = await _start(tmp_path, issuer_face_matcher, pki, client_ca=False)
    try:
        async with _channel(running, pki, None) as channel:
            stub = issuer_service_pb2_grpc.IssuerServiceStub(channel)
            answer = await stub.GetDidDocument(ipb.GetDidDocumentRequest())
        async with grpc.aio.insecure_channel(running.address) as plain:
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await issuer_service_pb2_grpc.IssuerServiceStub(plain).GetDidDocument(
                    ipb.GetDidDocumentRequest(), timeout=10
                )
    finally:
        await running.server.stop(None)
        running.app.close()
    assert answer.did == running.app.keys.did
    assert raised.value.code() is grpc.StatusCode.UNAVAILABLE
