"""The trust configuration: a TOML file of ``[[issuer]]`` tables.

Each trusted issuer has its DID, the address of its IssuerService (``host:port``), an optional CA
certificate for TLS to it, and the URL prefixes of its status lists (default: ``https://<did:web
host>/``), so a credential's ``statusListCredential`` is fetched from the issuer that signed it::

    [[issuer]]
    did = "did:web:issuer.civid.example"
    address = "127.0.0.1:50051"
    # tls_ca = "/etc/civid/issuer-ca.pem"
    # status_list_prefixes = ["https://issuer.civid.example/status/"]
    # refresh_s = 300
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

from civid.verifier.domain.errors import DomainError, DomainErrorCode

DEFAULT_ISSUER_DID: Final = "did:web:issuer.civid.example"
DEFAULT_ISSUER_ADDRESS: Final = "127.0.0.1:50051"
DEFAULT_REFRESH_S: Final = 300.0
_FIELDS: Final = frozenset({"did", "address", "tls_ca", "status_list_prefixes", "refresh_s"})


@dataclass(frozen=True)
class TrustedIssuer:
    """One issuer the verifier trusts and where to reach it."""

    did: str
    address: str
    status_list_prefixes: tuple[str, ...]
    tls_ca: Path | None = None
    refresh_s: float = DEFAULT_REFRESH_S

    def serves(self, status_list_url: str) -> bool:
        return any(status_list_url.startswith(p) for p in self.status_list_prefixes)


@dataclass(frozen=True)
class TrustConfig:
    """The trusted issuers, by DID."""

    issuers: tuple[TrustedIssuer, ...]

    def issuer_for_status_list(self, url: str) -> TrustedIssuer | None:
        return next((i for i in self.issuers if i.serves(url)), None)


def did_web_prefix(did: str) -> str:
    """``https://<host>/`` for a did:web (the default status list prefix)."""
    host = unquote(did.removeprefix("did:web:").split(":", 1)[0])
    return f"https://{host}/"


def default_trust() -> TrustConfig:
    """The embedded default: the local demo issuer."""
    return TrustConfig((issuer(DEFAULT_ISSUER_DID, DEFAULT_ISSUER_ADDRESS),))


def issuer(
    did: str, address: str, *, tls_ca: Path | None = None, refresh_s: float = DEFAULT_REFRESH_S
) -> TrustedIssuer:
    return TrustedIssuer(did, address, (did_web_prefix(did),), tls_ca, refresh_s)


def load_trust(path: Path | None) -> TrustConfig:
    """Read and validate a trust file (None: the embedded default); CONFIG_INVALID names what is wrong."""
    if path is None:
        return default_trust()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise _invalid(path.name, f"cannot read the trust file: {exc}") from exc
    tables = data.get("issuer")
    if set(data) - {"issuer"} or not isinstance(tables, list) or not tables:
        raise _invalid(path.name, "expected one or more [[issuer]] tables and nothing else")
    issuers = tuple(_parse(t, f"{path.name}: issuer #{i + 1}") for i, t in enumerate(tables))
    if len({i.did for i in issuers}) != len(issuers):
        raise _invalid(path.name, "an issuer DID is listed twice")
    return TrustConfig(issuers)


def _parse(table: Mapping[str, Any], where: str) -> TrustedIssuer:
    if not isinstance(table, dict):
        raise _invalid(where, "must be a table")
    unknown = sorted(set(table) - _FIELDS)
    if unknown:
        raise _invalid(where, f"unknown field {unknown[0]!r}")
    did, address = table.get("did"), table.get("address")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise _invalid(where, "field 'did' must be a DID")
    if not isinstance(address, str) or ":" not in address:
        raise _invalid(where, "field 'address' must be host:port")
    prefixes = table.get("status_list_prefixes", [did_web_prefix(did)] if did.startswith("did:web:") else [])
    if not isinstance(prefixes, list) or not prefixes or not all(isinstance(p, str) and p for p in prefixes):
        raise _invalid(where, "field 'status_list_prefixes' must be a non-empty list of URL prefixes")
    refresh = table.get("refresh_s", DEFAULT_REFRESH_S)
    if isinstance(refresh, bool) or not isinstance(refresh, int | float) or refresh <= 0:
        raise _invalid(where, "field 'refresh_s' must be a positive number")
    ca = table.get("tls_ca")
    return TrustedIssuer(
        did, address, tuple(prefixes), Path(ca) if isinstance(ca, str) else None, float(refresh)
    )


def _invalid(where: str, message: str) -> DomainError:
    return DomainError(DomainErrorCode.CONFIG_INVALID, f"{where}: {message}")
