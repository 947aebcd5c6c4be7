"""The verification worker's path alone, in one process: what one presentation costs a worker.

Issues ``--vps`` presentations as bench/verifier does (distinct holders, card photos, fresh
challenges, the airline policy, ``CLAIMS_VIEW_MAP``), serves the issuer's DID document and status
lists from an in-bench issuer server, starts one worker's verifier as the engine does, and runs each
job through the worker's own entry point (``engine.answer_in_worker``: unpickle, verify, judge,
the serialized answer). No gRPC, no hand-off: the figure the server's two workers multiply.

    python bench/verifier/worker_path.py [--vps 2000] [--rounds 3]
    python bench/verifier/worker_path.py --callgrind [--vps 230]

Default: CPU microseconds per presentation, each round and the best (this machine's speed varies by
±25% from minute to minute). ``--callgrind`` runs the worker under valgrind's callgrind, counting
only the measured jobs (after ``--warm`` warm-up ones), and prints instructions per presentation: a
figure the machine's noise does not move (±0.1%), for comparing a change before and after
(``apt-get install valgrind``; SHA-256 runs without SHA-NI under valgrind, so hashing weighs more
there than natively). Last line: ``worker_us_per_vp=<best>`` or ``worker_instructions_per_vp=<N>``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402  (bench/verifier/run.py: issue_all, the in-bench issuer)
from server_fixtures import FakeIssuerServer, TestIssuer, write_trust_file  # noqa: E402

from civid.core.crypto.keys import Ed25519KeyPair  # noqa: E402
from civid.verifier import engine  # noqa: E402
from civid.verifier.service.collected import ClaimsView  # noqa: E402
from civid.verifier.trust.config import load_trust  # noqa: E402
from civid.verifier.trust.store import TrustStore  # noqa: E402
from civid.verifier.v1 import verifier_service_pb2 as pb  # noqa: E402


def prepare(directory: Path, vps: int, issuer_address: str, issuer: TestIssuer, seed: bytes) -> None:
    """The presentations (as (json, policy, challenge, domain)) and the trust file, in ``directory``."""
    requests = [pb.VerifyPresentationRequest.FromString(raw) for raw in bench.issue_all(seed, vps, vps)]
    fields = [(r.presentation_json, r.policy_id, r.challenge, r.domain) for r in requests]
    (directory / "jobs.pickle").write_bytes(pickle.dumps(fields))
    write_trust_file(directory / "trust.toml", issuer.did, issuer_address)


def worker_jobs(directory: Path) -> tuple[engine.PresentationVerifier, list[bytes]]:
    """A worker's verifier, started as the engine starts one, and the jobs as the server sends them."""
    trust = load_trust(directory / "trust.toml")
    store = TrustStore(trust, pin_dir=directory / "pins")
    store.refresh_all()
    verifier = engine.init_worker(engine.WorkerConfig(None, trust, store.documents))
    jobs = []
    for presentation, policy_id, challenge, domain in pickle.loads((directory / "jobs.pickle").read_bytes()):
        claims = verifier.policies.get(policy_id).claims  # type: ignore[union-attr]
        job = engine.VerifyJob(presentation, policy_id, claims, challenge, domain, True, ClaimsView.MAP)
        jobs.append(engine.job_bytes(engine.RESPONSE_JOB, job))
    return verifier, jobs


def answer_all(verifier: engine.PresentationVerifier, jobs: Sequence[bytes]) -> None:
    for job in jobs:
        answer = engine.answer_in_worker(verifier, job)
        if answer[:2] != b"R1":
            raise SystemExit(f"a presentation did not verify: {answer[:300]!r}")


def timed(directory: Path, warm: int, rounds: int) -> float:
    verifier, jobs = worker_jobs(directory)
    answer_all(verifier, jobs[:warm])
    measured, best = jobs[warm:], []
    for _ in range(rounds):
        started = time.process_time()
        answer_all(verifier, measured)
        best.append((time.process_time() - started) / len(measured) * 1e6)
    print("worker us per VP, each round: " + " ".join(f"{b:.0f}" for b in best), flush=True)
    return min(best)


def counted_inside_callgrind(directory: Path, warm: int) -> None:
    """Run under callgrind (instrumentation off): switch it on for the measured jobs only."""
    verifier, jobs = worker_jobs(directory)
    answer_all(verifier, jobs[:warm])
    switch = ["callgrind_control", "-i"]
    subprocess.run([*switch, "on", str(os.getpid())], check=True, capture_output=True)
    answer_all(verifier, jobs[warm:])
    subprocess.run([*switch, "off", str(os.getpid())], check=True, capture_output=True)


def callgrind(directory: Path, warm: int, measured: int) -> int:
    if shutil.which("valgrind") is None:
        raise SystemExit("--callgrind needs valgrind: apt-get install valgrind")
    out = directory / "callgrind.out"
    command = [
        *("valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"),
        *(sys.executable, __file__, "--inside-callgrind", str(directory), "--warm", str(warm)),
    ]
    subprocess.run(command, check=True, capture_output=True)
    totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
    return int(totals[0].split()[1]) // measured


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--vps", type=int, default=None, help="presentations (2000; 230 with --callgrind)")
    parser.add_argument("--warm", type=int, default=30, help="jobs run before measuring")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--callgrind", action="store_true", help="count instructions under valgrind")
    parser.add_argument("--inside-callgrind", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inside_callgrind is not None:
        counted_inside_callgrind(args.inside_callgrind, args.warm)
        return 0
    vps = args.vps or (230 if args.callgrind else 2000)
    if vps <= args.warm:
        parser.error("--vps must be more than --warm")
    seed = secrets.token_bytes(32)
    issuer = TestIssuer(key=Ed25519KeyPair.from_seed(seed))
    server = FakeIssuerServer(issuer).start()
    try:
        with tempfile.TemporaryDirectory(prefix="civid-worker-path-") as tmp:
            prepare(Path(tmp), vps, server.address, issuer, seed)
            if args.callgrind:
                print(f"worker_instructions_per_vp={callgrind(Path(tmp), args.warm, vps - args.warm)}")
            else:
                print(f"worker_us_per_vp={timed(Path(tmp), args.warm, args.rounds):.0f}")
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
