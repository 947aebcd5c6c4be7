"""The switch between the fast path and the plain pyld path (same answers, less work).

The fast path is on unless the environment says ``CIVID_FASTPATH=0``. ``plain_path()`` turns it
off for the code it wraps (in this thread or task only), so a test can run both paths on the
same inputs and compare. ``decided()`` reads the environment once for the block it wraps (one
verification asks a dozen times; each environment lookup costs more than the override's).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar, Token
from typing import Final

ENVIRONMENT_VARIABLE: Final = "CIVID_FASTPATH"

_override: ContextVar[bool | None] = ContextVar("civid_fastpath", default=None)


def fastpath_enabled() -> bool:
    """True unless ``plain_path()`` is active here or ``CIVID_FASTPATH=0`` is set."""
    chosen = _override.get()
    if chosen is not None:
        return chosen
    return os.environ.get(ENVIRONMENT_VARIABLE, "1") != "0"


def decided() -> AbstractContextManager[None]:
    """Within the block, the path chosen on entry holds (``plain_path()`` inside still switches)."""
    return _Decided()


class _Decided:
    """``decided()``'s block: a plain context manager (a generator-based one costs more than it does)."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token: Token[bool | None] | None = None
        if _override.get() is None:
            self._token = _override.set(fastpath_enabled())

    def __exit__(self, *_exc: object) -> None:
        if self._token is not None:
            _override.reset(self._token)


@contextmanager
def plain_path(plain: bool = True) -> Iterator[None]:
    """Within the block, use pyld's plain path (``plain=False``: force the fast path)."""
    token = _override.set(not plain)
    try:
        yield
    finally:
        _override.reset(token)
