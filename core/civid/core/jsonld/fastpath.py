"""The switch between the fast path and the plain pyld path (same answers, less work).

The fast path is on unless the environment says ``CIVID_FASTPATH=0``. ``plain_path()`` turns it
off for the code it wraps (in this thread or task only), so a test can run both paths on the
same inputs and compare. ``decided()`` reads the environment once for the block it wraps (one
verification asks a dozen times; each environment lookup costs more than the override's).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

ENVIRONMENT_VARIABLE: Final = "CIVID_FASTPATH"

_override: ContextVar[bool | None] = ContextVar("civid_fastpath", default=None)


def fastpath_enabled() -> bool:
    """True unless ``plain_path()`` is active here or ``CIVID_FASTPATH=0`` is set."""
    chosen = _override.get()
    if chosen is not None:
        return chosen
    return os.environ.get(ENVIRONMENT_VARIABLE, "1") != "0"


@contextmanager
def decided() -> Iterator[None]:
    """Within the block, the path chosen on entry holds (``plain_path()`` inside still switches)."""
    if _override.get() is not None:
        yield
        return
    token = _override.set(fastpath_enabled())
    try:
        yield
    finally:
        _override.reset(token)


@contextmanager
def plain_path(plain: bool = True) -> Iterator[None]:
    """Within the block, use pyld's plain path (``plain=False``: force the fast path)."""
    token = _override.set(not plain)
    try:
        yield
    finally:
        _override.reset(token)
