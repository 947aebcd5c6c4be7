"""Initializers and handlers for WorkerPool tests (importable by spawned worker processes)."""

from __future__ import annotations

import os
import time


def ready(argument: str) -> dict[str, int | str]:
    return {"tag": argument, "seen": 0}


def refuse_to_start(argument: str) -> dict[str, int | str]:
    raise ValueError(f"bad configuration: {argument}")


def answer(state: dict[str, int | str], payload: bytes) -> bytes:
    """``b"die"``: exit at once; ``b"sleep:<seconds>"``: sleep, then answer; else echo.

    The answer is ``<tag>|<pid>|<calls seen by this worker>|<payload>``."""
    state["seen"] = int(state["seen"]) + 1
    if payload == b"die":
        os._exit(3)
    if payload.startswith(b"sleep:"):
        time.sleep(float(payload.split(b":", 1)[1]))
    return f"{state['tag']}|{os.getpid()}|{state['seen']}|".encode() + payload
