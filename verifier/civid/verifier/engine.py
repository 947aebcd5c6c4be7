"""The verification pipeline, off the event loop: the core's checks, the nonce check, the policy's.

:class:`PresentationVerifier` is plain blocking code (one presentation, one policy). The
:class:`VerificationEngine` runs it in a pool of warmed worker processes (``engine="process"``, the
default: pure-Python canonicalization holds the GIL, so only processes use both cores) or in a
thread pool (``engine="thread"``, for tests and single-core hosts). Each worker process loads the
policies and the trust store once, at start, never per call.

A job crosses to a worker as one pickled tuple of strings; the answer to a relying party's own
presentation comes back as its serialized VerifyPresentationResponse (:meth:`respond`), a wallet's
submission as the JSON-ready :class:`VerifyOutcome` that is stored (:meth:`verify`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import pickle
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

from civid.core.credential import CredentialChecks, issuer_id
from civid.core.datetimes import utc_now
from civid.core.errors import CividError, ErrorCode
from civid.core.presentation import credentials_of, verify_presentation
from civid.core.result import Outcome, ResultBuilder, VerificationResult
from civid.verifier.config.policies import SHIPPED_POLICIES, PolicySet, load_policies
from civid.verifier.domain.evaluation import judge
from civid.verifier.domain.freshness import DEFAULT_CLOCK_SKEW_S
from civid.verifier.pool import WorkerPool
from civid.verifier.service import collected
from civid.verifier.service.collected import ClaimsView, Verdict
from civid.verifier.trust.config import TrustConfig
from civid.verifier.trust.store import TrustStore
from civid.verifier.v1 import verifier_service_pb2 as pb

T = TypeVar("T")
NONCE_CHECK: Final = "presentation.nonce"
# Verification workers yield the CPU to the server's event loop, so that admission (a refusal over
# capacity), gRPC I/O and answers stay prompt while both cores verify. (15 was tried: in a surge the
# server's loop got 0.86 of a core instead of 0.77 and still fell behind, while admitted calls fell
# from ~500/s to ~220/s.)
WORKER_NICENESS: Final = 5


@dataclass(frozen=True)
class VerifyJob:
    """One presentation to verify under one policy (picklable: it crosses to worker processes)."""

    presentation_json: str
    policy_id: str
    claims: tuple[str, ...]
    challenge: str
    domain: str
    nonce_fresh: bool  # False: the challenge was used before (a replay)
    # the forms of the released claims in the answer of :meth:`PresentationVerifier.respond` (the
    # outcome :meth:`PresentationVerifier.verify` gives for storing is not a message: unaffected)
    claims_view: ClaimsView = ClaimsView.BOTH


@dataclass(frozen=True)
class VerifyOutcome:
    """The judgement, JSON-ready: the result, the released claims, who signed."""

    result: Mapping[str, Any]  # VerificationResult.to_json()
    released_claims: Mapping[str, Any] = field(default_factory=dict)
    holder_did: str = ""
    issuer_did: str = ""

    @property
    def verified(self) -> bool:
        return bool(self.result.get("verified"))


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to start: the policy file, the trusted issuers, their pinned documents."""

    policies_path: Path | None
    trust: TrustConfig
    documents: Mapping[str, Mapping[str, Any]]
    clock_skew_s: int = DEFAULT_CLOCK_SKEW_S  # how far a holder's clock may be from ours


class PresentationVerifier:
    """Blocking verification of presentations; thread-safe."""

    def __init__(
        self, policies: PolicySet, trust: TrustStore, clock_skew_s: int = DEFAULT_CLOCK_SKEW_S
    ) -> None:
        self.policies = policies
        self.trust = trust
        self.clock_skew_s = clock_skew_s

    @classmethod
    def from_config(cls, config: WorkerConfig) -> PresentationVerifier:
        policies = load_policies(config.policies_path or SHIPPED_POLICIES)
        return cls(policies, TrustStore(config.trust, pinned=config.documents), config.clock_skew_s)

    def judge(self, job: VerifyJob) -> Verdict:
        policy = self.policies.get(job.policy_id)
        if policy is None:
            raise CividError(ErrorCode.MALFORMED_DOCUMENT, f"no policy {job.policy_id!r}")
        vp = json.loads(job.presentation_json)
        now = utc_now()
        status = self.trust.status_lists.for_policy(
            policy.status_freshness_s, not policy.fail_closed_when_status_unavailable
        )
        checks = CredentialChecks(self.trust.resolver(), now, status)
        core = verify_presentation(vp, checks, challenge=job.challenge, domain=job.domain)
        judgement = judge(
            vp, _with_nonce_check(core, job.nonce_fresh), policy, job.claims, now, self.clock_skew_s
        )
        result = judgement.result
        return Verdict(
            result,
            dict(judgement.released_claims) if result.verified else {},
            _holder(vp, result),
            _issuer(vp, result),
        )

    def verify(self, job: VerifyJob) -> VerifyOutcome:
        verdict = self.judge(job)
        return VerifyOutcome(
            verdict.result.to_json(), verdict.released_claims, verdict.holder_did, verdict.issuer_did
        )

    def respond(self, job: VerifyJob) -> Answered:
        """The relying party's VerifyPresentationResponse, whether it verified."""
        verdict = self.judge(job)
        return Answered(verdict.verified, collected.response(verdict, utc_now(), job.claims_view))


def _with_nonce_check(core: VerificationResult, fresh: bool) -> VerificationResult:
    out = ResultBuilder()
    out.extend(core)
    if fresh:
        out.passed(NONCE_CHECK)
    else:
        out.failed(NONCE_CHECK, ErrorCode.NONCE_ALREADY_USED, "the challenge was already used: a replay")
    return out.build()


def _passed(result: VerificationResult, name: str) -> bool:
    return any(c.name == name and c.outcome is Outcome.PASSED for c in result.checks)


def _holder(vp: Any, result: VerificationResult) -> str:
    holder = vp.get("holder") if isinstance(vp, dict) else None
    return holder if isinstance(holder, str) and _passed(result, "presentation.proof.signature") else ""


def _issuer(vp: Any, result: VerificationResult) -> str:
    if not isinstance(vp, dict) or not _passed(result, "credential[0].proof.signature"):
        return ""
    try:
        credentials = credentials_of(vp)
    except CividError:
        return ""
    return (issuer_id(credentials[0]) or "") if credentials else ""


@dataclass(frozen=True)
class Answered:
    """VerifyPresentation's answer: whether the presentation verified, and the response message."""

    verified: bool
    response: pb.VerifyPresentationResponse


# The worker's wire: a job is a pickled tuple (kind, its fields); an answer is one tag byte and its body.
# job_bytes, init_worker and answer_in_worker are the worker's entry points, public so that
# bench/verifier/worker_path.py measures exactly the path the pool runs.
OUTCOME_JOB: Final = 0  # answer: b"O" + pickled VerifyOutcome
RESPONSE_JOB: Final = 1  # answer: b"R" + b"1"/b"0" (verified) + the serialized VerifyPresentationResponse
_ERROR: Final = b"E"  # + the pickled exception (re-raised at the server, as an executor does)


def job_bytes(kind: int, job: VerifyJob) -> bytes:
    fields = (kind, job.presentation_json, job.policy_id, job.claims, job.challenge, job.domain)
    return pickle.dumps((*fields, job.nonce_fresh, int(job.claims_view)), pickle.HIGHEST_PROTOCOL)


def init_worker(config: WorkerConfig) -> PresentationVerifier:
    """A worker process's one verifier: niced, configured and warmed once, at start."""
    os.nice(WORKER_NICENESS)
    verifier = PresentationVerifier.from_config(config)
    verifier.trust.resolver()  # the first refresh of the issuers' documents
    gc.collect()
    gc.freeze()  # what start made is never walked by a collection again (see app.settle_heap)
    return verifier


def answer_in_worker(verifier: PresentationVerifier, payload: bytes) -> bytes:
    """One job in, its answer out (an exception the job raised is sent back, to be raised there)."""
    try:
        kind, presentation_json, policy_id, claims, challenge, domain, fresh, view = pickle.loads(payload)
        job = VerifyJob(presentation_json, policy_id, claims, challenge, domain, fresh, ClaimsView(view))
        if kind == RESPONSE_JOB:
            answered = verifier.respond(job)
            return (b"R1" if answered.verified else b"R0") + answered.response.SerializeToString()
        return b"O" + pickle.dumps(verifier.verify(job), pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        return _ERROR + _exception_bytes(exc)


def _exception_bytes(exc: Exception) -> bytes:
    """``exc`` pickled so that it unpickles whole at the server (CividError by its code and message)."""
    if isinstance(exc, CividError):
        return pickle.dumps((exc.code.value, exc.message), pickle.HIGHEST_PROTOCOL)
    try:
        pickled = pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
        pickle.loads(pickled)  # an exception whose __init__ does not take its args back fails here
    except Exception:
        pickled = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"), pickle.HIGHEST_PROTOCOL)
    return pickled


def _raise_if_error(answer: bytes) -> None:
    if answer[:1] != _ERROR:
        return
    error = pickle.loads(answer[1:])
    if isinstance(error, tuple):
        code, message = error
        raise CividError(ErrorCode(code), message)
    raise error


class VerificationEngine:
    """Runs :class:`PresentationVerifier` in a process pool (:class:`WorkerPool`) or a thread pool."""

    def __init__(self, config: WorkerConfig, kind: str = "process", workers: int = 2) -> None:
        self._config = config
        self._kind = kind
        self._workers = workers
        self._executor: Executor | None = None
        self._local: PresentationVerifier | None = None
        self._pool: WorkerPool[PresentationVerifier] | None = None

    async def start(self) -> None:
        """Start the pool and wait until every worker has loaded its configuration."""
        loop = asyncio.get_running_loop()
        if self._kind == "thread":
            self._local = await loop.run_in_executor(None, PresentationVerifier.from_config, self._config)
            self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="civid-verify")
            return
        pool = WorkerPool(init_worker, self._config, answer_in_worker, self._workers, name="civid-verify")
        await pool.start()
        self._pool = pool

    async def verify(self, job: VerifyJob) -> VerifyOutcome:
        """The full outcome (a wallet's submission: stored for the relying party)."""
        if self._pool is not None:
            answer = await self._pool.call(job_bytes(OUTCOME_JOB, job))
            _raise_if_error(answer)
            outcome = pickle.loads(answer[1:])
            assert isinstance(outcome, VerifyOutcome)
            return outcome
        return await self._in_thread(self._verifier().verify, job)

    async def respond(self, job: VerifyJob) -> Answered:
        """The relying party's VerifyPresentationResponse for a presentation it collected itself."""
        if self._pool is not None:
            answer = await self._pool.call(job_bytes(RESPONSE_JOB, job))
            _raise_if_error(answer)
            return Answered(answer[1:2] == b"1", pb.VerifyPresentationResponse.FromString(answer[2:]))
        return await self._in_thread(self._verifier().respond, job)

    def _verifier(self) -> PresentationVerifier:
        if self._local is None:
            raise RuntimeError("the engine is not started")
        return self._local

    async def _in_thread(self, run: Callable[[VerifyJob], T], job: VerifyJob) -> T:
        if self._executor is None:
            raise RuntimeError("the engine is not started")
        return await asyncio.get_running_loop().run_in_executor(self._executor, run, job)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        if self._local is not None:
            self._local.trust.close()
