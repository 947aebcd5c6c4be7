"""The citizen's wallet, driven through its headless commands (JSON on stdout)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civid.cli.demo_steps.processes import civid_command
from civid.cli.demo_steps.report import StepFailed

PIN_ENV = "CIVID_WALLET_PIN"
EXIT_REJECTED = 4


@dataclass(frozen=True)
class HeadlessWallet:
    """``civid wallet --store DIR ...`` with the PIN in the environment."""

    store: Path
    pin: str

    def run(self, *args: str, allowed: tuple[int, ...] = (0,)) -> tuple[int, Any]:
        env = {**os.environ, PIN_ENV: self.pin}
        command = civid_command("wallet", "--store", str(self.store), *args)
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
        )
        if done.returncode not in allowed:
            raise StepFailed(
                f"`civid wallet {' '.join(args)}` exited {done.returncode}: {done.stderr.strip()[-2000:]}"
            )
        try:
            return done.returncode, json.loads(done.stdout)
        except json.JSONDecodeError as exc:
            raise StepFailed(f"`civid wallet {args[0]}` printed no JSON: {done.stdout[-500:]!r}") from exc

    def interactive(self) -> int:
        """Open the TUI wallet in this terminal; returns its exit code."""
        env = {**os.environ, PIN_ENV: self.pin}
        command = civid_command("wallet", "--store", str(self.store))
        return subprocess.run(command, env=env, check=False).returncode
