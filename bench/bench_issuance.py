"""Issuance rate (sign + store, one transaction each) on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_issuance.py [--count N] [--threads T] [--postgres-url URL]

Each credential is for a distinct holder DID, gets two random status-list indexes, is checked against
its JSON Schema, signed (eddsa-rdfc-2022) and recorded in the same transaction, as the issuer does
(in a write transaction that commits together with other threads': ``Store.write_together``, as
idempotent operations do). The rate is measured with one issuing thread and with ``--threads``
(default 8) concurrent ones, as the server's worker threads issue. PostgreSQL runs in a fresh database that is dropped afterwards.
``--processes P`` (default 2) also measures P issuer processes, one thread each, on one PostgreSQL
database (the documented scale-out); that figure is printed separately, the single-process ones stay.
Enrollment latency (face pipeline + signing) is measured by bench/bench_enrollment.py.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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
            with app.store.write_together() as conn:
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


def _issuer_process(url: str, data_dir: str, count: int, start: Any, times: Any) -> None:
    """One issuer process: open the shared database, wait for the others, issue ``count``."""
    app = IssuerApp.open(
        issuer_test_config(Path(data_dir), database_url=url), matcher=_NO_MATCHER, fast_kdf=True
    )
    try:
        citizen = app.store.citizens.get(OBAMA)
        assert citizen is not None
        holders = [did_key_for(Ed25519KeyPair.generate().public_key) for _ in range(count)]
        start.wait()
        began = time.time()
        for holder in holders:
            with app.store.write_together() as conn:
                app.issuer.issue(citizen, holder, conn)
        times.put((began, time.time()))
    finally:
        app.close()


def multi_process_rate(url: str, data_dir: Path, count: int, processes: int) -> float:
    """Credentials per second from ``processes`` issuer processes on one PostgreSQL database."""
    config = issuer_test_config(data_dir, database_url=url)
    app = IssuerApp.open(config, matcher=_NO_MATCHER, fast_kdf=True)
    try:  # one process sets up the registry, the key and the status lists first
        import_registry(app, write_test_registry(data_dir / "registry.jsonl"), actor="admin:bench")
        citizen = app.store.citizens.get(OBAMA)
        assert citizen is not None
        with app.store.write() as conn:
            app.issuer.issue(citizen, did_key_for(Ed25519KeyPair.generate().public_key), conn)
    finally:
        app.close()
    spawn = multiprocessing.get_context("spawn")
    start, times = spawn.Barrier(processes), spawn.Queue()
    each = count // processes
    workers = [
        spawn.Process(target=_issuer_process, args=(url, str(data_dir), each, start, times))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    spans = [times.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    elapsed: float = max(end for _, end in spans) - min(began for began, _ in spans)
    return each * processes / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = issuance_rate({}, Path(tmp), args.count, args.threads)
    report("SQLite WAL", sqlite, args.threads)
    name = create_database(args.postgres_url)
    try:
        url = _database_url(args.postgres_url, name)
        with tempfile.TemporaryDirectory() as tmp:
            pg = issuance_rate({"database_url": url}, Path(tmp), args.count, args.threads)
    finally:
        drop_database(args.postgres_url, name)
    report("PostgreSQL", pg, args.threads)
    multi = 0.0
    if args.processes > 1:
        name = create_database(args.postgres_url)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                multi = multi_process_rate(
                    _database_url(args.postgres_url, name), Path(tmp), args.count, args.processes
                )
        finally:
            drop_database(args.postgres_url, name)
        print(
            f"issuance (sign + store), PostgreSQL: {multi:8.1f} credentials/s with {args.processes} "
            "issuer processes (scale-out, one thread each, one database)"
        )
    print(
        f"sqlite_issued_per_s={sqlite[0]:.0f} sqlite_issued_per_s_{args.threads}_threads={sqlite[1]:.0f} "
        f"postgres_issued_per_s={pg[0]:.0f} postgres_issued_per_s_{args.threads}_threads={pg[1]:.0f} "
        f"postgres_issued_per_s_{args.processes}_processes={multi:.0f}"
    )


def _database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def create_database(admin_url: str) -> str:
    name = f"civid_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(engine: str, rates: tuple[float, float], threads: int) -> None:
    print(f"issuance (sign + store), {engine + ':':12} {rates[0]:8.1f} credentials/s with 1 thread")
    print(f"issuance (sign + store), {engine + ':':12} {rates[1]:8.1f} credentials/s with {threads} threads")


if __name__ == "__main__":
    main()
