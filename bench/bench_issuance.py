"""Issuance rate (sign + store, one transaction each) on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_issuance.py [--count N] [--postgres-url URL]

Each credential is for a distinct holder DID, gets two random status-list indexes, is checked against
its JSON Schema, signed (eddsa-rdfc-2022) and recorded in the same transaction, as the issuer does.
PostgreSQL runs in a fresh database that is dropped afterwards. Enrollment latency (the face
pipeline) is measured by bench/bench_face.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.issuer.app import IssuerApp, import_registry
from tests.issuer.server_fixtures import OBAMA, issuer_test_config, write_test_registry

_NO_MATCHER = None


def issuance_rate(config_overrides: dict[str, object], data_dir: Path, count: int) -> float:
    config = issuer_test_config(data_dir, **config_overrides)
    app = IssuerApp.open(config, matcher=_NO_MATCHER, fast_kdf=True)
    try:
        import_registry(app, write_test_registry(data_dir / "registry.jsonl"), actor="admin:bench")
        citizen = app.store.citizens.get(OBAMA)
        assert citizen is not None
        holders = [did_key_for(Ed25519KeyPair.generate().public_key) for _ in range(count)]
        started = time.perf_counter()
        for holder in holders:
            with app.store.write() as conn:
                app.issuer.issue(citizen, holder, conn)
        return count / (time.perf_counter() - started)
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_rate = issuance_rate({}, Path(tmp), args.count)
    print(f"issuance (sign + store), SQLite WAL:  {sqlite_rate:8.1f} credentials/s")
    name = f"civid_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(args.postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = args.postgres_url.rsplit("/", 1)[0] + f"/{name}"
        with tempfile.TemporaryDirectory() as tmp:
            pg_rate = issuance_rate({"database_url": url}, Path(tmp), args.count)
    finally:
        with psycopg.connect(args.postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"issuance (sign + store), PostgreSQL: {pg_rate:8.1f} credentials/s")
    print(f"sqlite_issued_per_s={sqlite_rate:.0f} postgres_issued_per_s={pg_rate:.0f}")


if __name__ == "__main__":
    main()
