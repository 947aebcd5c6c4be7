"""Face work is safe to run from threads of a server: correct results, and no stall of other threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from civid.issuer.face import DlibEmbedder, FaceDetector, FaceMatcher, create_matcher, load_image

pytestmark = [pytest.mark.face, pytest.mark.slow]


def _worst_pause_of_this_thread_while(work: Callable[[], object]) -> float:
    """The longest time this thread could not run (it needs the GIL) while ``work`` ran in another."""
    worker = threading.Thread(target=work)
    worst, last = 0.0, time.perf_counter()
    worker.start()
    while worker.is_alive():
        time.sleep(0.001)
        now = time.perf_counter()
        worst, last = max(worst, now - last), now
    worker.join()
    return worst


def test_dlib_runs_outside_the_callers_process_so_other_threads_keep_running(
    dlib_matcher: FaceMatcher, face_detector: FaceDetector, photo: Callable[[str], bytes]
) -> None:
    selfie = photo("obama2.jpg")
    picture = load_image(selfie)
    box = face_detector.locate(picture)
    in_process = DlibEmbedder()  # the control: dlib holds the GIL for its whole computation
    held = _worst_pause_of_this_thread_while(lambda: in_process.embed(picture, box))
    # Least of three tries: the box's other processes add scheduling noise to any single one.
    with_worker = min(
        _worst_pause_of_this_thread_while(lambda: dlib_matcher.template(selfie)) for _ in range(3)
    )
    assert held > 0.05
    assert with_worker < held / 3


def test_in_process_and_worker_process_dlib_give_the_same_template(
    dlib_matcher: FaceMatcher, face_detector: FaceDetector, photo: Callable[[str], bytes]
) -> None:
    in_process = create_matcher("dlib", detector=face_detector, dlib_workers=0)
    assert in_process.template(photo("obama3.jpg")) == dlib_matcher.template(photo("obama3.jpg"))


def test_templates_made_in_parallel_threads_equal_sequential_ones(
    dlib_matcher: FaceMatcher, photo: Callable[[str], bytes]
) -> None:
    names = ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg"]
    sequential = [dlib_matcher.template(photo(n)) for n in names]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda n: dlib_matcher.template(photo(n)), names))
    assert parallel == sequential
