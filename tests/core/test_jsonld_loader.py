"""The offline document loader: pinned contexts only, never the network."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.core.jsonld import (
    context_sha256,
    contexts,
    document_loader,
    expand,
    known_context_urls,
    load_context,
)

REPO = Path(__file__).resolve().parents[2]
SHARED_INDEX = REPO / ".." / "shared" / "reference" / "contexts" / "index.json"
PACKAGE_CONTEXTS = REPO / "core" / "civid" / "core" / "jsonld" / "context_files"
W3C_URLS = [
    contexts.CREDENTIALS_V2,
    contexts.CREDENTIALS_V1,
    contexts.CREDENTIALS_EXAMPLES_V2,
    contexts.DATA_INTEGRITY_V2,
    contexts.MULTIKEY_V1,
    contexts.DID_V1,
    contexts.DID_V1_1,
    contexts.ED25519_2020_V1,
    contexts.STATUS_V1,
    contexts.CITIZENSHIP_V4RC1,
]


def test_serves_every_named_context_and_nothing_else() -> None:
    assert known_context_urls() == frozenset([*W3C_URLS, contexts.CIVID_V1])


@pytest.mark.skipif(not SHARED_INDEX.exists(), reason="../shared/reference is not present")
@pytest.mark.parametrize("url", W3C_URLS)
def test_shipped_w3c_context_matches_the_pinned_sha256(url: str) -> None:
    pinned = {entry["url"]: entry["sha256"] for entry in json.loads(SHARED_INDEX.read_text())}
    assert context_sha256(url) == pinned[url]


def test_index_sha256_matches_each_shipped_file() -> None:
    for entry in json.loads((PACKAGE_CONTEXTS / "index.json").read_text()):
        digest = hashlib.sha256((PACKAGE_CONTEXTS / entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], f"{entry['file']} changed: update contexts/index.json"


def test_loader_returns_a_pyld_remote_document() -> None:
    remote = document_loader(contexts.CREDENTIALS_V2, {})
    assert remote["documentUrl"] == contexts.CREDENTIALS_V2
    assert remote["contextUrl"] is None
    assert remote["document"]["@context"]["@protected"] is True


def test_unknown_url_is_refused_with_unknown_context() -> None:
    with pytest.raises(CividError) as caught:
        document_loader("https://evil.example/context.jsonld")
    assert caught.value.code is ErrorCode.UNKNOWN_CONTEXT
    assert "https://evil.example/context.jsonld" in caught.value.message


def test_url_must_match_exactly() -> None:
    with pytest.raises(CividError) as caught:
        document_loader(contexts.CREDENTIALS_V2 + "/")
    assert caught.value.code is ErrorCode.UNKNOWN_CONTEXT


def test_unknown_context_in_a_document_is_refused_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    document = {"@context": [contexts.CREDENTIALS_V2, "https://evil.example/v1"], "name": "x"}
    with pytest.raises(CividError) as caught:
        expand(document)
    assert caught.value.code is ErrorCode.UNKNOWN_CONTEXT
    assert "https://evil.example/v1" in caught.value.message


def test_callers_cannot_mutate_the_cached_context() -> None:
    first = document_loader(contexts.CIVID_V1)["document"]
    first["@context"]["nationalIdNumber"] = "https://evil.example/id"
    load_context(contexts.CIVID_V1)["@context"].clear()
    assert document_loader(contexts.CIVID_V1)["document"]["@context"]["nationalIdNumber"] == (
        "https://w3id.org/civid#nationalIdNumber"
    )


def test_context_sha256_of_unknown_url_is_unknown_context() -> None:
    with pytest.raises(CividError) as caught:
        context_sha256("https://example.com/nope")
    assert caught.value.code is ErrorCode.UNKNOWN_CONTEXT
