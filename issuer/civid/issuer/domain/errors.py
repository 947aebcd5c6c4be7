"""A domain failure with the metadata its ErrorInfo carries (``failure``, ``attempts_left`` ...)."""

from __future__ import annotations

from collections.abc import Mapping

from civid.core.errors import CividError, ErrorCode


class IssuerFailure(CividError):
    """A :class:`CividError` plus wire metadata and, for bad input, the offending field."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        metadata: Mapping[str, str] | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(code, message)
        self.metadata: dict[str, str] = dict(metadata or {})
        self.field = field


def field_invalid(field: str, message: str) -> IssuerFailure:
    """INVALID_ARGUMENT / FIELD_INVALID for one request field."""
    return IssuerFailure(ErrorCode.FIELD_INVALID, f"{field}: {message}", {"field": field}, field)


def not_found(resource_type: str, resource_id: str) -> IssuerFailure:
    return IssuerFailure(
        ErrorCode.NOT_FOUND,
        f"no {resource_type} {resource_id}",
        {"resource_type": resource_type, "resource_id": resource_id},
    )


def invalid_state(resource_type: str, resource_id: str, state: str, message: str) -> IssuerFailure:
    return IssuerFailure(
        ErrorCode.INVALID_STATE,
        message,
        {"resource_type": resource_type, "resource_id": resource_id, "state": state},
    )
