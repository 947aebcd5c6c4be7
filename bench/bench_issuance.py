"""Issuance rate (sign + store, one transaction each) on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_issuance.py [--count N] [--threads T] [--postgres-url URL]

Each credential is for a distinct holder DID, gets two random status-list indexes, is checked against
its JSON Schema, signed (eddsa-rdfc-2022) and recorded in the same transaction, as the issuer does.
The rate is measured with one issuing thread and with ``--threads`` (default 8) concurrent ones, as
the server's worker threads issue. PostgreSQL runs in a fresh database that is dropped afterwards.
Enrollment latency (face pipeline + signing) is measured by bench/bench_enrollment.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.issuer.app import IssuerApp, import_registry
from tests.issuer.server_fixtures import OBAMA, issuer_test_config, write_test_registry

_NO_MATCHER = None


def issuance_rate(
    config_overrides: dict[str, object], data_dir: Path, count: int, threads: int
) -> tuple[float, float]:
    """Credentials per second with one thread and with ``threads`` threads."""
    config = issuer_test_config(data_dir, **config_overrides)
    app = IssuerApp.open(config, matcher=_NO_MATCHER, fast_kdf=True)
    try:
        import_registry(app, write_test_registry(data_dir / "registry.jsonl"), actor="admin:bench")
        citizen = app.store.citizens.get(OBAMA)
        assert citizen is not None
        holders = [did_key_for(Ed25519KeyPair.generate().public_key) for _ in range(2 * count + 1)]

        def issue(holder: str) -> None:
            with app.store.write() as conn:
                app.issuer.issue(citizen, holder, conn)

        issue(holders.pop())  # the first issuance creates the status lists
        started = time.perf_counter()
        for holder in holders[:count]:
            issue(holder)
        sequential = count / (time.perf_counter() - started)
        with ThreadPoolExecutor(threads) as pool:
            started = time.perf_counter()
            list(pool.map(issue, holders[count:]))
            concurrent = count / (time.perf_counter() - started)
        return sequential, concurrent
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = issuance_rate({}, Path(tmp), args.count, args.threads)
    report("SQLite WAL", sqlite, args.threads)
    name = f"civid_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(args.postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = args.postgres_url.rsplit("/", 1)[0] + f"/{name}"
        with tempfile.TemporaryDirectory() as tmp:
            pg = issuance_rate({"database_url": url}, Path(tmp), args.count, args.threads)
    finally:
        with psycopg.connect(args.postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report("PostgreSQL", pg, args.threads)
    print(
        f"sqlite_issued_per_s={sqlite[0]:.0f} sqlite_issued_per_s_{args.threads}_threads={sqlite[1]:.0f} "
        f"postgres_issued_per_s={pg[0]:.0f} postgres_issued_per_s_{args.threads}_threads={pg[1]:.0f}"
    )


def report(engine: str, rates: tuple[float, float], threads: int) -> None:
    print(f"issuance (sign + store), {engine + ':':12} {rates[0]:8.1f} credentials/s with 1 thread")
    print(f"issuance (sign + store), {engine + ':':12} {rates[1]:8.1f} credentials/s with {threads} threads")


if __name__ == "__main__":
    main()
