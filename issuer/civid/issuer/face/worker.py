"""dlib in worker processes: its descriptor holds the GIL for its whole run (~150 ms), which would stall
every other thread of the calling process (a gRPC event loop included) if it ran in a thread there.

:class:`ProcessDlibEmbedder` validates and fingerprints the model files in the calling process, then
loads dlib's models once in each (spawned) worker and sends it the working image for each descriptor.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from PIL import Image

from civid.issuer.face.dlib_backend import DEFAULT_THRESHOLD, DlibEmbedder, DlibModelFiles
from civid.issuer.face.errors import FaceModelUnavailable
from civid.issuer.face.modelfile import file_sha256, require_file
from civid.issuer.face.types import FaceBox

_WORKER_EMBEDDER: list[DlibEmbedder] = []  # in a worker process only: its one model, set by _load_models


def _load_models(files: DlibModelFiles, threshold: float, num_jitters: int) -> None:
    _WORKER_EMBEDDER.append(DlibEmbedder(files, threshold, num_jitters))


def _ready() -> bool:
    return bool(_WORKER_EMBEDDER)


def _embed(pixels: bytes, size: tuple[int, int], box: FaceBox) -> tuple[float, ...]:
    return _WORKER_EMBEDDER[0].embed(Image.frombytes("RGB", size, pixels), box)


class ProcessDlibEmbedder:
    """The dlib backend run in ``workers`` processes; thread-safe; call :meth:`close` when done."""

    backend = "dlib"
    dimensions = DlibEmbedder.dimensions

    def __init__(
        self,
        files: DlibModelFiles | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        num_jitters: int = 0,
        workers: int = 1,
    ) -> None:
        files = files or DlibModelFiles.from_package()
        require_file(files.shape_predictor, "dlib 5-point shape predictor")
        require_file(files.recognition_model, "dlib face recognition model")
        self.threshold = threshold
        self.model_sha256 = file_sha256(files.recognition_model)
        self._start = (files, threshold, num_jitters)
        self._workers = workers
        self._lock = threading.Lock()
        self._pool = self._new_pool()
        try:
            self._pool.submit(_ready).result()  # load the models now: a broken model fails at start-up
        except BrokenProcessPool as exc:
            self._pool.shutdown(cancel_futures=True)
            raise FaceModelUnavailable(f"the dlib worker could not load {files}: {exc}") from exc

    def embed(self, image: Image.Image, box: FaceBox) -> tuple[float, ...]:
        """The 128-D descriptor, computed in a worker; a crashed worker pool is replaced once."""
        pixels = image.convert("RGB").tobytes()
        pool = self._pool
        try:
            return pool.submit(_embed, pixels, image.size, box).result()
        except BrokenProcessPool:
            return self._replace(pool).submit(_embed, pixels, image.size, box).result()

    def close(self) -> None:
        """Stop the worker processes."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load_models,
            initargs=self._start,
        )

    def _replace(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            return self._pool
