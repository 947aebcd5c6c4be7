"""JSON Canonicalization Scheme (RFC 8785), used by the ``eddsa-jcs-2022`` cryptosuite."""

from __future__ import annotations

from typing import Any

import rfc8785

from civid.core.errors import CividError, ErrorCode


def canonicalize(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value.

    Keys are sorted by UTF-16 code units and numbers use ECMAScript formatting. Values JCS cannot
    represent (NaN, infinities, integers beyond ±2**53, lone surrogates, non-string keys) raise
    ``CividError(MALFORMED_DOCUMENT)``.
    """
    try:
        return rfc8785.dumps(obj)
    except rfc8785.CanonicalizationError as exc:
        raise CividError(ErrorCode.MALFORMED_DOCUMENT, f"cannot canonicalize as JCS: {exc}") from exc
