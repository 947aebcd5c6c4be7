"""Load a program's settings: command-line flags > environment > config file (TOML) > defaults.

The settings are a frozen dataclass whose fields are ``str``, ``int``, ``float``, ``bool``, ``Path``
or ``X | None`` of those. A flag counts as given when its value is not None; an environment
variable ``<PREFIX><FIELD>`` (upper case) counts when it is set. The file's keys are the field names
(``-`` may stand for ``_``), at the top level or in the program's table; unknown keys are refused.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from civid.core.errors import CividError, ErrorCode
from civid.service.values import coerce, invalid

T = TypeVar("T")


@dataclass(frozen=True)
class SettingsSource:
    """Where one program finds its settings besides its flags.

    ``strict``: environment variables with the prefix and flags must name a setting, except
    ``<PREFIX>CONFIG`` and the variables in ``not_settings`` (read elsewhere). Not strict: other
    names are left alone.
    """

    env_prefix: str
    section: str | None = None
    strict: bool = False
    not_settings: frozenset[str] = frozenset()

    @property
    def config_variable(self) -> str:
        """The variable naming the config file when no flag does (``<PREFIX>CONFIG``)."""
        return f"{self.env_prefix}CONFIG"


def load_settings(
    cls: type[T],
    flags: Mapping[str, Any],
    source: SettingsSource,
    *,
    env: Mapping[str, str] | None = None,
    config_file: Path | str | None = None,
) -> T:
    """Build ``cls`` from ``flags`` > ``env`` (default ``os.environ``) > the TOML file > defaults.

    ``config_file`` defaults to the file named by ``<PREFIX>CONFIG``. Raises
    ``CividError(INVALID_SETTING)`` naming the flag, variable or key that is wrong.
    """
    environ = os.environ if env is None else env
    hints = _field_types(cls)
    if source.strict:
        _refuse_unknown(hints, flags, environ, source)
    path = config_file or environ.get(source.config_variable)
    file_values = _read_toml(Path(path), source.section, set(hints)) if path else {}
    values: dict[str, Any] = {}
    for name, hint in hints.items():
        if flags.get(name) is not None:
            values[name] = coerce(hint, flags[name], _flag(name))
        elif (key := f"{source.env_prefix}{name.upper()}") in environ:
            values[name] = coerce(hint, environ[key], key)
        elif name in file_values:
            values[name] = coerce(hint, file_values[name], f"{path}: {name}")
    return cls(**values)


def _field_types(cls: type[Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _flag(name: str) -> str:
    return f"--{name.replace('_', '-')}"


def _refuse_unknown(
    known: Mapping[str, Any], flags: Mapping[str, Any], environ: Mapping[str, str], source: SettingsSource
) -> None:
    for name, value in flags.items():
        if value is not None and name not in known:
            raise invalid(f"{_flag(name)}: unknown setting {name!r}")
    prefix = source.env_prefix
    for key in environ:
        if not key.startswith(prefix) or key == source.config_variable:
            continue
        name = key[len(prefix) :]
        if name not in source.not_settings and name.lower() not in known:
            raise invalid(f"{key}: unknown setting {name.lower()!r}")


def _read_toml(path: Path, section: str | None, known: set[str]) -> dict[str, Any]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CividError(ErrorCode.INVALID_SETTING, f"cannot read config file {path}: {exc}") from exc
    table = doc.get(section, doc) if section else doc
    if not isinstance(table, dict):
        raise invalid(f"{path}: [{section}] must be a table")
    values = {k.replace("-", "_"): v for k, v in table.items() if k != section}
    unknown = sorted(k for k in values if k not in known)
    if unknown:
        raise invalid(f"{path}: unknown settings {', '.join(unknown)}")
    return values
