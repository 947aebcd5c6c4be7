"""The quick schema check (civid.core.schemas.fastcheck) never says "fits" where jsonschema does not,
and validate_credential answers exactly as with jsonschema alone (same errors, same messages)."""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from civid.core.errors import CividError
from civid.core.schemas import SCHEMA_BY_CREDENTIAL_TYPE, schema_for, validate_credential
from civid.core.schemas import schemas as schema_module
from civid.core.schemas.fastcheck import _PY_SPACE, fast_validator, rust_pattern
from civid.core.schemas.inline import inline_refs

URLS = sorted(SCHEMA_BY_CREDENTIAL_TYPE.values())
ODD_STRINGS = [
    "", "x", " ", "0000-01-01", "2024-02-30", "2024-02-29", "1900-02-29", "2025-01-15\n",
    "1101700230708", "1101700230708\n", "110170023070", "JT0-1234567-89", "did:key:z6Mk", "did:key:",
    "did:KEY:z", "did:key:z\x1c", "did:key:z\x85", "did:key:z\u3000", "did:key:z\ufeff", "did:key:z\u200b",
    "data:image/png;base64,iVBO=", "data:image/gif;base64,iVBO", "2025-01-15T09:00:00Z",
    "2025-01-15T09:00:00+07:00", "2025-01-15 09:00:00Z", "male", "Citizen", "ThaiAddress", "10110",
    "\u0e44\u0e17\u0e22", "\x00", "\U0001f600",
]  # fmt: skip
ODD_VALUES: list[Any] = [None, True, False, 0, 1, 1.0, -1, 2**70, 1.5, [], {}, ["x"], {"id": "x"}, ("x",)]


def _slow(credential: Any, url: str, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """validate_credential's answer with jsonschema alone: None or the SCHEMA_MISMATCH message."""
    with monkeypatch.context() as patched:
        patched.setattr(schema_module, "_fits", lambda _url: schema_module._never)
        return _outcome(credential, url)


def _outcome(credential: Any, url: str) -> str | None:
    try:
        validate_credential(credential, url)
    except CividError as exc:
        return f"{exc.code.name}: {exc.message}"
    return None


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _paths(item, (*path, n))


def _mutants(document: dict[str, Any]) -> Iterator[Any]:
    for path in _paths(document):
        if not path:
            continue
        for replacement in [*ODD_STRINGS, *ODD_VALUES, "__delete__", "__tuple__", "__extra__"]:
            mutant = copy.deepcopy(document)
            parent = mutant
            for step in path[:-1]:
                parent = parent[step]
            last, current = path[-1], parent[path[-1]]
            if replacement == "__delete__":
                del parent[last]
            elif replacement == "__tuple__":
                if not isinstance(current, list):
                    continue
                parent[last] = tuple(current)
            elif replacement == "__extra__":
                if not isinstance(current, dict):
                    continue
                current["unexpectedClaim"] = "x"
            else:
                parent[last] = replacement
            yield mutant


@pytest.mark.parametrize("url", URLS)
def test_fast_check_accepts_each_schemas_example(url: str) -> None:
    fits = fast_validator(inline_refs(url, schema_module._schemas()))
    assert fits is not None, "the schema fell off the fast path"
    assert fits(schema_for(url)["examples"][0])


@pytest.mark.slow
@pytest.mark.parametrize("url", URLS)
def test_fast_check_never_accepts_what_jsonschema_refuses(url: str) -> None:
    inlined = inline_refs(url, schema_module._schemas())
    fits = fast_validator(inlined)
    assert fits is not None
    judge = Draft202012Validator(inlined, format_checker=Draft202012Validator.FORMAT_CHECKER)
    accepted = refused = 0
    for mutant in _mutants(schema_for(url)["examples"][0]):
        if fits(mutant):
            accepted += 1
            assert judge.is_valid(mutant), f"the fast check accepted an invalid credential: {mutant}"
        else:
            refused += 1
    assert accepted and refused  # both sides were exercised


@pytest.mark.slow
@pytest.mark.parametrize("url", URLS)
def test_validation_answers_and_messages_are_jsonschemas(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for mutant in _mutants(schema_for(url)["examples"][0]):
        assert _outcome(mutant, url) == _slow(mutant, url, monkeypatch)


def test_python_whitespace_is_spelled_out_exactly() -> None:
    spelled = re.compile(f"[{_PY_SPACE}]")
    python = re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert bool(spelled.match(char)) == bool(python.match(char)), hex(code)


def test_patterns_keep_their_meaning_for_python() -> None:
    pattern = r"^did:[a-z0-9]+:[^\s]+$"
    rewritten = re.compile(rust_pattern(pattern))
    for code in range(0x3001):
        text = f"did:key:z{chr(code)}"
        assert bool(rewritten.search(text)) == bool(re.search(pattern, text)), hex(code)


def test_a_tuple_is_not_taken_for_an_array() -> None:
    fits = fast_validator({"type": "array"})
    assert fits is not None and fits(["x"]) and not fits(("x",))


def test_year_zero_is_left_to_jsonschema() -> None:
    fits = fast_validator({"type": "string", "format": "date"})
    assert fits is not None and fits("0001-01-01") and not fits("0000-01-01")


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "maxLength": 3},
        {"type": "string", "pattern": r"^\d+$"},
        {"type": "string", "pattern": r"^[\S]+$"},
        {"type": "string", "format": "email"},
        {"type": "integer"},
        {"const": 1},
        {"$ref": "#/$defs/x"},
    ],
)
def test_what_the_fast_check_cannot_match_is_left_to_jsonschema(schema: dict[str, Any]) -> None:
    assert fast_validator(schema) is None
