"""An exclusive advisory lock on a store directory, so a TUI and a headless command never interleave."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE_NAME = ".lock"


@contextmanager
def directory_lock(directory: Path) -> Iterator[None]:
    """Hold ``flock(LOCK_EX)`` on ``directory/.lock``; the kernel drops it if the process dies."""
    fd = os.open(directory / LOCK_FILE_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
