"""Trusted issuers' DID documents (fetched, pinned, refreshed) and their status lists.

* At start every trusted issuer's DID document is fetched with GetDidDocument and pinned (written to
  ``<data dir>/trust/``); when an issuer cannot be reached, the pinned copy is used.
* A document is refreshed every ``refresh_s`` (a missing one is retried every few seconds); the
  resolver is rebuilt only when a document changed. An unreachable issuer keeps its pinned document.
* Status lists are fetched with GetStatusList (with the ETag) from the issuer whose prefix matches the
  ``statusListCredential`` URL, through the domain's :class:`StatusListCache`.

Thread-safe: the resolver is immutable and swapped whole under a lock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from civid.core.did.resolver import DidResolver
from civid.core.errors import CividError, ErrorCode
from civid.verifier.domain.status_cache import FetchResult, StatusListCache
from civid.verifier.trust.client import IssuerClient
from civid.verifier.trust.config import TrustConfig, TrustedIssuer

log = logging.getLogger("civid.verifier.trust")
MISSING_RETRY_S: Final = 5.0


class TrustStore:
    """The DID resolver and status lists of the trusted issuers."""

    def __init__(
        self,
        config: TrustConfig,
        *,
        pinned: Mapping[str, Mapping[str, Any]] | None = None,
        pin_dir: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._pin_dir = pin_dir
        self._clock = clock
        self._clients = {i.did: IssuerClient(i) for i in config.issuers}
        self._documents: dict[str, Mapping[str, Any]] = dict(pinned or {})
        if pin_dir is not None:
            self._documents = {**_read_pins(pin_dir, config), **self._documents}
        self._due: dict[str, float] = {i.did: 0.0 for i in config.issuers}
        self._resolver = DidResolver(self._documents.values())
        self._lock = threading.Lock()
        self.status_lists = StatusListCache(self.fetch_status_list)

    @property
    def documents(self) -> Mapping[str, Mapping[str, Any]]:
        """The DID documents held now (to hand to worker processes)."""
        with self._lock:
            return dict(self._documents)

    def resolver(self) -> DidResolver:
        """The current resolver, after refreshing any issuer whose document is due."""
        now = self._clock()
        due = [i for i in self.config.issuers if self._due[i.did] <= now]
        for trusted in due:
            self.refresh(trusted)
        return self._resolver

    def refresh_all(self) -> None:
        for trusted in self.config.issuers:
            self.refresh(trusted)

    def refresh(self, trusted: TrustedIssuer) -> None:
        """Fetch one issuer's document; keep the pinned copy when it cannot be reached."""
        try:
            document = self._clients[trusted.did].did_document()
        except CividError as exc:
            retry = trusted.refresh_s if trusted.did in self._documents else MISSING_RETRY_S
            self._due[trusted.did] = self._clock() + min(retry, MISSING_RETRY_S)
            log.warning(
                "trust refresh failed",
                extra={"event": "trust_refresh_failed", "issuer": trusted.did, "error": exc.message},
            )
            return
        self._due[trusted.did] = self._clock() + trusted.refresh_s
        with self._lock:
            if self._documents.get(trusted.did) == document:
                return
            documents = {**self._documents, trusted.did: document}
            self._resolver = DidResolver(documents.values())
            self._documents = documents
        if self._pin_dir is not None:
            _write_pin(self._pin_dir, trusted.did, document)

    def fetch_status_list(self, url: str, etag: str | None) -> FetchResult:
        """``status_cache.Fetch`` routed to the issuer serving ``url``."""
        trusted = self.config.issuer_for_status_list(url)
        if trusted is None:
            raise CividError(ErrorCode.STATUS_LIST_INVALID, f"{url} is not a status list of a trusted issuer")
        return self._clients[trusted.did].status_list(url, etag)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


def _pin_path(pin_dir: Path, did: str) -> Path:
    return pin_dir / f"{hashlib.sha256(did.encode()).hexdigest()[:32]}.json"


def _read_pins(pin_dir: Path, config: TrustConfig) -> dict[str, Mapping[str, Any]]:
    pins: dict[str, Mapping[str, Any]] = {}
    for trusted in config.issuers:
        path = _pin_path(pin_dir, trusted.did)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(document, dict) and document.get("id") == trusted.did:
            pins[trusted.did] = document
    return pins


def _write_pin(pin_dir: Path, did: str, document: Mapping[str, Any]) -> None:
    pin_dir.mkdir(parents=True, exist_ok=True)
    path = _pin_path(pin_dir, did)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, sort_keys=True), encoding="utf-8")
    temporary.replace(path)
