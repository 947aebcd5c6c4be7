"""Digital Bazaar's JavaScript VP verification rate, measured on this machine as the bench's reference.

Runs ``verify_vp_rate.mjs`` (one Node.js process, sequential verifications) over presentations the
Python bench wrote, one per line, and returns the rate it prints as ``reference_vp_per_s=<rate>``.
Needs ``node`` and ``npm ci`` done in ``tests/interop/js`` (the libraries are shared with the interop
tests).

    python bench/js_reference/run.py --vps vps.jsonl [--seconds 10]
    python bench/js_reference/run.py --generate 200 [--seconds 10]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "verify_vp_rate.mjs"
NODE_MODULES = HERE.parents[1] / "tests" / "interop" / "js" / "node_modules"
RATE_LINE = re.compile(r"^reference_vp_per_s=([0-9.]+)$", re.MULTILINE)
START_UP_ALLOWANCE_S = 300.0


class ReferenceBenchError(RuntimeError):
    """The reference could not be measured (no Node.js, no node_modules, or a failed run)."""


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise ReferenceBenchError("Node.js (`node`) is not installed")
    if not NODE_MODULES.is_dir():
        raise ReferenceBenchError(f"{NODE_MODULES} is missing: run `npm ci` in {NODE_MODULES.parent}")
    return node


def _run(args: Sequence[str], seconds: float) -> str:
    argv = [_node(), str(SCRIPT), *args, "--seconds", str(seconds)]
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=seconds + START_UP_ALLOWANCE_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ReferenceBenchError(f"{SCRIPT.name} did not finish in {exc.timeout:.0f} s") from exc
    if proc.returncode != 0:
        raise ReferenceBenchError(f"{SCRIPT.name} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
    return proc.stdout


def parse_rate(output: str) -> float:
    """The rate in the ``reference_vp_per_s=<rate>`` line of the script's output."""
    match = RATE_LINE.search(output)
    if match is None:
        raise ReferenceBenchError(f"no reference_vp_per_s line in: {output!r}")
    return float(match.group(1))


def measure_reference_vp_rate(
    vps_jsonl: Path,
    seconds: float,
    *,
    controller_docs: Sequence[Path] = (),
    now: str | None = None,
) -> float:
    """VP verifications per second by Digital Bazaar's ``@digitalbazaar/vc``, one process, sequential.

    ``vps_jsonl`` holds one presentation per line: the VP itself (expected challenge and domain are read
    from its proof) or ``{"presentation": VP, "challenge": C, "domain": D}``. ``controller_docs`` are
    DID documents (e.g. the issuer's did:web document) the verifier may resolve; did:key resolves
    offline. Raises ReferenceBenchError when it cannot measure or when any VP fails to verify.
    """
    args = ["--vps", str(vps_jsonl)]
    for doc in controller_docs:
        args += ["--controller-doc", str(doc)]
    if now is not None:
        args += ["--now", now]
    return parse_rate(_run(args, seconds))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--vps", type=Path, help="JSON Lines file of presentations")
    source.add_argument("--generate", type=int, metavar="N", help="make N presentations in JS first")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--controller-doc", type=Path, action="append", default=[])
    args = parser.parse_args(argv)
    try:
        if args.vps is not None:
            rate = measure_reference_vp_rate(args.vps, args.seconds, controller_docs=args.controller_doc)
        else:
            rate = parse_rate(_run(["--generate", str(args.generate)], args.seconds))
    except ReferenceBenchError as exc:
        print(f"reference: {exc}", file=sys.stderr)
        return 1
    print(f"reference_vp_per_s={rate:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
