"""What the wallet's gRPC clients share: one channel, ``async with`` to close it, and failed calls
turned into :class:`~civid.core.errors.CividError` with a next step (see :mod:`.errors`)."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import grpc

from civid.wallet.clients.channel import open_channel
from civid.wallet.clients.errors import remote_error

T = TypeVar("T")


class ServiceClient:
    """One channel to a civid service; subclasses make their stub from ``self._channel``."""

    SERVICE: ClassVar[str]
    """How error messages name the service ("the issuer")."""
    CALL_TIMEOUT_S: ClassVar[float]

    def __init__(self, address: str, *, tls: bool = False, ca_file: Path | None = None) -> None:
        self._channel = open_channel(address, tls=tls, ca_file=ca_file)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def _call(self, method: Any, request: Any, timeout: float | None = None) -> Any:
        """The answer of one unary call (``timeout``: the class's CALL_TIMEOUT_S when None)."""
        try:
            return await method(request, timeout=self.CALL_TIMEOUT_S if timeout is None else timeout)
        except grpc.RpcError as exc:
            raise remote_error(exc, self.SERVICE) from exc

    async def _ask(self, method: Any, request: Any, field: str, kind: type[T]) -> T:
        """The ``field`` of a unary call's answer (the resource a standard method returns)."""
        value = getattr(await self._call(method, request), field)
        if not isinstance(value, kind):
            raise TypeError(f"{field} is a {type(value).__name__}, not a {kind.__name__}")
        return value
