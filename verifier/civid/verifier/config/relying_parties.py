"""The relying parties registered on first start: a TOML file of ``[[relying_party]]`` tables.

A table may give the relying party its own rate limit (``rate_per_s`` and ``burst``, both or neither);
without them it gets the server's ``rp_rate_per_s`` and ``rp_burst``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from civid.verifier.config.fields import FieldReader, LocalizedText, config_error
from civid.verifier.config.policies import PolicySet
from civid.verifier.domain.admission import check_rate_limit
from civid.verifier.domain.errors import DomainError

SHIPPED_RELYING_PARTIES: Final = Path(__file__).resolve().parents[1] / "policies" / "relying_parties.toml"
RP_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_FIELDS: Final = frozenset({"id", "display_name", "policies", "certificate_sha256", "rate_per_s", "burst"})
_SHA256_HEX: Final = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class RelyingPartySpec:
    """A relying party as configured (no key: keys are created at registration)."""

    id: str
    display_name: LocalizedText
    policy_ids: tuple[str, ...]
    certificate_fingerprints: tuple[str, ...] = ()  # SHA-256 of client certificates' DER (mTLS)
    rate_per_s: float | None = None  # its own token bucket; None: the server's rp_rate_per_s
    burst: float | None = None  # None: the server's rp_burst (given together with rate_per_s)


def load_relying_party_specs(
    policies: PolicySet, path: Path = SHIPPED_RELYING_PARTIES
) -> list[RelyingPartySpec]:
    """Read and validate the file; every policy an RP names must exist in ``policies``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise config_error(path.name, f"cannot read the file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise config_error(path.name, f"not valid TOML: {exc}") from exc
    return parse_relying_party_specs(data, policies, path.name)


def parse_relying_party_specs(
    data: Mapping[str, Any], policies: PolicySet, source: str
) -> list[RelyingPartySpec]:
    tables = data.get("relying_party")
    if set(data) - {"relying_party"} or not isinstance(tables, list):
        raise config_error(source, "expected only [[relying_party]] tables")
    specs: list[RelyingPartySpec] = []
    for index, table in enumerate(tables):
        if not isinstance(table, dict):
            raise config_error(source, f"relying party #{index + 1} must be a table")
        name = table.get("id")
        where = f"{source}: relying party {name!r}" if isinstance(name, str) else f"{source}: #{index + 1}"
        spec = _parse_one(FieldReader(table, where, _FIELDS), policies)
        if any(s.id == spec.id for s in specs):
            raise config_error(source, f"relying party {spec.id!r} is defined twice")
        specs.append(spec)
    return specs


def _parse_one(read: FieldReader, policies: PolicySet) -> RelyingPartySpec:
    read.check_known()
    rp_id = read.text("id", pattern=RP_ID, hint="lowercase letters, digits and '-'")
    policy_ids = read.text_list("policies")
    missing = [p for p in policy_ids if policies.get(p) is None]
    if missing:
        raise read.error("policies", f"no policy {missing[0]!r} in {policies.source}")
    fingerprints = _fingerprints(read)
    rate_per_s, burst = read.optional_number("rate_per_s"), read.optional_number("burst")
    try:
        check_rate_limit(rate_per_s, burst)
    except DomainError as exc:
        raise read.error(exc.metadata["field"], exc.message) from exc
    return RelyingPartySpec(
        rp_id, read.localized("display_name"), policy_ids, fingerprints, rate_per_s, burst
    )


def _fingerprints(read: FieldReader) -> tuple[str, ...]:
    """``certificate_sha256``: one fingerprint or a list of them (a relying party with several certificates)."""
    raw = read.table.get("certificate_sha256", [])
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) and _SHA256_HEX.match(v) for v in values):
        raise read.error(
            "certificate_sha256", "must be 64 lowercase hex digits (SHA-256 of the DER), or a list of them"
        )
    return tuple(dict.fromkeys(values))
