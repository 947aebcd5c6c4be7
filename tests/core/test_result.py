"""The result builder: a prefixed builder records exactly what building and extending would."""

from __future__ import annotations

from civid.core.errors import ErrorCode
from civid.core.result import ResultBuilder


def record(out: ResultBuilder) -> None:
    out.passed("proof.signature")
    out.failed("validity.window", ErrorCode.EXPIRED, "expired")
    out.failed("status.revocation", ErrorCode.EXPIRED, "expired")  # the same error again
    out.not_checked("status.suspension", "no status list")


def test_a_prefixed_builder_records_what_building_and_extending_would() -> None:
    extended = ResultBuilder()
    extended.failed("presentation.shape", ErrorCode.EXPIRED, "expired")
    inner = ResultBuilder()
    record(inner)
    extended.extend(inner.build(), "credential[0].")

    direct = ResultBuilder()
    direct.failed("presentation.shape", ErrorCode.EXPIRED, "expired")
    record(direct.under("credential[0]."))
    assert direct.build() == extended.build()


def test_prefixes_of_nested_builders_add_up() -> None:
    out = ResultBuilder()
    out.under("credential[0].").under("proof.").passed("signature")
    assert [c.name for c in out.build().checks] == ["credential[0].proof.signature"]


def test_extending_without_a_prefix_keeps_the_same_check_objects() -> None:
    inner = ResultBuilder()
    record(inner)
    result = inner.build()
    out = ResultBuilder()
    out.extend(result)
    built = out.build()
    assert built == result
    assert all(a is b for a, b in zip(built.checks, result.checks, strict=True))
