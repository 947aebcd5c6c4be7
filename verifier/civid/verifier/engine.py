"""The verification pipeline, off the event loop: the core's checks, the nonce check, the policy's.

:class:`PresentationVerifier` is plain blocking code (one presentation, one policy). The
:class:`VerificationEngine` runs it in a pool of warmed worker processes (``engine="process"``, the
default: pure-Python canonicalization holds the GIL, so only processes use both cores) or in a
thread pool (``engine="thread"``, for tests and single-core hosts). Each worker process loads the
policies and the trust store once, at start, never per call.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
from collections.abc import Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from civid.core.credential import CredentialChecks, issuer_id
from civid.core.datetimes import utc_now
from civid.core.errors import CividError, ErrorCode
from civid.core.presentation import credentials_of, verify_presentation
from civid.core.result import Outcome, ResultBuilder, VerificationResult
from civid.verifier.config.policies import SHIPPED_POLICIES, PolicySet, load_policies
from civid.verifier.domain.evaluation import judge
from civid.verifier.trust.config import TrustConfig
from civid.verifier.trust.store import TrustStore

NONCE_CHECK: Final = "presentation.nonce"
# Verification workers yield the CPU to the server's event loop, so that admission (a refusal over
# capacity), gRPC I/O and answers stay prompt while both cores verify.
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


class PresentationVerifier:
    """Blocking verification of presentations; thread-safe."""

    def __init__(self, policies: PolicySet, trust: TrustStore) -> None:
        self.policies = policies
        self.trust = trust

    @classmethod
    def from_config(cls, config: WorkerConfig) -> PresentationVerifier:
        policies = load_policies(config.policies_path or SHIPPED_POLICIES)
        return cls(policies, TrustStore(config.trust, pinned=config.documents))

    def verify(self, job: VerifyJob) -> VerifyOutcome:
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
        judgement = judge(vp, _with_nonce_check(core, job.nonce_fresh), policy, job.claims, now)
        result = judgement.result
        return VerifyOutcome(
            result.to_json(),
            dict(judgement.released_claims) if result.verified else {},
            _holder(vp, result),
            _issuer(vp, result),
        )


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


# One verifier per worker process, made by the pool's initializer (never shared across processes).
_worker_verifier: PresentationVerifier | None = None


def _init_worker(config: WorkerConfig) -> None:
    global _worker_verifier
    os.nice(WORKER_NICENESS)
    _worker_verifier = PresentationVerifier.from_config(config)


def _verify_in_worker(job: VerifyJob) -> VerifyOutcome:
    if _worker_verifier is None:
        raise RuntimeError("worker not initialised")
    return _worker_verifier.verify(job)


def _warm_worker() -> bool:
    if _worker_verifier is not None:
        _worker_verifier.trust.resolver()  # the first refresh of the issuers' documents
    return _worker_verifier is not None


class VerificationEngine:
    """Runs :class:`PresentationVerifier` in a process or thread pool."""

    def __init__(self, config: WorkerConfig, kind: str = "process", workers: int = 2) -> None:
        self._config = config
        self._kind = kind
        self._workers = workers
        self._executor: Executor | None = None
        self._local: PresentationVerifier | None = None

    async def start(self) -> None:
        """Start the pool and wait until every worker has loaded its configuration."""
        loop = asyncio.get_running_loop()
        if self._kind == "thread":
            self._local = await loop.run_in_executor(None, PresentationVerifier.from_config, self._config)
            self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="civid-verify")
            return
        self._executor = ProcessPoolExecutor(
            self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self._config,),
        )
        warmed = [loop.run_in_executor(self._executor, _warm_worker) for _ in range(self._workers)]
        await asyncio.gather(*warmed)

    async def verify(self, job: VerifyJob) -> VerifyOutcome:
        if self._executor is None:
            raise RuntimeError("the engine is not started")
        loop = asyncio.get_running_loop()
        if self._local is not None:
            return await loop.run_in_executor(self._executor, self._local.verify, job)
        return await loop.run_in_executor(self._executor, _verify_in_worker, job)

    async def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        if self._local is not None:
            self._local.trust.close()
