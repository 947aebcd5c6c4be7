"""Verification policies as data: a TOML file of ``[[policy]]`` tables, validated at start.

Every error names the file, the policy and the field, e.g.
``default.toml: policy 'airline-domestic-boarding': field 'claims': unknown claim 'givenName'``.
Claim paths are dotted paths into ``credentialSubject`` whose every segment is a term of our
vocabulary context (``https://w3id.org/civid/v1``), so a typo is caught at start, not at boarding.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from civid.core.jsonld.contexts import CIVID_V1
from civid.core.jsonld.loader import load_context
from civid.verifier.config.fields import FieldReader, LocalizedText, config_error

SHIPPED_POLICIES: Final = Path(__file__).resolve().parents[1] / "policies" / "default.toml"
DEFAULT_REQUEST_LIFETIME_S: Final = 300
DEFAULT_STATUS_FRESHNESS_S: Final = 300
DEFAULT_PRESENTATION_MAX_AGE_S: Final = 300
MAX_REQUEST_LIFETIME_S: Final = 3600
_POLICY_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_DID: Final = re.compile(r"^did:[a-z0-9]+:\S+$")
_FIELDS: Final = frozenset(
    {
        "id",
        "purpose",
        "credential_types",
        "trusted_issuers",
        "claims",
        "required_claims",
        "max_credential_age_s",
        "presentation_max_age_s",
        "suspension_blocks",
        "status_freshness_s",
        "fail_closed_when_status_unavailable",
        "request_lifetime_s",
        "schema_id",
    }
)


@dataclass(frozen=True)
class Policy:
    """What a relying party may learn from a presentation and what the verifier demands of it."""

    id: str
    purpose: LocalizedText
    credential_types: tuple[str, ...]  # a credential must carry at least one of these types
    trusted_issuers: tuple[str, ...]  # issuer DIDs
    claims: tuple[str, ...]  # paths into credentialSubject released to the RP
    required_claims: tuple[str, ...]  # a subset of claims; missing → CLAIM_MISSING
    max_credential_age_s: int | None = None  # from validFrom (else the proof's created)
    presentation_max_age_s: int = DEFAULT_PRESENTATION_MAX_AGE_S  # from the presentation proof's created
    suspension_blocks: bool = True
    status_freshness_s: int = DEFAULT_STATUS_FRESHNESS_S
    fail_closed_when_status_unavailable: bool = True
    request_lifetime_s: int = DEFAULT_REQUEST_LIFETIME_S
    schema_id: str | None = None  # a credentialSchema id the credential must name


@dataclass(frozen=True)
class PolicySet:
    """The policies loaded from one file, by id."""

    source: str
    by_id: Mapping[str, Policy]

    def get(self, policy_id: str) -> Policy | None:
        return self.by_id.get(policy_id)

    def __iter__(self) -> Iterator[Policy]:
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)


@functools.cache
def vocabulary_terms() -> frozenset[str]:
    """The terms our vocabulary context defines (plus ``id`` and ``type``)."""
    context = load_context(CIVID_V1)["@context"]
    return frozenset(k for k in context if not k.startswith("@")) | {"id", "type"}


def load_policies(path: Path = SHIPPED_POLICIES) -> PolicySet:
    """Read and validate a policy file; raises DomainError(CONFIG_INVALID) naming what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise config_error(path.name, f"cannot read the file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise config_error(path.name, f"not valid TOML: {exc}") from exc
    return parse_policies(data, path.name)


def parse_policies(data: Mapping[str, Any], source: str) -> PolicySet:
    """Validate the parsed TOML of a policy file (``source`` names it in errors)."""
    unknown = sorted(set(data) - {"policy"})
    if unknown:
        raise config_error(source, f"unknown top-level key {unknown[0]!r} (expected [[policy]] tables)")
    tables = data.get("policy")
    if not isinstance(tables, list) or not tables:
        raise config_error(source, "no [[policy]] table")
    policies: dict[str, Policy] = {}
    for index, table in enumerate(tables):
        policy = parse_policy(table, f"{source}: policy #{index + 1}", source)
        if policy.id in policies:
            raise config_error(source, f"policy {policy.id!r} is defined twice")
        policies[policy.id] = policy
    return PolicySet(source, policies)


def parse_policy(table: Any, where: str, source: str) -> Policy:
    if not isinstance(table, dict):
        raise config_error(where, "must be a table")
    policy_id = table.get("id")
    if isinstance(policy_id, str) and _POLICY_ID.match(policy_id):
        where = f"{source}: policy {policy_id!r}"
    read = FieldReader(table, where, _FIELDS)
    read.check_known()
    pid = read.text("id", pattern=_POLICY_ID, hint="lowercase letters, digits and '-'")
    claims = _claims(read, "claims", required=True)
    required = _claims(read, "required_claims", required=False, default=claims)
    outside = [c for c in required if c not in claims]
    if outside:
        raise read.error("required_claims", f"{outside[0]!r} is not among the policy's claims")
    return Policy(
        id=pid,
        purpose=read.localized("purpose"),
        credential_types=read.text_list("credential_types"),
        trusted_issuers=read.text_list("trusted_issuers", pattern=_DID, hint="a DID"),
        claims=claims,
        required_claims=required,
        max_credential_age_s=read.optional_int("max_credential_age_s", minimum=1),
        presentation_max_age_s=read.integer(
            "presentation_max_age_s", DEFAULT_PRESENTATION_MAX_AGE_S, minimum=1
        ),
        suspension_blocks=read.boolean("suspension_blocks", default=True),
        status_freshness_s=read.integer("status_freshness_s", DEFAULT_STATUS_FRESHNESS_S, minimum=0),
        fail_closed_when_status_unavailable=read.boolean("fail_closed_when_status_unavailable", True),
        request_lifetime_s=read.integer(
            "request_lifetime_s", DEFAULT_REQUEST_LIFETIME_S, minimum=10, maximum=MAX_REQUEST_LIFETIME_S
        ),
        schema_id=read.optional_text("schema_id"),
    )


def _claims(
    read: FieldReader, field: str, *, required: bool, default: tuple[str, ...] = ()
) -> tuple[str, ...]:
    if not required and field not in read.table:
        return default
    paths = read.text_list(field, allow_empty=not required)
    terms = vocabulary_terms()
    for path in paths:
        for segment in path.split("."):
            if segment not in terms:
                raise read.error(field, f"unknown claim {path!r} ({segment!r} is not a civid term)")
    if len(set(paths)) != len(paths):
        raise read.error(field, "a claim is listed twice")
    return paths
