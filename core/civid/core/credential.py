"""Verifying a Verifiable Credential (VC Data Model 2.0) secured with Data Integrity proofs.

The result lists each check: ``document.*`` (shape and JSON-LD safe mode), ``proof.*`` (every proof),
``issuer.binding`` (the signer is the issuer), ``validity.window`` and ``status.<purpose>``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeGuard, runtime_checkable

from civid.core.datetimes import parse_datetime, utc_now
from civid.core.did.resolver import DidResolver, ResolvedMethod
from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld.canonical import check_safe_mode
from civid.core.jsonld.contexts import CREDENTIALS_V2
from civid.core.jsonld.fastpath import decided
from civid.core.jsonld.templates import one_verification
from civid.core.proofs.dataintegrity import ProofExpectations, verify_proofs
from civid.core.result import ResultBuilder, VerificationResult
from civid.core.statuslist.bitstring import StatusPurpose
from civid.core.statuslist.credential import read_status


class StatusListSource(Protocol):
    """Where a verifier gets status list credentials from (files, a cache, the issuer's RPC)."""

    def status_list(self, url: str) -> Mapping[str, Any]:
        """The status list credential at ``url``; raises CividError (STATUS_LIST_NOT_FOUND,
        STATUS_UNAVAILABLE) when it cannot be had."""
        ...


@runtime_checkable
class VerifyingStatusListSource(StatusListSource, Protocol):
    """A source that remembers which documents it already saw verified (a verifier's cache)."""

    def verified_document(self, url: str, verify: Callable[[Mapping[str, Any]], None]) -> Mapping[str, Any]:
        """The list at ``url`` after ``verify`` accepted it (run once per distinct document)."""
        ...


@dataclass(frozen=True)
class CredentialChecks:
    """Options for one credential verification."""

    resolver: DidResolver
    now: datetime | None = None
    status_lists: StatusListSource | None = None  # None: status is reported "not checked"


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def types_of(document: Mapping[str, Any]) -> list[str]:
    value = document.get("type")
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def check_context(document: Mapping[str, Any]) -> None:
    """VC 2.0 §4.3: ``@context`` is an ordered list whose first item is the credentials v2 URL."""
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first != CREDENTIALS_V2:
        raise CividError(
            ErrorCode.CONTEXT_ORDER, f"the first @context must be {CREDENTIALS_V2}, found {first!r}"
        )


def _check_shape(vc: Mapping[str, Any], out: ResultBuilder) -> bool:
    try:
        if not isinstance(vc, Mapping):
            raise CividError(ErrorCode.MALFORMED_DOCUMENT, "a credential must be a JSON object")
        check_context(vc)
        if "VerifiableCredential" not in types_of(vc):
            raise CividError(ErrorCode.NOT_A_CREDENTIAL, "type does not include VerifiableCredential")
        if issuer_id(vc) is None:
            raise CividError(ErrorCode.MALFORMED_DOCUMENT, "the credential has no issuer")
        if not isinstance(vc.get("credentialSubject"), dict | list):
            raise CividError(ErrorCode.MALFORMED_DOCUMENT, "the credential has no credentialSubject")
        out.passed("document.shape")
    except CividError as exc:
        out.failed_with("document.shape", exc)
        return False
    try:
        check_safe_mode({k: v for k, v in vc.items() if k != "proof"})  # proofs are their suites' business
        out.passed("document.jsonld")
    except CividError as exc:
        out.failed_with("document.jsonld", exc)
        return False
    return True


def _check_issuer_binding(vc: Mapping[str, Any], methods: list[ResolvedMethod], out: ResultBuilder) -> None:
    issuer = issuer_id(vc)
    strangers = [m.controller for m in methods if m.controller != issuer]
    if strangers:
        out.failed(
            "issuer.binding",
            ErrorCode.ISSUER_MISMATCH,
            f"the issuer {issuer!r} does not control the signing key (controller {strangers[0]!r})",
        )
    else:
        out.passed("issuer.binding")


def check_validity_window(document: Mapping[str, Any], now: datetime, out: ResultBuilder) -> None:
    try:
        if "validFrom" in document and parse_datetime(document["validFrom"], "validFrom") > now:
            raise CividError(ErrorCode.NOT_YET_VALID, f"valid from {document['validFrom']}")
        if "validUntil" in document and parse_datetime(document["validUntil"], "validUntil") < now:
            raise CividError(ErrorCode.EXPIRED, f"expired at {document['validUntil']}")
        out.passed("validity.window")
    except CividError as exc:
        out.failed_with("validity.window", exc)


def status_entries(vc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    status = vc.get("credentialStatus")
    if status is None:
        return []
    entries = status if isinstance(status, list) else [status]
    return [e for e in entries if isinstance(e, Mapping)]


def _check_status(vc: Mapping[str, Any], checks: CredentialChecks, out: ResultBuilder) -> None:
    for entry in status_entries(vc):
        purpose = entry.get("statusPurpose")
        name = f"status.{purpose}"
        if checks.status_lists is None:
            out.not_checked(name, "no status list was given")
            continue
        try:
            url = entry.get("statusListCredential")
            if not isinstance(url, str):
                raise CividError(ErrorCode.STATUS_LIST_INVALID, "statusListCredential must be a URL")
            list_vc = _verified_status_list(url, checks)
            if issuer_id(list_vc) != issuer_id(vc):
                raise CividError(
                    ErrorCode.STATUS_LIST_INVALID, "the status list has another issuer than the credential"
                )
            if read_status(entry, list_vc):
                code = ErrorCode.SUSPENDED if purpose == StatusPurpose.SUSPENSION else ErrorCode.REVOKED
                out.failed(
                    name,
                    code,
                    f"the credential is {'suspended' if code is ErrorCode.SUSPENDED else 'revoked'}",
                )
            else:
                out.passed(name)
        except CividError as exc:
            out.failed_with(name, exc)


def _verified_status_list(url: str, checks: CredentialChecks) -> Mapping[str, Any]:
    """A status list is only read after its own proof, issuer binding and validity verify."""

    def verify(list_vc: Mapping[str, Any]) -> None:
        result = verify_credential(list_vc, CredentialChecks(checks.resolver, checks.now, None))
        if not result.verified:
            first = result.errors[0]
            raise CividError(
                ErrorCode.STATUS_LIST_INVALID, f"the status list does not verify: {first.message}"
            )

    source = checks.status_lists
    assert source is not None
    if _verifying(source):
        return source.verified_document(url, verify)
    list_vc = source.status_list(url)
    verify(list_vc)
    return list_vc


def _verifying(source: StatusListSource) -> TypeGuard[VerifyingStatusListSource]:
    """``isinstance(source, VerifyingStatusListSource)``: a class that has the methods answers True
    for each of its instances, which ``_verifying_class`` remembers (a protocol ``isinstance`` walks
    the protocol's classes on every call); any other falls back on the instance check."""
    return _verifying_class(type(source)) or isinstance(source, VerifyingStatusListSource)


@functools.lru_cache(maxsize=64)
def _verifying_class(cls: type) -> bool:
    return issubclass(cls, VerifyingStatusListSource)


def verify_credential(vc: Mapping[str, Any], checks: CredentialChecks) -> VerificationResult:
    """Every check of one credential; ``verified`` only when none failed."""
    out = ResultBuilder()
    check_credential(vc, checks, out)
    return out.build()


def check_credential(vc: Mapping[str, Any], checks: CredentialChecks, out: ResultBuilder) -> None:
    """``verify_credential``'s checks and errors, added to ``out`` (``out.under(...)`` to prefix them)."""
    # checked for safe mode, then hashed: taken apart once; the environment's choice read once
    with decided(), one_verification():
        if not _check_shape(vc, out):
            return
        now = checks.now or utc_now()
        methods = verify_proofs(vc, checks.resolver, ProofExpectations("assertionMethod", now=now), out)
        if methods:
            _check_issuer_binding(vc, methods, out)
        check_validity_window(vc, now, out)
        _check_status(vc, checks, out)
