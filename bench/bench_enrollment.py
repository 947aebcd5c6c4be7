"""Self-service enrollment latency through the real issuer app: face pipeline + signing + store.

    .venv/bin/python bench/bench_enrollment.py [--runs 20] [--warmup 2] [--selfie obama2.jpg]

Each run is one CompleteEnrollment as the server runs it (``app.enrollment.complete``): the holder
proof is checked, the selfie decoded, the face detected and matched against the registry template
(dlib backend, on CPU), and the credential signed and recorded. StartEnrollment is not timed. Other
processes on the box skew the figures: the last line reports the 1-minute load average too.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civid.issuer.app import IssuerApp, import_registry
from civid.issuer.domain.enrollment import COMPLETE_METHOD, Completion
from civid.issuer.face import create_matcher
from civid.issuer.photos import photo_bytes
from civid.issuer.service.convert import holder_proof
from tests.issuer.server_fixtures import OBAMA, OBAMA_LASER, Holder, issuer_test_config, write_test_registry


def one_enrollment(app: IssuerApp, selfie: bytes, n: int) -> float:
    """Seconds one CompleteEnrollment takes (a new holder key each time)."""
    holder = Holder()
    started = app.enrollment.start(OBAMA, OBAMA_LASER, holder.did)
    request_id = f"bench-{n}"
    params = {
        "enrollmentId": started.enrollment_id,
        "requestId": request_id,
        "selfieSha256": hashlib.sha256(selfie).hexdigest(),
    }
    proof = holder.proof(app.keys.did, COMPLETE_METHOD, started.challenge, params)
    completion = Completion(started.enrollment_id, selfie, holder_proof(proof, True), request_id)
    begun = time.perf_counter()
    credential_id, decision = app.enrollment.complete(completion)
    took = time.perf_counter() - begun
    assert credential_id and decision is not None and decision.matched
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--selfie", default="obama2.jpg")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = IssuerApp.open(issuer_test_config(Path(tmp)), matcher=create_matcher("dlib"), fast_kdf=True)
        try:
            import_registry(app, write_test_registry(Path(tmp) / "registry.jsonl"), actor="admin:bench")
            selfie = photo_bytes(args.selfie)
            for n in range(args.warmup):
                one_enrollment(app, selfie, -1 - n)
            times = sorted(one_enrollment(app, selfie, n) for n in range(args.runs))
        finally:
            app.close()
    p50 = statistics.median(times) * 1000
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000
    print(
        f"enrollment (face pipeline + signing + store), {args.runs} runs: p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    )
    print(f"enrollment_p50_ms={p50:.0f} enrollment_p95_ms={p95:.0f} load1={os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
