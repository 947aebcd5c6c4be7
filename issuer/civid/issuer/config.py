"""The issuer's configuration, and a small generic loader other programs can copy.

Precedence, highest first: command-line flags > environment (``CIVID_ISSUER_<FIELD>``, upper case)
> config file (TOML, ``--config FILE`` or ``CIVID_ISSUER_CONFIG``; keys are the field names, at the
top level or under ``[issuer]``) > the defaults below. :func:`load_settings` works for any frozen
dataclass whose fields are ``str``, ``int``, ``float``, ``bool``, ``Path`` or ``X | None`` of those:
a flag counts as given when its value is not None. Unknown config-file keys are an error.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from civid.core.errors import CividError, ErrorCode

T = TypeVar("T")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "civid" / "issuer"


@dataclass(frozen=True)
class IssuerConfig:
    listen: str = "127.0.0.1:50051"
    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str | None = None
    issuer_domain: str = "issuer.civid.example"
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_client_ca: Path | None = None
    max_message_bytes: int = 8 * 1024 * 1024
    max_selfie_bytes: int = 5 * 1024 * 1024
    max_failures_per_day: int = 3
    challenge_ttl_seconds: int = 600
    address_change_ttl_seconds: int = 14 * 24 * 3600
    face_backend: str = "dlib"
    facenet_weights: Path | None = None
    face_workers: int = 2
    metrics_listen: str | None = None
    key_passphrase_file: Path | None = None
    demo_registry: bool = True
    log_level: str = "info"
    grace_seconds: float = 10.0

    @property
    def storage_target(self) -> str | Path:
        return self.database_url or self.data_dir


def load_settings(
    cls: type[T],
    flags: Mapping[str, Any],
    *,
    env_prefix: str,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    section: str | None = None,
) -> T:
    """Build ``cls`` from flags > environment > TOML file > defaults (see the module docstring)."""
    environ = os.environ if env is None else env
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    file_values = _read_toml(config_file, section, set(names)) if config_file else {}
    for name in names:
        if flags.get(name) is not None:
            values[name] = _coerce(hints[name], flags[name], f"--{name.replace('_', '-')}")
        elif (key := f"{env_prefix}{name.upper()}") in environ:
            values[name] = _coerce(hints[name], environ[key], key)
        elif name in file_values:
            values[name] = _coerce(hints[name], file_values[name], f"{config_file}: {name}")
    return cls(**values)


def _read_toml(path: Path, section: str | None, known: set[str]) -> dict[str, Any]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CividError(ErrorCode.INVALID_SETTING, f"cannot read config file {path}: {exc}") from exc
    table = doc.get(section, doc) if section else doc
    unknown = sorted(k for k in table if k not in known and k != section)
    if unknown:
        raise CividError(ErrorCode.INVALID_SETTING, f"{path}: unknown settings {', '.join(unknown)}")
    return {k: v for k, v in table.items() if k in known}


def _coerce(hint: Any, value: Any, where: str) -> Any:
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        if value is None or value == "":
            return None
        hint = next(a for a in args if a is not type(None))
    try:
        if hint is bool:
            return _bool(value)
        if hint is Path:
            return Path(value).expanduser()
        if hint in (int, float, str):
            if hint is not str and isinstance(value, bool):
                raise ValueError("a number is needed")
            return hint(value)
    except (TypeError, ValueError) as exc:
        raise CividError(ErrorCode.INVALID_SETTING, f"{where}: {exc}") from exc
    raise CividError(ErrorCode.INVALID_SETTING, f"{where}: unsupported setting type {hint}")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def load_issuer_config(flags: Mapping[str, Any], env: Mapping[str, str] | None = None) -> IssuerConfig:
    """The issuer's configuration (``flags["config"]`` or ``CIVID_ISSUER_CONFIG`` names the TOML file)."""
    environ = os.environ if env is None else env
    config_file = flags.get("config") or environ.get("CIVID_ISSUER_CONFIG")
    return load_settings(
        IssuerConfig,
        flags,
        env_prefix="CIVID_ISSUER_",
        env=environ,
        config_file=Path(config_file) if config_file else None,
        section="issuer",
    )
