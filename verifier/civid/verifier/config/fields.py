"""Typed reading of one TOML table, with errors that name the file, the entry and the field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from civid.verifier.domain.errors import DomainError, DomainErrorCode


@dataclass(frozen=True)
class LocalizedText:
    """A text in English and Thai."""

    en: str
    th: str


def config_error(where: str, message: str) -> DomainError:
    return DomainError(DomainErrorCode.CONFIG_INVALID, f"{where}: {message}")


@dataclass(frozen=True)
class FieldReader:
    """Reads fields of ``table``; ``where`` (e.g. ``default.toml: policy 'x'``) prefixes every error."""

    table: Mapping[str, Any]
    where: str
    known: frozenset[str]

    def error(self, field: str, message: str) -> DomainError:
        return config_error(self.where, f"field {field!r}: {message}")

    def check_known(self) -> None:
        unknown = sorted(set(self.table) - self.known)
        if unknown:
            raise self.error(unknown[0], f"unknown field (known: {', '.join(sorted(self.known))})")

    def _get(self, field: str) -> Any:
        if field not in self.table:
            raise self.error(field, "missing")
        return self.table[field]

    def text(self, field: str, *, pattern: re.Pattern[str] | None = None, hint: str = "") -> str:
        value = self._get(field)
        if not isinstance(value, str) or not value.strip():
            raise self.error(field, "must be a non-empty string")
        if pattern is not None and not pattern.match(value):
            raise self.error(field, f"{value!r} is not {hint or 'valid'}")
        return value

    def optional_text(self, field: str) -> str | None:
        return self.text(field) if field in self.table else None

    def text_list(
        self,
        field: str,
        *,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
        allow_empty: bool = False,
    ) -> tuple[str, ...]:
        value = self._get(field)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(field, "must be a list of non-empty strings")
        if not value and not allow_empty:
            raise self.error(field, "must not be empty")
        for item in value:
            if pattern is not None and not pattern.match(item):
                raise self.error(field, f"{item!r} is not {hint or 'valid'}")
        return tuple(value)

    def boolean(self, field: str, default: bool) -> bool:
        value = self.table.get(field, default)
        if not isinstance(value, bool):
            raise self.error(field, "must be true or false")
        return value

    def integer(self, field: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
        value = self.table.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(field, "must be an integer")
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise self.error(field, f"must be {bound}, got {value}")
        return value

    def optional_int(self, field: str, *, minimum: int) -> int | None:
        return self.integer(field, minimum, minimum=minimum) if field in self.table else None

    def optional_number(self, field: str) -> float | None:
        """An integer or a float, as a float; None when the field is absent."""
        if field not in self.table:
            return None
        value = self.table[field]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(field, "must be a number")
        return float(value)

    def localized(self, field: str) -> LocalizedText:
        value = self._get(field)
        if not isinstance(value, dict) or set(value) != {"en", "th"}:
            raise self.error(field, "must be a table with exactly 'en' and 'th'")
        texts = [value["en"], value["th"]]
        if not all(isinstance(t, str) and t.strip() for t in texts):
            raise self.error(field, "'en' and 'th' must be non-empty strings")
        return LocalizedText(texts[0], texts[1])
