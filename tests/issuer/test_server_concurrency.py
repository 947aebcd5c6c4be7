"""Face work runs off the event loop: a slow enrollment never stalls other RPCs."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Awaitable, Callable

import pytest
from PIL import Image

from civid.issuer.v1 import issuer_service_pb2 as ipb
from tests.issuer.server_fixtures import BIDEN, OBAMA, OBAMA_LASER, Holder, RunningIssuer, enroll
from tests.issuer.server_fixtures import issuer as issuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher
from tests.issuer.test_issuance_server import assisted

pytestmark = pytest.mark.slow

PROMPT_S = 0.5  # generous: these answers take milliseconds when the loop is free


def large_selfie(photo: bytes, width: int = 2400) -> bytes:
    """The photo scaled up to ``width`` pixels wide: a valid selfie that takes long to process."""
    image = Image.open(io.BytesIO(photo)).convert("RGB")
    height = round(image.height * width / image.width)
    out = io.BytesIO()
    image.resize((width, height), Image.Resampling.LANCZOS).save(out, format="JPEG", quality=95)
    return out.getvalue()


async def latencies_while(
    pending: asyncio.Task[object], call: Callable[[], Awaitable[object]]
) -> list[float]:
    """Call ``call`` back to back until ``pending`` finishes; each call's duration."""
    durations: list[float] = []
    while not pending.done():
        started = time.perf_counter()
        await call()
        durations.append(time.perf_counter() - started)
    return durations


async def test_a_slow_enrollment_never_stalls_did_document_and_status_list_calls(
    issuer: RunningIssuer, photo: Callable[[str], bytes]
) -> None:
    issued = json.loads((await assisted(issuer, nid=BIDEN)).credential.credential_json)
    status_url = issued["credentialStatus"][0]["statusListCredential"]
    stub = issuer.issuer_stub
    selfie = large_selfie(photo("obama2.jpg"))
    started = time.perf_counter()
    enrolment = asyncio.create_task(enroll(stub, Holder(), OBAMA, OBAMA_LASER, selfie))

    async def public_calls() -> None:
        await stub.GetDidDocument(ipb.GetDidDocumentRequest())
        await stub.GetStatusList(ipb.GetStatusListRequest(status_list_credential=status_url))

    durations = await latencies_while(enrolment, public_calls)
    answer = await enrolment
    took = time.perf_counter() - started
    assert answer.credential.credential_id
    assert len(durations) >= 3, f"the enrollment took {took:.2f} s: too quick to judge"
    # No pair of calls waited for the face work: each took a fraction of the enrollment, and little time.
    slowest = max(durations)
    assert slowest < min(PROMPT_S, took / 2), (
        f"slowest pair of calls {slowest:.3f} s, enrollment {took:.3f} s"
    )
