"""What the shape-template tests share: a fresh template table on the fast path, and outcomes that
compare across paths (a value, or the error with its code and message)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from civid.core.errors import CividError
from civid.core.jsonld import templates
from civid.core.jsonld.fastpath import plain_path


@pytest.fixture(autouse=True)
def fresh_shapes() -> Iterator[None]:
    """Each test starts and ends with no shape known, on the fast path."""
    templates.clear()
    with plain_path(False):
        yield
    templates.clear()


def outcome(operation: Callable[[], Any]) -> tuple[Any, ...]:
    """``("ok", value)``, or the error as a comparable tuple (a UnicodeEncodeError included: a lone
    surrogate fails the UTF-8 encoding on both paths)."""
    try:
        return ("ok", operation())
    except CividError as error:
        return ("error", error.code, error.message)
    except UnicodeEncodeError as error:
        return ("unicode", str(error))
