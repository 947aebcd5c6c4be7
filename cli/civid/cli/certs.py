"""``civid certs create``: a local CA with a server and a client certificate, for trying TLS and mTLS.

Not for production: a real deployment uses certificates from its own PKI. Files written to ``--out``
(keys mode 0600): ``ca.pem`` (+ ``ca-key.pem``), ``server.pem`` + ``server-key.pem`` (the ``--hosts``
as subject alternative names), ``client.pem`` + ``client-key.pem`` (client authentication).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_HOSTS = ("127.0.0.1", "localhost")
DEFAULT_DAYS = 365
FILE_NAMES = ("ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "client.pem", "client-key.pem")


@dataclass(frozen=True)
class LocalPki:
    """Where the created files are."""

    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path

    @classmethod
    def in_folder(cls, out: Path) -> LocalPki:
        return cls(
            out / "ca.pem",
            out / "server.pem",
            out / "server-key.pem",
            out / "client.pem",
            out / "client-key.pem",
        )


@dataclass(frozen=True)
class _Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def create_local_pki(
    out: Path,
    hosts: Sequence[str] = DEFAULT_HOSTS,
    *,
    client_name: str = "civid-client",
    days: int = DEFAULT_DAYS,
) -> LocalPki:
    """Write a new CA, a server certificate for ``hosts`` and a client certificate into ``out``.

    Refuses (FileExistsError) to overwrite any existing file of the set.
    """
    if not hosts:
        raise ValueError("at least one host is needed for the server certificate")
    existing = [name for name in FILE_NAMES if (out / name).exists()]
    if existing:
        raise FileExistsError(f"{out} already holds {', '.join(existing)}; choose another folder")
    out.mkdir(parents=True, exist_ok=True)
    ca = _certificate_authority(days)
    server = _leaf(ca, hosts[0], _alternative_names(hosts), ExtendedKeyUsageOID.SERVER_AUTH, days)
    client = _leaf(ca, client_name, [x509.DNSName(client_name)], ExtendedKeyUsageOID.CLIENT_AUTH, days)
    _write_cert(out / "ca.pem", ca.cert)
    _write_key(out / "ca-key.pem", ca.key)
    for name, issued in (("server", server), ("client", client)):
        _write_cert(out / f"{name}.pem", issued.cert)
        _write_key(out / f"{name}-key.pem", issued.key)
    return LocalPki.in_folder(out)


def _certificate_authority(days: int) -> _Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "civid local CA (testing only)")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _Issued(cert, key)


def _leaf(
    ca: _Issued,
    common_name: str,
    names: list[x509.GeneralName],
    usage: x509.ObjectIdentifier,
    days: int,
) -> _Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return _Issued(cert, key)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not cert_sign,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _alternative_names(hosts: Sequence[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="certs_command", metavar="COMMAND", required=True)
    create = sub.add_parser("create", help="a local CA, a server and a client certificate (testing only)")
    create.add_argument("--out", type=Path, required=True, help="folder for the PEM files (created)")
    create.add_argument(
        "--hosts",
        default=",".join(DEFAULT_HOSTS),
        help="comma-separated IPs and DNS names the server certificate is valid for (default %(default)s)",
    )
    create.add_argument("--client-name", default="civid-client", help="the client certificate's name")
    create.add_argument("--days", type=int, default=DEFAULT_DAYS, help="validity (default %(default)s)")


def run(args: argparse.Namespace) -> int:
    hosts = [h.strip() for h in args.hosts.split(",") if h.strip()]
    try:
        pki = create_local_pki(args.out, hosts, client_name=args.client_name, days=args.days)
    except (FileExistsError, ValueError) as exc:
        print(f"civid certs: {exc}", file=sys.stderr)
        return 1
    print(f"CA certificate      {pki.ca_cert}   (trust this on clients; --tls-client-ca for mTLS)")
    print(f"server certificate  {pki.server_cert} + {pki.server_key.name}  for {', '.join(hosts)}")
    print(f"client certificate  {pki.client_cert} + {pki.client_key.name}")
    print(
        "serve with: --tls-cert server.pem --tls-key server-key.pem [--tls-client-ca ca.pem]  "
        "(testing only: use your own PKI in production)"
    )
    return 0
