"""Builds and drives civid-loadgen (loadgen.cc), the benchmarks' native gRPC load generator.

The benchmark machine has 2 cores, shared by the load generator and the server it measures. A
grpc.aio Python client spends ~0.4 ms of CPU per call, a fifth of the machine at 1,000 calls/s, and
that CPU is taken from the server. civid-loadgen (C++, gRPC's own C++ library from Debian's
libgrpc++-dev, which scripts/bootstrap.sh installs) spends a few microseconds per call.

It sends prepared, serialized requests and hands back every call's status, timings and response
bytes: the caller decodes and checks each answer.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "loadgen.cc"
BINARY = HERE / "build" / "civid-loadgen"
_HEAD = struct.Struct("<IiQQQ")


class LoadgenError(RuntimeError):
    """civid-loadgen could not be built or failed."""


@dataclass(frozen=True)
class Call:
    """One call as the load generator saw it (times in seconds from the run's start)."""

    index: int
    code: int  # grpc status code: 0 OK, 8 RESOURCE_EXHAUSTED, ...
    due_s: float  # when it was due to be sent (open loop) or was sent (closed loop)
    sent_s: float
    done_s: float
    payload: bytes  # the response if OK, else the status details (a serialized google.rpc.Status)
    message: str

    @property
    def latency_s(self) -> float:
        return self.done_s - self.sent_s


@dataclass(frozen=True)
class Run:
    calls: list[Call]
    elapsed_s: float
    cpu_s: float  # the load generator's own CPU
    lag_max_ms: float  # the most a call was sent after its due time (open loop)
    late_start_ms: float  # how late the run began after ``start_at_unix`` (0: on time)


def build() -> Path:
    """The compiled load generator, rebuilt when its source is newer."""
    if BINARY.exists() and BINARY.stat().st_mtime >= SOURCE.stat().st_mtime:
        return BINARY
    if shutil.which("g++") is None or shutil.which("pkg-config") is None:
        raise LoadgenError("civid-loadgen needs g++ and pkg-config: run scripts/bootstrap.sh")
    try:
        flags = subprocess.run(
            ["pkg-config", "--cflags", "--libs", "grpc++"], check=True, capture_output=True, text=True
        ).stdout.split()
    except subprocess.CalledProcessError as exc:
        raise LoadgenError(f"gRPC C++ not found ({exc.stderr.strip()}): run scripts/bootstrap.sh") from exc
    BINARY.parent.mkdir(parents=True, exist_ok=True)
    partial = BINARY.with_suffix(".partial")
    compiled = subprocess.run(
        ["g++", "-O2", "-std=c++17", "-o", str(partial), str(SOURCE), *flags], capture_output=True, text=True
    )
    if compiled.returncode != 0:
        raise LoadgenError(f"civid-loadgen did not compile:\n{compiled.stderr[-4000:]}")
    partial.replace(BINARY)
    return BINARY


def _write_requests(path: Path, requests: Sequence[bytes]) -> None:
    with path.open("wb") as out:
        for raw in requests:
            out.write(struct.pack("<I", len(raw)))
            out.write(raw)


def _read_calls(data: bytes) -> Iterator[Call]:
    offset = 0
    while offset < len(data):
        index, code, due, sent, done = _HEAD.unpack_from(data, offset)
        offset += _HEAD.size
        (size,) = struct.unpack_from("<I", data, offset)
        payload = data[offset + 4 : offset + 4 + size]
        offset += 4 + size
        (size,) = struct.unpack_from("<I", data, offset)
        message = data[offset + 4 : offset + 4 + size].decode("utf-8", "replace")
        offset += 4 + size
        yield Call(index, code, due / 1e9, sent / 1e9, done / 1e9, payload, message)


def run(
    target: str,
    method: str,
    requests: Sequence[bytes],
    *,
    seconds: float,
    metadata: tuple[str, str] | None = None,
    connections: int = 4,
    concurrency: int = 8,
    rate: float | None = None,
    timeout_s: float = 30.0,
    start_at_unix: float | None = None,
) -> Run:
    """Closed loop (``concurrency`` in flight) or, with ``rate``, open loop, for at most ``seconds``."""
    binary = build()
    with tempfile.TemporaryDirectory(prefix="civid-loadgen-") as tmp:
        requests_file, out_file = Path(tmp) / "requests.bin", Path(tmp) / "calls.bin"
        _write_requests(requests_file, requests)
        command = [
            str(binary),
            *("--target", target, "--method", method),
            *("--requests", str(requests_file), "--out", str(out_file)),
            *("--connections", str(connections), "--concurrency", str(concurrency)),
            *("--seconds", str(seconds), "--timeout-s", str(timeout_s)),
        ]
        if metadata is not None:
            command += ["--metadata", f"{metadata[0]}={metadata[1]}"]
        if rate is not None:
            command += ["--rate", str(rate)]
        if start_at_unix is not None:
            command += ["--start-at-unix", f"{start_at_unix:.6f}"]
        finished = subprocess.run(command, capture_output=True, text=True)
        if finished.returncode != 0:
            raise LoadgenError(f"civid-loadgen failed ({finished.returncode}): {finished.stderr.strip()}")
        summary: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
        calls = sorted(_read_calls(out_file.read_bytes()), key=lambda c: c.index)
    return Run(
        calls,
        float(summary["elapsed_s"]),
        float(summary["cpu_s"]),
        float(summary["lag_max_ms"]),
        float(summary["late_start_ms"]),
    )


if __name__ == "__main__":
    print(build())
