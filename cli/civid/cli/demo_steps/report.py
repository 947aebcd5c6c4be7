"""Printing the journey: numbered steps in plain language, each with its time in milliseconds."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO


class StepFailed(Exception):
    """A step did not do what it should; the message says what happened instead."""


@dataclass
class Narrator:
    """Prints each step's title, its details, and how long it took."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    count: int = 0

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.count += 1
        self.out.write(f"\n{self.count}. {title}\n")
        self.out.flush()
        started = time.perf_counter()
        try:
            yield
        except StepFailed as exc:
            self.out.write(f"   FAILED after {_ms(started)} ms: {exc}\n")
            raise
        self.out.write(f"   done in {_ms(started)} ms\n")
        self.out.flush()

    def say(self, line: str) -> None:
        self.out.write(f"   {line}\n")
        self.out.flush()


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
