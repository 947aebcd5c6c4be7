"""A cache of status list credentials in front of the issuer (implements ``StatusListSource``).

* A list younger than the freshness bound is served from memory; an older one is refetched with its
  ETag (the issuer may answer "not modified").
* When the refetch fails (the issuer is down) a stale list is used only if the policy allows it;
  by default the answer is STATUS_UNAVAILABLE (fail closed).
* Concurrent misses for one URL make one fetch (single flight); the others wait for its answer.
* Thread-safe and bounded (least recently used lists are dropped beyond ``max_entries``).
* ``verified_document`` runs the (expensive) verification of a status list credential once per
  document: it is repeated only when the document changes or the verified copy's validUntil passes.

The fetch function raises :class:`CividError`: STATUS_UNAVAILABLE (or an ``OSError``) means "could
not reach the issuer" and may fall back to a stale copy; any other code (STATUS_LIST_NOT_FOUND...) is
passed on as it is.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final

from civid.core.datetimes import parse_datetime, utc_now
from civid.core.errors import CividError, ErrorCode
from civid.core.jcs import canonicalize

DEFAULT_FRESHNESS_S: Final = 300.0
DEFAULT_MAX_ENTRIES: Final = 4096


@dataclass(frozen=True)
class FetchResult:
    """What the issuer answered: a document and its ETag, or ``document=None`` for "not modified"."""

    document: Mapping[str, Any] | None
    etag: str | None = None


Fetch = Callable[[str, str | None], FetchResult]
Verify = Callable[[Mapping[str, Any]], None]  # raises CividError when the list does not verify


@dataclass(frozen=True)
class CachedList:
    document: Mapping[str, Any]
    etag: str | None
    digest: str  # sha256 of the document's JCS form: "is this the document we verified?"
    fetched_at: float  # monotonic seconds of the last successful fetch (or "not modified")
    verified_until: datetime | None = None  # set once verified; None: not verified yet


@dataclass
class _Flight:
    """One fetch in progress; waiters block on ``done`` and read ``entry`` or ``error``."""

    done: threading.Event = field(default_factory=threading.Event)
    entry: CachedList | None = None
    error: BaseException | None = None


def _digest(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonicalize(document)).hexdigest()


class StatusListCache:
    """Status lists by URL, within a freshness bound, fetched through ``fetch``."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        freshness_s: float = DEFAULT_FRESHNESS_S,
        allow_stale: bool = False,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._fetch = fetch
        self._freshness_s = freshness_s
        self._allow_stale = allow_stale
        self._max_entries = max_entries
        self._clock = clock
        self._wall_clock = wall_clock
        self._entries: OrderedDict[str, CachedList] = OrderedDict()
        self._flights: dict[str, _Flight] = {}
        self._lock = threading.Lock()

    def status_list(self, url: str) -> Mapping[str, Any]:
        """``StatusListSource``: the list at ``url`` under this cache's default freshness rules."""
        return self.get(url).document

    def for_policy(self, freshness_s: float, allow_stale: bool) -> PolicyStatusLists:
        """A ``StatusListSource`` view applying one policy's freshness and stale rules."""
        return PolicyStatusLists(self, freshness_s, allow_stale)

    def get(self, url: str, freshness_s: float | None = None, allow_stale: bool | None = None) -> CachedList:
        freshness = self._freshness_s if freshness_s is None else freshness_s
        stale_ok = self._allow_stale if allow_stale is None else allow_stale
        with self._lock:
            entry = self._entries.get(url)
            if entry is not None and self._clock() - entry.fetched_at < freshness:
                self._entries.move_to_end(url)
                return entry
            flight = self._flights.get(url)
            leader = flight is None
            if flight is None:
                flight = self._flights[url] = _Flight()
        if leader:
            self._lead(url, entry, flight)
        else:
            flight.done.wait()
        return self._answer(url, flight, entry, stale_ok, freshness)

    def verified_document(
        self, url: str, verify: Verify, freshness_s: float | None = None, allow_stale: bool | None = None
    ) -> Mapping[str, Any]:
        """The list at ``url``, verified by ``verify`` once per distinct document."""
        entry = self.get(url, freshness_s, allow_stale)
        now = self._wall_clock()
        if entry.verified_until is not None and now < entry.verified_until:
            return entry.document
        verify(entry.document)
        until = _valid_until(entry.document)
        with self._lock:
            current = self._entries.get(url)
            if current is not None and current.digest == entry.digest:
                self._entries[url] = replace(current, verified_until=until)
        return entry.document

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _lead(self, url: str, previous: CachedList | None, flight: _Flight) -> None:
        try:
            flight.entry = self._refresh(url, previous)
        except BaseException as exc:  # handed to every waiter, then re-raised by _answer
            flight.error = exc
        finally:
            with self._lock:
                if flight.entry is not None:
                    self._store(url, flight.entry)
                del self._flights[url]
            flight.done.set()

    def _refresh(self, url: str, previous: CachedList | None) -> CachedList:
        result = self._fetch(url, previous.etag if previous else None)
        now = self._clock()
        if result.document is None:
            if previous is None:
                raise CividError(ErrorCode.STATUS_UNAVAILABLE, f"the issuer sent no status list for {url}")
            return replace(previous, fetched_at=now)
        digest = _digest(result.document)
        if previous is not None and previous.digest == digest:
            return replace(previous, etag=result.etag, fetched_at=now)
        return CachedList(result.document, result.etag, digest, now)

    def _answer(
        self, url: str, flight: _Flight, stale: CachedList | None, stale_ok: bool, freshness: float
    ) -> CachedList:
        if flight.entry is not None:
            return flight.entry
        error = flight.error
        unreachable = isinstance(error, OSError) or (
            isinstance(error, CividError) and error.code is ErrorCode.STATUS_UNAVAILABLE
        )
        if isinstance(error, CividError) and not unreachable:
            raise CividError(error.code, error.message) from error  # a copy per waiting thread
        if not unreachable:
            raise RuntimeError(f"fetching the status list {url} failed") from error
        if stale is not None and stale_ok:
            return stale
        age = "" if stale is None else f"; the cached copy is {self._clock() - stale.fetched_at:.0f} s old"
        raise CividError(
            ErrorCode.STATUS_UNAVAILABLE,
            f"the status list {url} could not be fetched ({_describe(error)}){age} and the policy "
            f"accepts status no older than {freshness:.0f} s",
        ) from error

    def _store(self, url: str, entry: CachedList) -> None:
        self._entries[url] = entry
        self._entries.move_to_end(url)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


@dataclass(frozen=True)
class PolicyStatusLists:
    """A ``StatusListSource`` bound to one policy's freshness and stale rules."""

    cache: StatusListCache
    freshness_s: float
    allow_stale: bool

    def status_list(self, url: str) -> Mapping[str, Any]:
        return self.cache.get(url, self.freshness_s, self.allow_stale).document

    def verified_document(self, url: str, verify: Verify) -> Mapping[str, Any]:
        return self.cache.verified_document(url, verify, self.freshness_s, self.allow_stale)


def _describe(error: BaseException | None) -> str:
    if isinstance(error, CividError):
        return error.message
    return type(error).__name__ if error is not None else "no answer"


def _valid_until(document: Mapping[str, Any]) -> datetime:
    """How long a verification of ``document`` stays good: its validUntil, else for ever."""
    value = document.get("validUntil")
    if value is None:
        return datetime.max.replace(tzinfo=utc_now().tzinfo)
    return parse_datetime(value, "validUntil")
