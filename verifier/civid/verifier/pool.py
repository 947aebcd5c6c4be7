"""Worker processes fed from the event loop over socket pairs: no hand-off threads, one frame each way.

:class:`WorkerPool` runs ``handle(state, payload) -> answer`` (bytes in, bytes out) in ``workers``
spawned processes, each made ready once by ``initialize(argument) -> state``. The server's event loop
writes a length-prefixed frame to a worker's socket and reads the answer through an asyncio protocol,
so a call costs two small writes and one read on the loop — no executor management thread, no queue
feeder thread, no cross-thread wake-ups (what :class:`concurrent.futures.ProcessPoolExecutor` costs).

A worker holds at most ``depth`` calls (the next one waits in its socket while it works); the rest wait
in the pool, in order, and go to the first worker that answers. A call cancelled while it waits is
never sent. A worker that dies fails only the calls it held (:class:`WorkerLost`) and is replaced.

A worker ignores SIGINT (the server decides when to stop: it drains its calls, then closes the
sockets), ends after its current call on SIGTERM, and exits when its socket closes — also when the
server itself is killed.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import socket
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any, Final, Generic, TypeVar

log = logging.getLogger("civid.verifier.pool")

S = TypeVar("S")
_HEADER: Final = 4  # a frame is its length (4 bytes, big-endian) and its payload
_MAX_FRAME: Final = 2**32 - 1
_READY: Final = b"ready"
_START_TIMEOUT_S: Final = 120.0
_JOIN_S: Final = 5.0
# A worker reads its socket through a buffer this big: one recv takes every job already queued (a
# presentation with its card photo is 10-15 KB, more than the default 8 KiB buffer would take at once).
_READ_BUFFER: Final = 1 << 18


class WorkerLost(RuntimeError):
    """The worker holding the call exited before answering."""


class WorkerStartError(RuntimeError):
    """A worker could not start (its initializer failed); the message says why."""


def frame(payload: bytes) -> bytes:
    if len(payload) > _MAX_FRAME:
        raise ValueError("a frame holds at most 4 GiB")
    return len(payload).to_bytes(_HEADER, "big") + payload


@dataclass
class _Frames:
    """Splits a byte stream into frames."""

    buffer: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> list[bytes]:
        self.buffer += data
        out = []
        while len(self.buffer) >= _HEADER:
            size = int.from_bytes(self.buffer[:_HEADER], "big")
            end = _HEADER + size
            if len(self.buffer) < end:
                break
            out.append(bytes(self.buffer[_HEADER:end]))
            del self.buffer[:end]
        return out


@dataclass
class _Busy:
    """Whether the worker is answering a call, and whether SIGTERM asked it to stop after it."""

    busy: bool = False
    stop: bool = False

    def on_sigterm(self, _signum: int, _frame: object) -> None:
        if not self.busy:
            raise SystemExit(0)
        self.stop = True


def _worker_main(
    sock: socket.socket,
    initialize: Callable[[Any], S],
    argument: Any,
    handle: Callable[[S, bytes], bytes],
) -> None:
    """A worker process: initialize, say ready, then answer frames until the socket closes.

    SIGINT (a terminal's Ctrl-C reaches the whole process group) is left to the server; SIGTERM ends
    the worker once its current call is answered."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    busy = _Busy()
    signal.signal(signal.SIGTERM, busy.on_sigterm)
    sock.setblocking(True)
    try:
        state = initialize(argument)
    except BaseException as exc:  # reported to the starting server, which refuses to start
        sock.sendall(frame(f"{type(exc).__name__}: {exc}".encode()))
        raise
    sock.sendall(frame(_READY))
    reader = sock.makefile("rb", buffering=_READ_BUFFER)
    while not busy.stop:
        header = reader.read(_HEADER)
        busy.busy = True
        if len(header) < _HEADER:
            return  # the server closed the socket: stop
        size = int.from_bytes(header, "big")
        payload = reader.read(size)
        if len(payload) < size:
            return
        answer = handle(state, payload)
        try:
            sock.sendall(frame(answer))
        except OSError:
            return
        busy.busy = False


class _Link(asyncio.Protocol):
    """The server's end of one worker's socket."""

    def __init__(self, worker: _Worker) -> None:
        self._worker = worker
        self._frames = _Frames()

    def data_received(self, data: bytes) -> None:
        for payload in self._frames.feed(data):
            self._worker.answered(payload)

    def connection_lost(self, exc: Exception | None) -> None:
        self._worker.lost()


class _Worker:
    """One worker process and the calls it holds, oldest first."""

    def __init__(self, pool: WorkerPool[Any], process: BaseProcess) -> None:
        self.pool = pool
        self.process = process
        self.transport: asyncio.Transport | None = None
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.held: deque[asyncio.Future[bytes]] = deque()
        self.alive = True

    def send(self, payload: bytes, future: asyncio.Future[bytes]) -> None:
        assert self.transport is not None
        self.held.append(future)
        self.transport.write(frame(payload))

    def answered(self, payload: bytes) -> None:
        if not self.ready.done():
            if payload == _READY:
                self.ready.set_result(None)
            else:
                self.ready.set_exception(WorkerStartError(payload.decode(errors="replace")))
            return
        future = self.held.popleft()
        if not future.done():
            future.set_result(payload)
        self.pool._refill(self)

    def lost(self) -> None:
        self.alive = False
        if not self.ready.done():
            self.ready.set_exception(WorkerStartError("the worker exited while starting"))
        while self.held:
            future = self.held.popleft()
            if not future.done():
                future.set_exception(WorkerLost("the verification worker exited before answering"))
        self.pool._lost(self)

    def close(self) -> None:
        self.alive = False
        if self.transport is not None:
            self.transport.close()


class WorkerPool(Generic[S]):
    """``workers`` processes answering ``handle(state, payload)``; use from one event loop."""

    def __init__(
        self,
        initialize: Callable[[Any], S],
        argument: Any,
        handle: Callable[[S, bytes], bytes],
        workers: int,
        *,
        depth: int = 2,
        name: str = "civid-worker",
    ) -> None:
        if workers < 1 or depth < 1:
            raise ValueError("workers and depth must be at least 1")
        self._initialize = initialize
        self._argument = argument
        self._handle = handle
        self._size = workers
        self._depth = depth
        self._name = name
        self._workers: list[_Worker] = []
        self._waiting: deque[tuple[bytes, asyncio.Future[bytes]]] = deque()
        self._closing = False
        self._replacing: set[asyncio.Task[None]] = set()

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    async def start(self) -> None:
        """Start every worker and wait until each has initialized (WorkerStartError if one cannot)."""
        started = await asyncio.gather(*(self._spawn() for _ in range(self._size)), return_exceptions=True)
        failed = next((s for s in started if isinstance(s, BaseException)), None)
        if failed is not None:
            await self.close()
            raise failed

    async def call(self, payload: bytes) -> bytes:
        """The worker's answer to ``payload``."""
        if self._closing:
            raise RuntimeError("the worker pool is closed")
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        worker = min(self._workers, key=lambda w: len(w.held), default=None)
        if worker is not None and len(worker.held) < self._depth and not self._waiting:
            worker.send(payload, future)
        elif not self._workers and not self._replacing:
            raise WorkerLost("no verification worker is running")
        else:
            self._waiting.append((payload, future))
        return await future

    async def close(self) -> None:
        """Close every worker's socket (each exits after its current call) and reap them."""
        self._closing = True
        replacing = list(self._replacing)
        for task in replacing:
            task.cancel()
        await asyncio.gather(*replacing, return_exceptions=True)
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()
        while self._waiting:
            _, future = self._waiting.popleft()
            future.cancel()
        await asyncio.to_thread(_reap, [w.process for w in workers])

    async def _spawn(self) -> None:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair()
        process = multiprocessing.get_context("spawn").Process(
            target=_worker_main,
            args=(theirs, self._initialize, self._argument, self._handle),
            name=self._name,
            daemon=True,
        )
        try:
            process.start()  # a fork and exec (milliseconds): nothing to cancel half-way
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        worker = _Worker(self, process)
        try:
            transport, _ = await loop.connect_accepted_socket(lambda: _Link(worker), ours)
            worker.transport = transport
            await asyncio.wait_for(asyncio.shield(worker.ready), _START_TIMEOUT_S)
        except BaseException:  # a failed start, or the pool closed (cancelled) meanwhile
            if worker.transport is None:
                ours.close()
            if not worker.ready.done():
                worker.ready.cancel()
            worker.close()
            await asyncio.shield(asyncio.to_thread(_reap, [process]))
            raise
        if self._closing:
            worker.close()
            await asyncio.to_thread(_reap, [process])
            return
        self._workers.append(worker)
        self._refill(worker)

    def _refill(self, worker: _Worker) -> None:
        """Hand waiting calls to ``worker`` up to its depth (calls cancelled meanwhile are dropped)."""
        while self._waiting and worker.alive and len(worker.held) < self._depth:
            payload, future = self._waiting.popleft()
            if not future.cancelled():
                worker.send(payload, future)

    def _lost(self, worker: _Worker) -> None:
        if worker not in self._workers:
            return  # closed by us, or never ready
        self._workers.remove(worker)
        if self._closing:
            return
        log.warning(
            "verification worker exited; starting another",
            extra={"event": "worker_lost", "exitcode": worker.process.exitcode},
        )
        task = asyncio.get_running_loop().create_task(self._replace())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def _replace(self) -> None:
        try:
            await self._spawn()
        except Exception:
            log.exception("a verification worker could not be restarted", extra={"event": "worker_start"})
            if not self._workers:
                while self._waiting:
                    _, future = self._waiting.popleft()
                    if not future.done():
                        future.set_exception(WorkerLost("no verification worker is running"))


def _reap(processes: list[BaseProcess]) -> None:
    for process in processes:
        process.join(_JOIN_S)
        if process.is_alive():
            process.terminate()
            process.join(_JOIN_S)
