"""TLS and mutual TLS at the gateway: nginx terminates TLS, requires client certificates as the
servers would, and hands the certificate it verified to the servers in a header no caller can set.

The boarding flow of test_server_presentations.py runs here again, through the TLS gateway."""

from __future__ import annotations

import os
import ssl
import stat
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import grpc
import pytest
from conftest import AIRLINE, CONSULATE, VerifierEnv, start_env
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc
from server_fixtures import TestIssuer, tls_credentials
from test_server_presentations import (  # noqa: F401  (collected again: run through the TLS gateway here)
    BOARDING,
    rpc_error,
    test_airline_boarding_verifies_and_releases_only_the_policy_claims,
)

from civid.cli.certs import LocalPki, create_local_pki
from civid.verifier import app
from civid.verifier.domain.api_keys import certificate_fingerprint
from civid.verifier.domain.relying_parties import RelyingPartyRegistry
from civid.verifier.gateway import certificate_refused, server_socket
from civid.verifier.service.auth import CLIENT_CERT_HEADER
from civid.verifier.v1 import verifier_service_pb2 as pb
from civid.verifier.v1 import verifier_service_pb2_grpc as pb_grpc

pytestmark = pytest.mark.slow

Metadata = tuple[tuple[str, str], ...]


def register_client_certificate(env: VerifierEnv, rp_id: str, pki: LocalPki) -> None:
    """Register ``pki``'s client certificate to ``rp_id`` (as `civid verifier rp update` would)."""
    der = ssl.PEM_cert_to_DER_cert(pki.client_cert.read_text(encoding="ascii"))
    database = app.open_database(env.settings)
    try:
        registry = RelyingPartyRegistry(database, app.load_policy_set(env.settings))
        registry.update_rp(rp_id, certificate_fingerprints=(certificate_fingerprint(der),))
    finally:
        database.dispose()


def certificate_header(pki: LocalPki) -> Metadata:
    """The header nginx sends for ``pki``'s client certificate (``$ssl_client_escaped_cert``)."""
    return ((CLIENT_CERT_HEADER, quote(pki.client_cert.read_text(encoding="ascii"), safe="")),)


def list_policies(channel: grpc.Channel, metadata: Metadata = ()) -> list[str]:
    answer = pb_grpc.VerifierServiceStub(channel).ListPolicies(
        pb.ListPoliciesRequest(), metadata=metadata, timeout=10
    )
    return [policy.policy_id for policy in answer.policies]


def verify_nothing(channel: grpc.Channel, metadata: Metadata = ()) -> list[str]:
    """A VerifyPresentation call (authenticated before anything is parsed)."""
    pb_grpc.VerifierServiceStub(channel).VerifyPresentation(
        pb.VerifyPresentationRequest(policy_id=BOARDING), metadata=metadata, timeout=10
    )
    return []


# the gateway's two kinds of location: verifications (counted) and every other call
CALLS: dict[str, Callable[[grpc.Channel, Metadata], list[str]]] = {
    "ListPolicies": list_policies,
    "VerifyPresentation": verify_nothing,
}


@pytest.fixture(scope="module")
def second_pki(tmp_path_factory: pytest.TempPathFactory) -> LocalPki:
    """A second CA the mTLS gateway also trusts; its client certificate is registered to nobody."""
    return create_local_pki(tmp_path_factory.mktemp("second-pki"), ["127.0.0.1"])


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> LocalPki:
    """A CA no verifier trusts, with a client certificate of its own."""
    return create_local_pki(tmp_path_factory.mktemp("other-pki"), ["127.0.0.1"])


@pytest.fixture(scope="module")
def verifier_env(
    tmp_path_factory: pytest.TempPathFactory, test_issuer: TestIssuer, local_pki: LocalPki
) -> Iterator[VerifierEnv]:
    """A gateway terminating TLS without a client CA; ``local_pki``'s client certificate is registered
    to the airline. (Overrides conftest's for the test imported above.)"""
    for env in start_env(
        tmp_path_factory.mktemp("tls-gateway"),
        test_issuer,
        credentials=tls_credentials(local_pki, client_cert=False),
        gateway=True,
        tls_cert=local_pki.server_cert,
        tls_key=local_pki.server_key,
    ):
        register_client_certificate(env, AIRLINE, local_pki)
        yield env


@pytest.fixture(scope="module")
def mtls_env(
    tmp_path_factory: pytest.TempPathFactory,
    test_issuer: TestIssuer,
    local_pki: LocalPki,
    second_pki: LocalPki,
) -> Iterator[VerifierEnv]:
    """A gateway requiring a client certificate from ``local_pki``'s CA or ``second_pki``'s; only
    ``local_pki``'s client certificate is registered (to the airline), and the env's channel presents it."""
    tmp = tmp_path_factory.mktemp("mtls-gateway")
    client_cas = tmp / "client-cas.pem"
    client_cas.write_bytes(local_pki.ca_cert.read_bytes() + second_pki.ca_cert.read_bytes())
    for env in start_env(
        tmp,
        test_issuer,
        credentials=tls_credentials(local_pki, client_cert=True),
        gateway=True,
        tls_cert=local_pki.server_cert,
        tls_key=local_pki.server_key,
        tls_client_ca=client_cas,
    ):
        register_client_certificate(env, AIRLINE, local_pki)
        yield env


@pytest.fixture(scope="module")
def direct_env(
    tmp_path_factory: pytest.TempPathFactory, test_issuer: TestIssuer, local_pki: LocalPki
) -> Iterator[VerifierEnv]:
    """A server without the gateway (plaintext); ``local_pki``'s client certificate is the airline's."""
    for env in start_env(tmp_path_factory.mktemp("direct"), test_issuer):
        register_client_certificate(env, AIRLINE, local_pki)
        yield env


# --- mutual TLS: the certificate nginx verified authenticates the relying party --------------------


def test_a_relying_party_registered_by_certificate_authenticates_with_it_through_the_gateway(
    mtls_env: VerifierEnv,
) -> None:
    by_certificate = list_policies(mtls_env.channel)  # no API key: the client certificate alone
    assert by_certificate == list_policies(mtls_env.channel, mtls_env.rp_metadata(AIRLINE))
    assert BOARDING in by_certificate


def test_an_api_key_authenticates_over_mtls_with_any_certificate_from_the_client_ca(
    mtls_env: VerifierEnv, local_pki: LocalPki, second_pki: LocalPki
) -> None:
    credentials = tls_credentials(local_pki, client_cert=True, client_pki=second_pki)
    with grpc.secure_channel(mtls_env.address, credentials) as channel:
        assert BOARDING in list_policies(channel, mtls_env.rp_metadata(AIRLINE))


@pytest.mark.parametrize("client", ["no certificate", "another CA's certificate"])
def test_without_a_certificate_from_the_client_ca_every_call_is_refused_unauthenticated(
    mtls_env: VerifierEnv, local_pki: LocalPki, other_pki: LocalPki, client: str
) -> None:
    """nginx cannot fail the handshake as the servers' own mTLS does (UNAVAILABLE): it completes it
    and answers each call, whatever the call carries, with UNAUTHENTICATED."""
    if client == "no certificate":
        credentials = tls_credentials(local_pki, client_cert=False)
    else:
        credentials = tls_credentials(local_pki, client_cert=True, client_pki=other_pki)
    with grpc.secure_channel(mtls_env.address, credentials) as channel:
        error = rpc_error(lambda: list_policies(channel, mtls_env.rp_metadata(AIRLINE)))
        health = health_pb2_grpc.HealthStub(channel)
        health_error = rpc_error(lambda: health.Check(health_pb2.HealthCheckRequest(), timeout=10))
    refused = certificate_refused()
    assert (error.code, error.reason, error.message) == (refused.code, refused.reason, refused.message)
    assert (health_error.code, health_error.reason) == (refused.code, refused.reason)


# --- the certificate header: only nginx sets it, only servers behind the gateway read it -----------


@pytest.mark.parametrize("call", CALLS)
def test_a_client_without_a_certificate_cannot_send_the_certificate_header_itself(
    verifier_env: VerifierEnv, local_pki: LocalPki, call: str
) -> None:
    error = rpc_error(lambda: CALLS[call](verifier_env.channel, certificate_header(local_pki)))
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "RP_UNAUTHENTICATED")


@pytest.mark.parametrize("call", CALLS)
def test_a_client_cannot_replace_its_own_verified_certificate_with_the_header(
    mtls_env: VerifierEnv, local_pki: LocalPki, second_pki: LocalPki, call: str
) -> None:
    """A certificate from the client CA, registered to nobody, and the airline's in the header."""
    credentials = tls_credentials(local_pki, client_cert=True, client_pki=second_pki)
    with grpc.secure_channel(mtls_env.address, credentials) as channel:
        error = rpc_error(lambda: CALLS[call](channel, certificate_header(local_pki)))
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "RP_UNAUTHENTICATED")


def test_the_servers_behind_the_gateway_take_the_certificate_from_the_header(
    verifier_env: VerifierEnv, local_pki: LocalPki
) -> None:
    """What the two tests above refuse, straight to a server's socket: the header is well formed."""
    with grpc.insecure_channel(f"unix:{server_socket(verifier_env.settings, 0)}") as channel:
        assert BOARDING in list_policies(channel, certificate_header(local_pki))


def test_only_the_verifiers_user_may_reach_the_servers_sockets(verifier_env: VerifierEnv) -> None:
    directory = server_socket(verifier_env.settings, 0).parent
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert directory.stat().st_uid == os.geteuid()


def test_a_server_not_behind_the_gateway_ignores_the_certificate_header(
    direct_env: VerifierEnv, local_pki: LocalPki
) -> None:
    error = rpc_error(lambda: list_policies(direct_env.channel, certificate_header(local_pki)))
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "RP_UNAUTHENTICATED")


# --- a large client certificate: its header is over gRPC's default 8 KiB of metadata ---------------


def large_client_pki(pki: LocalPki, out: Path, names: int) -> LocalPki:
    """``pki`` with its client certificate replaced by one from the same CA naming ``names`` hosts: as
    big as an agency's certificate listing every kiosk host might be."""
    ca_key = serialization.load_pem_private_key((pki.ca_cert.parent / "ca-key.pem").read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    hosts = [x509.DNSName(f"kiosk-{i:04d}.gate.consular-affairs.example") for i in range(names)]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "consular kiosks")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(hosts), critical=False)
        # both test CAs have the same name: the key identifier says which one signed
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "client.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (out / "client-key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return replace(pki, client_cert=out / "client.pem", client_key=out / "client-key.pem")


def test_a_client_certificate_whose_header_is_over_8_kib_authenticates_every_call(
    mtls_env: VerifierEnv, local_pki: LocalPki, second_pki: LocalPki, tmp_path: Path
) -> None:
    """gRPC refuses metadata over 8 KiB at random, and all of it over 16 KiB, unless the server allows
    more: nginx's header holds the whole certificate, URL-encoded (a third larger than its PEM)."""
    large = large_client_pki(second_pki, tmp_path / "large", names=300)
    assert 16 * 1024 < len(certificate_header(large)[0][1]) < app.GATEWAY_METADATA_BYTES
    register_client_certificate(mtls_env, CONSULATE, large)
    credentials = tls_credentials(local_pki, client_cert=True, client_pki=large)
    with grpc.secure_channel(mtls_env.address, credentials) as channel:
        answers = [list_policies(channel) for _ in range(20)]  # no API key: the certificate alone
    assert answers == [list_policies(mtls_env.channel, mtls_env.rp_metadata(CONSULATE))] * 20
