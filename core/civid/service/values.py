"""Turn a flag, environment or TOML value into a setting's type (``str``, ``int``, ``float``, ``bool``,
``Path``, or ``X | None`` of those, where an empty string means None)."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from civid.core.errors import CividError, ErrorCode

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def invalid(message: str) -> CividError:
    """The error every settings refusal raises."""
    return CividError(ErrorCode.INVALID_SETTING, message)


def coerce(hint: Any, value: Any, where: str) -> Any:
    """``value`` as type ``hint``; ``where`` (a flag, variable or file key) names it in the error."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        if value is None or value == "":
            return None
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    try:
        return _convert(hint, value)
    except (TypeError, ValueError) as exc:
        raise invalid(f"{where}: {exc}") from exc
    except LookupError:
        raise invalid(f"{where}: unsupported setting type {hint}") from None


def _convert(hint: Any, value: Any) -> Any:
    if hint is bool:
        return parse_bool(value)
    if hint is Path:
        return Path(value).expanduser()
    if hint in (int, float, str):
        if hint is not str and isinstance(value, bool):
            raise ValueError("a number is needed")
        return hint(value)
    raise LookupError(hint)


def parse_bool(value: Any) -> bool:
    """``True``/``False``, or the words 1/true/yes/on and 0/false/no/off (any case)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")
