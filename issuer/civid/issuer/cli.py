"""``civid issuer …``: serve, registry import, keys rotate, officer add, audit verify.

Every subcommand takes the storage/config options of ``serve`` (``--data-dir``, ``--database-url``,
``--config``, ``--key-passphrase-file``) with the precedence of :mod:`civid.issuer.config`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import secrets
import ssl
import sys
from pathlib import Path
from typing import Any

from civid.core.errors import CividError

log = logging.getLogger("civid.issuer")


def _storage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="TOML configuration file")
    parser.add_argument("--data-dir", type=Path, help="data directory (SQLite database, passphrase file)")
    parser.add_argument("--database-url", help="postgresql://... instead of SQLite in the data directory")
    parser.add_argument("--key-passphrase-file", type=Path, help="file holding the key passphrase")
    parser.add_argument("--issuer-domain", help="the did:web host (default issuer.civid.example)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="issuer_command", metavar="COMMAND", required=True)
    serve = sub.add_parser("serve", help="run the issuer gRPC server")
    _storage_options(serve)
    serve.add_argument("--listen", help="HOST:PORT (default 127.0.0.1:50051)")
    serve.add_argument("--tls-cert", type=Path)
    serve.add_argument("--tls-key", type=Path)
    serve.add_argument("--tls-client-ca", type=Path, help="require client certificates signed by this CA")
    serve.add_argument("--max-message-bytes", type=int)
    serve.add_argument("--face-backend", choices=("dlib", "facenet"))
    serve.add_argument("--facenet-weights", type=Path)
    serve.add_argument("--metrics-listen", help="HOST:PORT for Prometheus /metrics")
    serve.add_argument("--no-demo-registry", dest="demo_registry", action="store_false", default=None)
    serve.add_argument("--log-level")
    registry = sub.add_parser("registry", help="civil registry administration")
    registry_sub = registry.add_subparsers(dest="registry_command", required=True)
    load = registry_sub.add_parser("import", help="import a JSON Lines export (all rows or none)")
    _storage_options(load)
    load.add_argument("file", type=Path)
    keys = sub.add_parser("keys", help="issuer signing keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    _storage_options(keys_sub.add_parser("rotate", help="add a new signing key and make it active"))
    officer = sub.add_parser("officer", help="officers of the district-office desk")
    officer_sub = officer.add_subparsers(dest="officer_command", required=True)
    add = officer_sub.add_parser(
        "add", help="register an officer (prints a new key's seed once if none given)"
    )
    _storage_options(add)
    add.add_argument("--name", required=True)
    add.add_argument("--id", dest="officer_id", help="officer id (default: generated)")
    add.add_argument("--public-key", help="the officer's Ed25519 public key, Multikey (z6Mk...)")
    add.add_argument(
        "--certificate", type=Path, help="the officer's client certificate (PEM or DER): admits mTLS calls"
    )
    audit = sub.add_parser("audit", help="the hash-chained audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    _storage_options(audit_sub.add_parser("verify", help="check the audit log's hash chain"))


def run(args: argparse.Namespace) -> int:
    from civid.issuer.config import load_issuer_config

    try:
        config = load_issuer_config({k: v for k, v in vars(args).items() if not k.startswith("_")})
        command = args.issuer_command
        if command == "serve":
            return _serve(config)
        if command == "registry":
            return _registry_import(config, args.file)
        if command == "keys":
            return _rotate(config)
        if command == "officer":
            fingerprint = _certificate_sha256(args.certificate) if args.certificate else None
            return _officer_add(config, args.name, args.officer_id, args.public_key, fingerprint)
        return _audit_verify(config)
    except CividError as exc:
        print(f"error: {exc.code.value}: {exc.message}", file=sys.stderr)
        return 1


def _serve(config: Any) -> int:
    from civid.issuer.service.server import serve

    asyncio.run(serve(config))
    return 0


def _registry_import(config: Any, path: Path) -> int:
    from civid.issuer.app import IssuerApp, import_registry

    app = IssuerApp.open(config)
    try:
        loaded = import_registry(app, path, actor="admin:cli")
    finally:
        app.close()
    print(f"imported {loaded} citizens from {path}")
    return 0


def _rotate(config: Any) -> int:
    from civid.core.did.web import did_web_for
    from civid.issuer.app import open_issuer_store
    from civid.issuer.domain.keys import KeyRing

    store, master = open_issuer_store(config)
    try:
        ring = KeyRing(store, did_web_for(config.issuer_domain), master)
        ring.ensure_key()
        key = ring.rotate()
        store.audit.append(
            "admin:cli", "keys.rotate", f"key:{key.key_id}", "key rotation", {"key_id": key.key_id}
        )
    finally:
        store.close()
    print(f"new active key {key.verification_method}")
    return 0


def _certificate_sha256(path: Path) -> str:
    """Hex SHA-256 of a certificate's DER bytes, as the server fingerprints an mTLS client."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        data = ssl.PEM_cert_to_DER_cert(data.decode("ascii"))
    return hashlib.sha256(data).hexdigest()


def _officer_add(
    config: Any,
    name: str,
    officer_id: str | None,
    public_key: str | None,
    certificate_sha256: str | None = None,
) -> int:
    from civid.core.crypto.keys import Ed25519KeyPair, Ed25519PublicKey
    from civid.issuer.storage import open_store

    seed_hex = None
    if public_key is None:
        pair = Ed25519KeyPair.generate()
        public_key, seed_hex = pair.public_key.multikey, pair.seed.hex()
    Ed25519PublicKey.from_multikey(public_key)  # INVALID_KEY for a bad key
    officer_id = officer_id or f"officer-{secrets.token_hex(4)}"
    store = open_store(config.storage_target)
    try:
        with store.write() as conn:
            store.officers.add(officer_id, name, public_key, conn, certificate_sha256=certificate_sha256)
            store.audit.append(
                "admin:cli", "officer.add", f"officer:{officer_id}", "officer registered", {}, conn
            )
    finally:
        store.close()
    print(f"officer {officer_id} registered with key {public_key}")
    if certificate_sha256:
        print(f"client certificate sha256: {certificate_sha256}")
    if seed_hex:
        print(f"private key seed (hex), shown once: {seed_hex}")
    return 0


def _audit_verify(config: Any) -> int:
    from civid.issuer.audit import verify_audit_log
    from civid.issuer.storage import open_store

    store = open_store(config.storage_target)
    try:
        report = verify_audit_log(store)
    finally:
        store.close()
    if report.ok:
        print(f"audit log intact: {report.entries_checked} entries")
        return 0
    print(f"audit log BROKEN at entry {report.first_bad_seq}: {report.problem}", file=sys.stderr)
    return 1
