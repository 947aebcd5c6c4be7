"""bench/verifier/worker_path.py: the worker's path runs real presentations and reports their cost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WORKER_PATH = Path(__file__).resolve().parents[2] / "bench" / "verifier" / "worker_path.py"


def test_the_worker_path_verifies_every_presentation_and_prints_its_cost() -> None:
    done = subprocess.run(
        [sys.executable, str(WORKER_PATH), "--vps", "24", "--warm", "4", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    name, value = last.split("=")
    assert name == "worker_us_per_vp"
    assert int(value) > 0


def test_the_worker_path_refuses_fewer_presentations_than_its_warm_up() -> None:
    done = subprocess.run(
        [sys.executable, str(WORKER_PATH), "--vps", "4", "--warm", "4"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "--vps must be more than --warm" in done.stderr
