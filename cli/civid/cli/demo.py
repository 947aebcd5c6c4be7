"""``civid demo``: the whole journey across real processes, each step timed and checked.

The issuer and the verifier run as separate programs on free ports of 127.0.0.1 with temporary data
directories; the demo talks to them only through gRPC and drives the wallet through its headless
commands (or its TUI with ``--interactive``). Exit 0 only when every step did what it should.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

DEMO_PIN = "135790"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="write the credential, presentations and results here")
    parser.add_argument("--interactive", action="store_true", help="use the TUI wallet in steps 2 to 5")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directories")
    parser.add_argument("--start-timeout", type=float, default=180.0, help="seconds to wait for a server")


def run(args: argparse.Namespace) -> int:
    from civid.cli.demo_steps.journey import Journey
    from civid.cli.demo_steps.report import Narrator, StepFailed

    work = Path(tempfile.mkdtemp(prefix="civid-demo-"))
    out = args.out or work / "out"
    out.mkdir(parents=True, exist_ok=True)
    narrator = Narrator()
    journey = Journey(narrator, work, out, DEMO_PIN, args.interactive, args.start_timeout)
    try:
        journey.run()
    except StepFailed as exc:
        sys.stderr.write(f"\ncivid demo FAILED: {exc}\n(data and logs kept in {work})\n")
        return 1
    finally:
        journey.stop_servers()
    print(f"\nall steps passed; files in {out}")
    if not args.keep:
        _remove_quietly(work, keep=out)
    return 0


def _remove_quietly(path: Path, keep: Path) -> None:
    import shutil

    for child in path.iterdir():
        if child != keep:
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
    if not any(path.iterdir()):
        path.rmdir()
