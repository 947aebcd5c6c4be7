"""The one verification result type used by the CLI, the verifier service and the wallet.

A result lists every check that was run with its outcome, so a relying party sees exactly what
passed, what failed and what was not checked. ``verified`` is true only when no check failed and no
error was recorded.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from civid.core.errors import CividError, ErrorCode


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class Check:
    """One named check, e.g. ``proof.signature`` or ``credential[0].status.revocation``."""

    name: str
    outcome: Outcome
    code: ErrorCode | None = None
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "outcome": self.outcome.value}
        if self.code is not None:
            out["code"] = self.code.value
        if self.message:
            out["message"] = self.message
        return out


CHECKS_KEPT: Final = 4096  # distinct passed / not-checked checks kept (names and messages recur)


@functools.lru_cache(maxsize=CHECKS_KEPT)
def _passed(name: str, message: str) -> Check:
    """The passed check of this name and message: checks are immutable, so one object serves all."""
    return Check(name, Outcome.PASSED, None, message)


@functools.lru_cache(maxsize=CHECKS_KEPT)
def _not_checked(name: str, message: str) -> Check:
    return Check(name, Outcome.NOT_CHECKED, None, message)


@dataclass(frozen=True)
class ErrorEntry:
    code: ErrorCode
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code.value, "message": self.message}


@dataclass(frozen=True)
class VerificationResult:
    checks: tuple[Check, ...] = ()
    errors: tuple[ErrorEntry, ...] = ()

    @functools.cached_property
    def verified(self) -> bool:
        """No error and no failed check (computed once: the result is immutable)."""
        return not self.errors and all(c.outcome is not Outcome.FAILED for c in self.checks)

    def error_codes(self) -> list[ErrorCode]:
        return [e.code for e in self.errors]

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "checks": [c.to_json() for c in self.checks],
            "errors": [e.to_json() for e in self.errors],
        }


@dataclass
class ResultBuilder:
    """Collects checks and errors while a verification runs; ``build()`` freezes them.

    ``under(prefix)`` gives a builder that adds to the same lists with each check name prefixed,
    so a nested verification (a credential inside a presentation) records its checks once, where
    building a result and ``extend``-ing it would copy each check.
    """

    checks: list[Check] = field(default_factory=list)
    errors: list[ErrorEntry] = field(default_factory=list)
    prefix: str = ""

    def under(self, prefix: str) -> ResultBuilder:
        """A builder adding to this one's checks and errors, each check name after ``prefix``."""
        return ResultBuilder(self.checks, self.errors, self.prefix + prefix)

    def passed(self, name: str, message: str = "") -> None:
        self.checks.append(_passed(self.prefix + name, message))

    def not_checked(self, name: str, message: str = "") -> None:
        self.checks.append(_not_checked(self.prefix + name, message))

    def failed(self, name: str, code: ErrorCode, message: str) -> None:
        self.checks.append(Check(self.prefix + name, Outcome.FAILED, code, message))
        if all(e.code is not code or e.message != message for e in self.errors):
            self.errors.append(ErrorEntry(code, message))

    def failed_with(self, name: str, error: CividError) -> None:
        self.failed(name, error.code, error.message)

    def extend(self, other: VerificationResult, prefix: str = "") -> None:
        prefix = self.prefix + prefix
        if prefix:
            for c in other.checks:
                self.checks.append(Check(prefix + c.name, c.outcome, c.code, c.message))
        else:  # checks are immutable: the same ones serve
            self.checks.extend(other.checks)
        for e in other.errors:
            if e not in self.errors:
                self.errors.append(e)

    def build(self) -> VerificationResult:
        return VerificationResult(tuple(self.checks), tuple(self.errors))
