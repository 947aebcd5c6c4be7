"""Turn whatever pyld raises into a ``CividError`` with a stable code.

pyld wraps exceptions (a loader's included) in ``JsonLdError`` several levels deep; the original
stays reachable through ``__cause__``. A ``CividError`` found anywhere in that chain wins, so a
refused context still reads ``UNKNOWN_CONTEXT`` to the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final, TypeVar

from pyld.jsonld import JsonLdError

from civid.core.errors import CividError, ErrorCode

T = TypeVar("T")

PROTECTED_REDEFINITION: Final = "protected term redefinition"
# JSON-LD 1.1 API error codes raised while processing a context.
CONTEXT_ERROR_CODES: Final = frozenset(
    {
        "context overflow",
        "cyclic IRI mapping",
        "invalid @import value",
        "invalid @nest value",
        "invalid @prefix value",
        "invalid @propagate value",
        "invalid @protected value",
        "invalid @version value",
        "invalid base direction",
        "invalid base IRI",
        "invalid container mapping",
        "invalid context entry",
        "invalid context nullification",
        "invalid default language",
        "invalid IRI mapping",
        "invalid keyword alias",
        "invalid language mapping",
        "invalid local context",
        "invalid remote context",
        "invalid reverse property",
        "invalid scoped context",
        "invalid term definition",
        "invalid type mapping",
        "invalid vocab mapping",
        "keyword redefinition",
        "loading remote context failed",
        "processing mode conflict",
        "recursive context inclusion",
    }
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _innermost_jsonld_error(error: BaseException) -> JsonLdError | None:
    found = None
    for link in _chain(error):
        if isinstance(link, JsonLdError) and link.code:
            found = link
    return found


def translate(error: BaseException) -> CividError:
    """A new ``CividError`` a caller should see for an exception raised inside pyld."""
    for link in _chain(error):
        if isinstance(link, CividError):
            return CividError(link.code, link.message)
    inner = _innermost_jsonld_error(error)
    code = str(inner.code) if inner is not None else None
    source = inner if inner is not None else error
    detail = f"{code or type(error).__name__}: {source.args[0] if source.args else ''}"
    if code == PROTECTED_REDEFINITION:
        message = f"a later context redefines a protected term ({detail})"
        return CividError(ErrorCode.PROTECTED_TERM_REDEFINITION, message)
    if code in CONTEXT_ERROR_CODES:
        return CividError(ErrorCode.INVALID_CONTEXT, f"invalid @context ({detail})")
    return CividError(ErrorCode.JSONLD_ERROR, f"JSON-LD processing failed ({detail})")


def call_pyld(operation: Callable[[], T]) -> T:
    """Run a pyld operation; any failure comes out as a ``CividError``."""
    try:
        return operation()
    except CividError:
        raise
    except (JsonLdError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        raise translate(error) from error
