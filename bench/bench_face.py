"""Latency of the enrollment face pipeline: decode + detect + template + compare, on this CPU.

The registry template is made once from obama.jpg; each timed run matches one selfie (obama2.jpg,
obama3.jpg, obama.jpg in turn) against it, as enrollment does. The last line holds the figures.

Usage: python bench/bench_face.py [--backend dlib] [--runs 30] [--torch-threads 1] [--weights FILE]
Other processes on the box skew the figures: the line reports the 1-minute load average too.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time

import torch

from civid.issuer.face import FaceReason, create_matcher, decide
from civid.issuer.photos import photo_bytes

SELFIES = ("obama2.jpg", "obama3.jpg", "obama.jpg")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="dlib", choices=["dlib", "facenet"])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--torch-threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    parser.add_argument("--dlib-workers", type=int, default=1, help="0: dlib in this process")
    parser.add_argument("--weights", default=None, help="facenet state_dict file (facenet backend only)")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    matcher = create_matcher(
        args.backend,
        weights_path=args.weights,
        torch_threads=args.torch_threads,
        dlib_workers=args.dlib_workers,
    )
    reference = matcher.template(photo_bytes("obama.jpg"))
    selfies = itertools.cycle([photo_bytes(name) for name in SELFIES])
    for _ in range(args.warmup):
        decide(matcher, next(selfies), reference)
    timings_ms = []
    for _ in range(args.runs):
        started = time.perf_counter()
        decision = decide(matcher, next(selfies), reference)
        timings_ms.append((time.perf_counter() - started) * 1000)
        if args.backend == "dlib" and decision.reason is not FaceReason.MATCH:
            raise SystemExit(f"unexpected decision {decision}")
    p50 = statistics.median(timings_ms)
    p95 = statistics.quantiles(timings_ms, n=20, method="inclusive")[-1]
    matcher.close()
    setting = (
        f"backend={args.backend} dlib_workers={args.dlib_workers} torch_threads={torch.get_num_threads()}"
    )
    load = f"cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f}"
    print(
        f"face pipeline {setting} {load} runs={args.runs}: p50 {p50:.0f} ms  p95 {p95:.0f} ms  "
        f"min {min(timings_ms):.0f} ms  max {max(timings_ms):.0f} ms"
    )


if __name__ == "__main__":
    main()
