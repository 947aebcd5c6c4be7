"""The issuer's configuration.

Precedence, highest first: command-line flags > environment (``CIVID_ISSUER_<FIELD>``, upper case)
> config file (TOML, ``--config FILE`` or ``CIVID_ISSUER_CONFIG``; keys are the field names, at the
top level or under ``[issuer]``) > the defaults below; loaded by :mod:`civid.service.settings`.
A flag counts as given when its value is not None. Unknown config-file keys are an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from civid.service.settings import SettingsSource, load_settings

SOURCE: Final = SettingsSource(env_prefix="CIVID_ISSUER_", section="issuer")


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


def load_issuer_config(flags: Mapping[str, Any], env: Mapping[str, str] | None = None) -> IssuerConfig:
    """The issuer's configuration (``flags["config"]`` or ``CIVID_ISSUER_CONFIG`` names the TOML file)."""
    return load_settings(IssuerConfig, flags, SOURCE, env=env, config_file=flags.get("config"))
