"""A blocking client for the two IssuerService calls trust needs: GetDidDocument and GetStatusList.

Blocking on purpose: it runs in the verification workers (threads or processes), never on the event
loop. Transport failures become STATUS_UNAVAILABLE / DID_NOT_RESOLVED so the status cache can fall
back (or fail closed) as the policy says.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import grpc

from civid.core.errors import CividError, ErrorCode
from civid.issuer.v1 import issuer_service_pb2 as pb
from civid.issuer.v1 import issuer_service_pb2_grpc as pb_grpc
from civid.verifier.domain.status_cache import FetchResult
from civid.verifier.trust.config import TrustedIssuer

CALL_TIMEOUT_S: Final = 3.0


class IssuerClient:
    """One channel to one trusted issuer."""

    def __init__(self, issuer: TrustedIssuer, timeout_s: float = CALL_TIMEOUT_S) -> None:
        self.issuer = issuer
        self._timeout = timeout_s
        if issuer.tls_ca is None:
            self._channel = grpc.insecure_channel(issuer.address)
        else:
            creds = grpc.ssl_channel_credentials(root_certificates=issuer.tls_ca.read_bytes())
            self._channel = grpc.secure_channel(issuer.address, creds)
        self._stub = pb_grpc.IssuerServiceStub(self._channel)

    def did_document(self) -> Mapping[str, Any]:
        """The issuer's DID document; DID_NOT_RESOLVED when unreachable or not the configured DID."""
        try:
            answer = self._stub.GetDidDocument(pb.GetDidDocumentRequest(), timeout=self._timeout)
        except grpc.RpcError as exc:
            raise CividError(
                ErrorCode.DID_NOT_RESOLVED,
                f"the issuer {self.issuer.did} at {self.issuer.address} did not answer ({_code(exc)})",
            ) from exc
        document = _json_object(answer.did_document_json, ErrorCode.DID_NOT_RESOLVED, "DID document")
        if answer.did != self.issuer.did or document.get("id") != self.issuer.did:
            raise CividError(
                ErrorCode.DID_NOT_RESOLVED,
                f"the issuer at {self.issuer.address} is {answer.did!r}, not the trusted {self.issuer.did!r}",
            )
        return document

    def status_list(self, url: str, etag: str | None) -> FetchResult:
        """``status_cache.Fetch``: the list (or "not modified"); STATUS_UNAVAILABLE when unreachable."""
        request = pb.GetStatusListRequest(status_list_credential=url, if_none_match=etag or "")
        try:
            answer = self._stub.GetStatusList(request, timeout=self._timeout)
        except grpc.RpcError as exc:
            if exc.code() is grpc.StatusCode.NOT_FOUND:
                raise CividError(
                    ErrorCode.STATUS_LIST_NOT_FOUND, f"the issuer has no status list {url}"
                ) from exc
            raise CividError(
                ErrorCode.STATUS_UNAVAILABLE, f"the issuer {self.issuer.did} did not answer ({_code(exc)})"
            ) from exc
        if answer.not_modified:
            return FetchResult(None, answer.etag or etag)
        document = _json_object(
            answer.status_list_credential_json, ErrorCode.STATUS_LIST_INVALID, "status list"
        )
        return FetchResult(document, answer.etag or None)

    def close(self) -> None:
        self._channel.close()


def _code(error: grpc.RpcError) -> str:
    code = error.code() if hasattr(error, "code") else None
    return code.name if code is not None else type(error).__name__


def _json_object(text: str, code: ErrorCode, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise CividError(code, f"the issuer sent a {what} that is not JSON") from exc
    if not isinstance(value, dict):
        raise CividError(code, f"the issuer sent a {what} that is not a JSON object")
    return value
