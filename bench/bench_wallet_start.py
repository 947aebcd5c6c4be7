"""Time from `civid wallet` to its first screen (the PIN screen); the target is under 2 s.

Run: .venv/bin/python bench/bench_wallet_start.py [runs]
Each run starts a fresh interpreter (imports included), mounts the app headless and stops at the
first screen; it also reports whether torch or grpc got imported (they must not be).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile

PROBE = r"""
import asyncio, sys, time
t0 = time.perf_counter()
from pathlib import Path
from civid.cli.main import build_parser
build_parser(["wallet"])
from civid.wallet.tui.app import WalletApp
from civid.wallet.tui.screens.pin import PinScreen

async def main():
    app = WalletApp(Path(sys.argv[1]))
    async with app.run_test(size=(80, 24)) as pilot:
        while not isinstance(app.screen, PinScreen):
            await pilot.pause()
    print(time.perf_counter() - t0, "torch" in sys.modules, "grpc" in sys.modules)

asyncio.run(main())
"""


def main(runs: int) -> None:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as store:
            start = __import__("time").perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", PROBE, store], capture_output=True, text=True, check=True
            )
            total = __import__("time").perf_counter() - start
            _, torch, grpc = out.stdout.split()
            times.append(total)
            print(f"start to first screen: {total:.3f} s (torch imported: {torch}, grpc imported: {grpc})")
    print(f"median {statistics.median(times):.3f} s over {runs} runs; target < 2 s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
