"""First start: register the shipped relying parties and hand their API keys to the operator.

Keys exist in plaintext only in the returned list (the caller prints them) and in
``<data dir>/relying-party-keys.toml``, created with mode 0600. Relying parties already registered
are left alone, so a restart (or a second process starting at the same time) changes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from civid.core.datetimes import format_datetime, utc_now
from civid.verifier.config.relying_parties import RelyingPartySpec
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.relying_parties import RelyingPartyRegistry

KEYS_FILE_NAME: Final = "relying-party-keys.toml"


@dataclass(frozen=True)
class CreatedKey:
    rp_id: str
    api_key: str


def bootstrap_relying_parties(
    registry: RelyingPartyRegistry, specs: list[RelyingPartySpec], data_dir: Path
) -> list[CreatedKey]:
    """Register every spec not registered yet; their keys are appended to the 0600 keys file."""
    existing = {rp.id for rp in registry.list_rps()}
    created: list[CreatedKey] = []
    for spec in specs:
        if spec.id in existing:
            continue
        try:
            _, key = registry.add_rp(spec)
        except DomainError as exc:
            if exc.code is DomainErrorCode.ALREADY_EXISTS:  # another process registered it just now
                continue
            raise
        created.append(CreatedKey(spec.id, key))
    if created:
        write_keys_file(data_dir / KEYS_FILE_NAME, created)
    return created


def write_keys_file(path: Path, keys: list[CreatedKey]) -> None:
    """Append the keys to ``path``, which only its owner can read or write (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.fchmod(fd, 0o600)  # also when the file existed with wider permissions
        lines = [f"# API keys created {format_datetime(utc_now())}; each is shown only here.\n"]
        lines += [f'{k.rp_id} = "{k.api_key}"\n' for k in keys]
        os.write(fd, "".join(lines).encode("utf-8"))
    finally:
        os.close(fd)
