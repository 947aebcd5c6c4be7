"""Refreshing a credential's status from the issuer's status lists, verified before a bit is read."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from civid.core.errors import CividError, ErrorCode
from civid.core.result import Outcome, VerificationResult
from civid.wallet.domain import NATIONAL_ID_CREDENTIAL, CredentialState, HeldCredential, Wallet


class _FetchedLists:
    """The status list credentials fetched before verification (the core reads them synchronously)."""

    def __init__(self, lists: Mapping[str, Mapping[str, Any]]) -> None:
        self._lists = dict(lists)

    def status_list(self, url: str) -> Mapping[str, Any]:
        try:
            return self._lists[url]
        except KeyError as exc:
            raise CividError(ErrorCode.STATUS_LIST_NOT_FOUND, f"no status list {url}") from exc


def main_credential(wallet: Wallet) -> HeldCredential:
    """The national ID credential (or the first credential held)."""
    held = wallet.credentials_of_type(NATIONAL_ID_CREDENTIAL) or wallet.credentials()
    if not held:
        raise CividError(
            ErrorCode.NOT_FOUND, "the wallet holds no card yet; enrol first (civid wallet enrol)"
        )
    national = [c for c in held if any(t.endswith(NATIONAL_ID_CREDENTIAL) for t in c.types)]
    return (national or list(held))[-1]


def state_of(result: VerificationResult) -> CredentialState:
    """Revoked or suspended from the status checks, expired from the validity window, else valid.

    A failure of anything else (the signature, the status list itself) is an error, not a state."""
    failed = {c.name: c for c in result.checks if c.outcome is Outcome.FAILED}
    for name, check in failed.items():
        if name.startswith("status.") and check.code in (ErrorCode.REVOKED, ErrorCode.SUSPENDED):
            return CredentialState.REVOKED if check.code is ErrorCode.REVOKED else CredentialState.SUSPENDED
    if "validity.window" in failed and failed["validity.window"].code is ErrorCode.EXPIRED:
        return CredentialState.EXPIRED
    if failed:
        first = next(iter(failed.values()))
        raise CividError(
            ErrorCode.STATUS_UNAVAILABLE,
            f"the status could not be confirmed ({first.code}: {first.message}); try again later",
        )
    return CredentialState.VALID


async def refresh_status(wallet: Wallet, credential_id: str | None = None) -> HeldCredential:
    """Fetch the issuer's DID document and status lists, verify them with the core, record the state."""
    from civid.core.credential import CredentialChecks, status_entries, verify_credential
    from civid.core.did.resolver import DidResolver
    from civid.wallet.clients.issuer import IssuerClient

    held = wallet.credential(credential_id) if credential_id else main_credential(wallet)
    document = held.document
    settings = wallet.settings()
    async with IssuerClient(settings.issuer_address, tls=settings.tls, ca_file=settings.ca_file) as issuer:
        did_document = await issuer.did_document()
        urls = {str(e.get("statusListCredential")) for e in status_entries(document)}
        lists = {url: await issuer.status_list(url) for url in urls}
    checks = CredentialChecks(DidResolver([did_document]), status_lists=_FetchedLists(lists))
    result = await asyncio.to_thread(verify_credential, document, checks)
    return wallet.record_status(held.id, state_of(result))
