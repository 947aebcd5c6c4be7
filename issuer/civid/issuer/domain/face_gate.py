"""Face work off the event loop: a small thread pool with admission control (OVERLOADED when full)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from civid.core.errors import ErrorCode
from civid.issuer.domain.errors import IssuerFailure
from civid.issuer.face import FaceMatcher

T = TypeVar("T")


class FaceGate:
    """Runs face jobs on ``workers`` threads; at most ``max_pending`` jobs wait, later ones are refused."""

    def __init__(
        self, matcher: FaceMatcher, workers: int = 2, max_pending: int = 16, *, owns_matcher: bool = False
    ) -> None:
        self.matcher = matcher
        self._owns_matcher = owns_matcher
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="face")
        self._slots = threading.BoundedSemaphore(workers + max_pending)

    def run(self, job: Callable[[FaceMatcher], T]) -> T:
        """Run ``job(matcher)`` on the face pool and wait for it (OVERLOADED when the queue is full)."""
        if not self._slots.acquire(blocking=False):
            raise IssuerFailure(
                ErrorCode.OVERLOADED,
                "face matching is at capacity; retry shortly",
                {"retry_after_seconds": "2"},
            )
        try:
            return self._pool.submit(job, self.matcher).result()
        finally:
            self._slots.release()

    def close(self) -> None:
        """Stop taking jobs; stop the matcher's worker process (dlib runs out of process) if it is ours."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._owns_matcher:
            self.matcher.close()
