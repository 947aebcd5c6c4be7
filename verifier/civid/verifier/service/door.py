"""The one place a servicer's exceptions become gRPC statuses (``@unary_door``, ``@stream_door``)."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc

from civid.verifier.service.errors import to_failure

log = logging.getLogger("civid.verifier")
S = TypeVar("S")
Q = TypeVar("Q")
R = TypeVar("R")


async def _abort(context: grpc.aio.ServicerContext, error: Exception) -> None:
    failure = to_failure(error)
    if failure is None:
        log.exception("unexpected error", extra={"event": "internal_error"})
        raise error
    await context.abort_with_status(failure.to_status())


def unary_door(
    method: Callable[[S, Q, grpc.aio.ServicerContext], Awaitable[R]],
) -> Callable[[S, Q, grpc.aio.ServicerContext], Awaitable[R]]:
    @functools.wraps(method)
    async def wrapper(self: S, request: Q, context: grpc.aio.ServicerContext) -> R:
        try:
            return await method(self, request, context)
        except Exception as error:
            await _abort(context, error)
            raise  # unreachable: abort raises

    return wrapper


def stream_door(
    method: Callable[[S, Q, grpc.aio.ServicerContext], AsyncIterator[R]],
) -> Callable[[S, Q, grpc.aio.ServicerContext], AsyncIterator[R]]:
    @functools.wraps(method)
    async def wrapper(self: S, request: Q, context: grpc.aio.ServicerContext) -> AsyncIterator[R]:
        try:
            async for item in method(self, request, context):
                yield item
        except Exception as error:
            await _abort(context, error)

    return wrapper


__all__ = ["Any", "stream_door", "unary_door"]
