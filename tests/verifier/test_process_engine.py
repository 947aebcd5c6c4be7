"""The process engine (worker processes, the production default) answers exactly as the thread engine."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from conftest import AIRLINE, VerifierEnv, start_env
from server_fixtures import Holder, TestIssuer

from civid.core.errors import CividError, ErrorCode
from civid.rpc.errors import error_details
from civid.verifier.engine import VerificationEngine, VerifyJob, WorkerConfig
from civid.verifier.trust.config import load_trust
from civid.verifier.v1 import verifier_service_pb2 as pb
from civid.verifier.v1.presentation_pb2 import (
    CLAIMS_VIEW_JSON,
    CLAIMS_VIEW_MAP,
    CLAIMS_VIEW_UNSPECIFIED,
)

BOARDING = "airline-domestic-boarding"
DOMAIN = "did:web:verifier.civid.example"
_index = itertools.count(50_000)
_challenge = itertools.count(1)


@pytest.fixture(scope="module")
def process_env(tmp_path_factory: pytest.TempPathFactory, test_issuer: TestIssuer) -> Iterator[VerifierEnv]:
    yield from start_env(tmp_path_factory.mktemp("process"), test_issuer, engine="process", engine_workers=2)


def challenge() -> str:
    return f"process-engine-{next(_challenge):08d}"


def collect(
    env: VerifierEnv, vp: Any, challenge: str, domain: str = DOMAIN, view: Any = CLAIMS_VIEW_UNSPECIFIED
) -> pb.VerifyPresentationResponse:
    request = pb.VerifyPresentationRequest(
        presentation_json=vp if isinstance(vp, str) else json.dumps(vp),
        challenge=challenge,
        domain=domain,
        policy_id=BOARDING,
        claims_view=view,
    )
    answer: pb.VerifyPresentationResponse = env.stub.VerifyPresentation(
        request, metadata=env.rp_metadata(AIRLINE)
    )
    answer.result.ClearField("verify_time")
    return answer


def both(
    thread_env: VerifierEnv, process_env: VerifierEnv, vp: Any, challenge: str, domain: str = DOMAIN
) -> tuple[pb.VerifyPresentationResponse, pb.VerifyPresentationResponse]:
    return collect(thread_env, vp, challenge, domain), collect(process_env, vp, challenge, domain)


def test_a_valid_presentation_gets_the_same_answer_from_both_engines(
    verifier_env: VerifierEnv, process_env: VerifierEnv, holder: Holder
) -> None:
    said = challenge()
    vp = holder.present([verifier_env.issuer.issue(holder.did, next(_index))], said, DOMAIN)
    threaded, processed = both(verifier_env, process_env, vp, said)
    assert processed.result.verification.verified and processed.result.released_claims
    assert processed == threaded


@pytest.mark.parametrize("view", [CLAIMS_VIEW_MAP, CLAIMS_VIEW_JSON], ids=["map", "json"])
def test_a_claims_view_gets_the_same_answer_from_both_engines(
    verifier_env: VerifierEnv, process_env: VerifierEnv, holder: Holder, view: int
) -> None:
    said = challenge()
    vp = holder.present([verifier_env.issuer.issue(holder.did, next(_index))], said, DOMAIN)
    threaded = collect(verifier_env, vp, said, view=view)
    processed = collect(process_env, vp, said, view=view)
    assert processed.result.verification.verified
    assert bool(processed.result.released_claims) is (view == CLAIMS_VIEW_MAP)
    assert bool(processed.result.released_claims_json) is (view == CLAIMS_VIEW_JSON)
    assert processed == threaded


def test_a_replayed_challenge_gets_the_same_answer_from_both_engines(
    verifier_env: VerifierEnv, process_env: VerifierEnv, holder: Holder
) -> None:
    said = challenge()
    vp = holder.present([verifier_env.issuer.issue(holder.did, next(_index))], said, DOMAIN)
    both(verifier_env, process_env, vp, said)
    threaded, processed = both(verifier_env, process_env, vp, said)
    assert not processed.result.verification.verified
    assert processed == threaded


def test_a_tampered_presentation_gets_the_same_answer_from_both_engines(
    verifier_env: VerifierEnv, process_env: VerifierEnv, holder: Holder
) -> None:
    said = challenge()
    vp = holder.present([verifier_env.issuer.issue(holder.did, next(_index))], said, DOMAIN)
    vp["verifiableCredential"][0]["credentialSubject"]["givenNameEn"] = "Mallory"
    threaded, processed = both(verifier_env, process_env, vp, said)
    assert not processed.result.verification.verified and not processed.result.released_claims
    assert processed == threaded


def test_a_presentation_for_another_domain_gets_the_same_answer_from_both_engines(
    verifier_env: VerifierEnv, process_env: VerifierEnv, holder: Holder
) -> None:
    said = challenge()
    vp = holder.present(
        [verifier_env.issuer.issue(holder.did, next(_index))], said, "did:web:elsewhere.example"
    )
    threaded, processed = both(verifier_env, process_env, vp, said)
    assert processed == threaded and not processed.result.verification.verified


def test_a_json_object_that_is_no_presentation_gets_the_same_answer_from_both_engines(
    verifier_env: VerifierEnv, process_env: VerifierEnv
) -> None:
    said = challenge()
    threaded, processed = both(verifier_env, process_env, '{"type": "NotAPresentation"}', said)
    assert processed == threaded and not processed.result.verification.verified


def test_a_presentation_that_is_not_json_is_refused_alike_by_both_engines(
    verifier_env: VerifierEnv, process_env: VerifierEnv
) -> None:
    refusals = []
    for env in (verifier_env, process_env):
        with pytest.raises(grpc.RpcError) as caught:
            collect(env, "[1, 2", challenge())
        refusals.append(error_details(caught.value))
    assert refusals[0] == refusals[1]
    assert (refusals[1].code, refusals[1].reason) == (grpc.StatusCode.INVALID_ARGUMENT, "MALFORMED_DOCUMENT")
    assert refusals[1].field_violations == (("presentation_json", "the presentation is not JSON"),)


def test_a_wallet_submission_is_recorded_alike_by_both_engines(
    verifier_env: VerifierEnv, process_env: VerifierEnv, holder: Holder
) -> None:
    credential = verifier_env.issuer.issue(holder.did, next(_index))
    answers = []
    for env in (verifier_env, process_env):
        made = env.stub.CreatePresentationRequest(
            pb.CreatePresentationRequestRequest(policy_id=BOARDING), metadata=env.rp_metadata(AIRLINE)
        ).presentation_request
        vp = holder.present([credential], made.challenge, made.domain)
        submitted = env.stub.SubmitPresentation(
            pb.SubmitPresentationRequest(
                presentation_request_id=made.presentation_request_id, presentation_json=json.dumps(vp)
            )
        )
        stored = env.stub.GetPresentationResult(
            pb.GetPresentationResultRequest(presentation_request_id=made.presentation_request_id),
            metadata=env.rp_metadata(AIRLINE),
        ).result
        for check in stored.verification.checks:  # the nonce differs per server, not the checks
            assert check.name
        answers.append(
            (submitted.verification, sorted(submitted.released_claim_names), dict(stored.released_claims))
        )
    assert answers[0] == answers[1] and answers[1][0].verified


async def test_an_error_raised_in_a_worker_is_raised_to_the_caller(process_env: VerifierEnv) -> None:
    trust_file = process_env.settings.trust
    assert isinstance(trust_file, Path)
    engine = VerificationEngine(WorkerConfig(None, load_trust(trust_file), {}), "process", 1)
    await engine.start()
    try:
        job = VerifyJob("{}", "no-such-policy", (), "c" * 16, DOMAIN, True)
        with pytest.raises(CividError) as caught:
            await engine.respond(job)
        assert (caught.value.code, caught.value.message) == (
            ErrorCode.MALFORMED_DOCUMENT,
            "no policy 'no-such-policy'",
        )
        with pytest.raises(CividError):
            await engine.verify(job)
        answers = await asyncio.gather(
            *(engine.respond(VerifyJob("{}", BOARDING, (), "c" * 16, DOMAIN, True)) for _ in range(3))
        )
        assert all(not a.verified for a in answers)  # the worker still serves after raising
    finally:
        await engine.close()
