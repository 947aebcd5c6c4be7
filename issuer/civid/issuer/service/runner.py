"""Run a blocking domain call off the event loop and turn its failure into a gRPC status."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import NoReturn, TypeVar

import grpc

from civid.core.errors import CividError
from civid.issuer.service.errors import to_rpc_failure

T = TypeVar("T")


class DomainRunner:
    """A bounded thread pool for store and signing work; RPC handlers ``await runner(context, fn)``."""

    def __init__(self, workers: int = 16) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="issuer-rpc")

    async def __call__(self, context: grpc.aio.ServicerContext, work: Callable[[], T]) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work)
        except CividError as error:
            await abort(context, error)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


async def abort(context: grpc.aio.ServicerContext, error: CividError) -> NoReturn:
    await context.abort_with_status(to_rpc_failure(error).to_status())
    raise AssertionError("abort_with_status returned")  # pragma: no cover
