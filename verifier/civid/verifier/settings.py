"""The verifier's settings, with one precedence: flags > environment (CIVID_VERIFIER_*) > file > defaults.

Every limit is here. ``load_settings`` reads them once at start (through :mod:`civid.service.settings`);
nothing re-reads configuration per call. The file is TOML with the same names as the flags
(``max_in_flight = 256``), at the top level or in a ``[verifier]`` table.

``auth_recheck_seconds`` bounds how long a process trusts its cache of authenticated API keys before
it reads the registry's revision again: a key revoked or rotated by another process (another worker,
the ``civid-verifier`` command) is refused within that many seconds; through the same process, at once.

``clock_skew_s`` is how far a holder's clock may be from the verifier's: a presentation whose proof was
created more than that far in the future is refused, and one is accepted for the policy's
``presentation_max_age_s`` plus that much (see :mod:`civid.verifier.domain.freshness`).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from civid.core.errors import CividError
from civid.service import settings as service_settings
from civid.verifier.domain.admission import valid_burst, valid_rate
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.freshness import DEFAULT_CLOCK_SKEW_S

ENV_PREFIX: Final = "CIVID_VERIFIER_"
DEFAULT_LISTEN: Final = "127.0.0.1:50052"
DEFAULT_DOMAIN: Final = "did:web:verifier.civid.example"
ENGINES: Final = ("process", "thread")
# CIVID_VERIFIER_* variables that are read elsewhere, not settings: the settings file and the operator's
# token (read by ``app.admin_token`` so that it never sits in a settings object or a log line).
NOT_SETTINGS: Final = frozenset({"CONFIG", "ADMIN_TOKEN"})
# Every other CIVID_VERIFIER_* variable, and every flag given, must name a setting.
SOURCE: Final = service_settings.SettingsSource(
    ENV_PREFIX, section="verifier", strict=True, not_settings=NOT_SETTINGS
)


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/civid/verifier`` (``~/.local/share/civid/verifier`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "civid" / "verifier"


@dataclass(frozen=True)
class VerifierSettings:
    """Everything the verifier is configured with; ``None`` means "the embedded default"."""

    listen: str = DEFAULT_LISTEN
    data_dir: Path = dataclasses.field(default_factory=default_data_dir)
    database_url: str | None = None  # None: SQLite in the data directory
    redis_url: str | None = None  # None: nonces and rate-limit buckets in process memory
    redis_prefix: str = "civid:verifier:"
    policies: Path | None = None  # None: the shipped policies
    relying_parties: Path | None = None  # None: the shipped relying parties (registered on first start)
    trust: Path | None = None  # None: the issuer at 127.0.0.1:50051, did:web:issuer.civid.example
    workers: int = 1  # server processes on one port (SO_REUSEPORT); >1 needs redis_url
    gateway: bool = False  # nginx in front sheds load before Python (see civid.verifier.gateway)
    nginx: str = "nginx"  # the nginx the gateway runs
    engine: str = "process"  # where verification runs: "process" (a pool) or "thread"
    engine_workers: int = dataclasses.field(default_factory=lambda: max(os.cpu_count() or 1, 1))
    # TLS on listen; with gateway, nginx terminates it (and checks client certificates), not the servers
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_client_ca: Path | None = None  # set: clients must present a certificate (mTLS)
    max_message_bytes: int = 1024 * 1024
    max_in_flight: int = 256  # calls verified at once; more are refused with OVERLOADED
    rp_rate_per_s: float = 1000.0  # per relying party, token bucket
    rp_burst: float = 2000.0
    metrics_listen: str | None = None
    domain: str = DEFAULT_DOMAIN  # the verifier's identity, the presentation proof's domain
    public_address: str | None = None  # host:port put in compact request strings (default: listen)
    admin_token_file: Path | None = None  # None: <data dir>/admin-token, created on first start
    grace_seconds: float = 10.0
    auth_recheck_seconds: float = 1.0  # other processes' revocations take effect within this bound
    clock_skew_s: int = DEFAULT_CLOCK_SKEW_S  # how far a holder's clock may be from ours, either way
    log_level: str = "info"

    @property
    def advertised_address(self) -> str:
        return self.public_address or self.listen

    def validate(self) -> VerifierSettings:
        """Refuse unusable combinations with a message naming the setting."""
        if self.workers < 1 or self.engine_workers < 1 or self.max_in_flight < 1:
            raise _invalid("workers, engine_workers and max_in_flight must be at least 1")
        if self.workers > 1 and not self.redis_url:
            raise _invalid(
                f"--workers {self.workers} needs --redis-url: the worker processes must share nonces "
                "through Redis, or a presentation could be replayed at another process"
            )
        if self.engine not in ENGINES:
            raise _invalid(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise _invalid("--tls-cert and --tls-key go together")
        if self.gateway and self.listen.rsplit(":", 1)[-1] == "0":
            raise _invalid("--gateway needs a fixed port in --listen (nginx listens there), not port 0")
        if self.tls_client_ca is not None and self.tls_cert is None:
            raise _invalid("--tls-client-ca needs --tls-cert and --tls-key")
        if not (math.isfinite(self.auth_recheck_seconds) and self.auth_recheck_seconds >= 0):
            raise _invalid(
                f"auth_recheck_seconds must be a finite, non-negative number, got {self.auth_recheck_seconds}"
            )
        if not (math.isfinite(self.grace_seconds) and self.grace_seconds >= 0):
            raise _invalid(f"grace_seconds must be a finite, non-negative number, got {self.grace_seconds}")
        if self.clock_skew_s < 0:
            raise _invalid(f"clock_skew_s must not be negative, got {self.clock_skew_s}")
        if self.max_message_bytes < 1024:
            raise _invalid("max_message_bytes must be at least 1024")
        if not valid_rate(self.rp_rate_per_s):
            raise _invalid(
                f"rp_rate_per_s must be a finite number of calls per second above 0, got {self.rp_rate_per_s}"
            )
        if not valid_burst(self.rp_burst):
            raise _invalid(f"rp_burst must be a finite number of calls of at least 1, got {self.rp_burst}")
        return self


def _invalid(message: str) -> DomainError:
    return DomainError(DomainErrorCode.CONFIG_INVALID, message)


def load_settings(
    flags: Mapping[str, Any],
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> VerifierSettings:
    """Merge defaults < file < environment < flags (flags whose value is None are not given)."""
    try:
        settings = service_settings.load_settings(
            VerifierSettings, flags, SOURCE, env=environ, config_file=config_file
        )
    except CividError as exc:
        raise _invalid(exc.message) from exc
    return settings.validate()
