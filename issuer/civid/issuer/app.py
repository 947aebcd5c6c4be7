"""Composition root: configuration → store, keys, face matcher, domain services → gRPC servicers.

``IssuerApp.open(config)`` builds everything (``matcher=`` injects a ready face matcher, e.g. one shared
by a test session); ``register(server)`` adds IssuerService and OfficerService; ``serve(config)`` runs
the whole server until SIGTERM.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import grpc

from civid.issuer.config import IssuerConfig
from civid.issuer.domain.enrollment import EnrollmentPolicy, SelfServiceEnrollment
from civid.issuer.domain.face_gate import FaceGate
from civid.issuer.domain.holder_proof import WINDOW_SECONDS, HolderProofVerifier
from civid.issuer.domain.issuance import NationalIdIssuer
from civid.issuer.domain.keys import KeyRing, master_key, resolve_passphrase, template_key
from civid.issuer.domain.lifecycle import OfficerDesk
from civid.issuer.domain.officer_auth import OfficerAuthenticator
from civid.issuer.domain.replay import ReplayCache
from civid.issuer.domain.status_lists import StatusLists
from civid.issuer.face import FaceMatcher
from civid.issuer.storage import Store, open_store
from civid.issuer.storage.citizens import CitizenRepository

log = logging.getLogger("civid.issuer")
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def open_issuer_store(config: IssuerConfig, *, fast_kdf: bool = False) -> tuple[Store, bytes]:
    """The migrated store with face templates sealed under the passphrase's key, and the master key."""
    store = open_store(config.storage_target)
    passphrase = resolve_passphrase(config.key_passphrase_file, config.data_dir)
    master = master_key(store.engine, passphrase, fast_kdf=fast_kdf)
    citizens = CitizenRepository(store.engine, utcnow, template_key(master))
    return dataclasses.replace(store, citizens=citizens), master


def create_face_matcher(config: IssuerConfig) -> FaceMatcher:
    from civid.issuer.face import create_matcher  # loads torch: only when serving

    return create_matcher(config.face_backend, weights_path=config.facenet_weights)


@dataclass(frozen=True)
class IssuerApp:
    config: IssuerConfig
    store: Store
    keys: KeyRing
    status_lists: StatusLists
    issuer: NationalIdIssuer
    enrollment: SelfServiceEnrollment
    desk: OfficerDesk
    officers: OfficerAuthenticator
    proofs: HolderProofVerifier
    faces: FaceGate
    clock: Clock

    @classmethod
    def open(
        cls,
        config: IssuerConfig,
        *,
        matcher: FaceMatcher | None = None,
        clock: Clock = utcnow,
        fast_kdf: bool = False,
    ) -> IssuerApp:
        from civid.core.did.web import did_web_for

        store, master = open_issuer_store(config, fast_kdf=fast_kdf)
        keys = KeyRing(store, did_web_for(config.issuer_domain), master)
        keys.ensure_key()
        lists = StatusLists(store, keys, config.issuer_domain)
        issuer = NationalIdIssuer(store, keys, lists, clock)
        proofs = HolderProofVerifier(keys.did, clock, ReplayCache(2 * WINDOW_SECONDS))
        faces = (
            FaceGate(matcher, workers=config.face_workers)
            if matcher is not None
            else FaceGate(create_face_matcher(config), workers=config.face_workers, owns_matcher=True)
        )
        policy = EnrollmentPolicy(
            config.max_failures_per_day,
            config.max_selfie_bytes,
            timedelta(seconds=config.challenge_ttl_seconds),
        )
        return cls(
            config=config,
            store=store,
            keys=keys,
            status_lists=lists,
            issuer=issuer,
            enrollment=SelfServiceEnrollment(store, issuer, proofs, faces, policy, clock),
            desk=OfficerDesk(store, issuer, config.max_failures_per_day, config.max_selfie_bytes, clock),
            officers=OfficerAuthenticator(store, clock, ReplayCache(2 * WINDOW_SECONDS)),
            proofs=proofs,
            faces=faces,
            clock=clock,
        )

    def register(self, server: grpc.aio.Server, extra_handlers: Sequence[object] = ()) -> list[str]:
        """Add the issuer's services to ``server``; ``extra_handlers`` add RPCs (e-services)."""
        from civid.issuer.service.servicers import register_services

        return register_services(self, server, extra_handlers)

    def close(self) -> None:
        self.faces.close()
        self.store.close()


def demo_registry_file() -> Path | None:
    """The demo registry's JSON Lines file shipped in ``civid.issuer.demo_registry``, if any."""
    try:
        folder = resources.files("civid.issuer.demo_registry")
    except ModuleNotFoundError:
        return None
    found = sorted((p for p in folder.iterdir() if p.name.endswith(".jsonl")), key=lambda p: p.name)
    return Path(str(found[0])) if found else None


def load_demo_registry_if_empty(app: IssuerApp) -> int:
    """On first start with an empty registry, import the demo registry; citizens loaded."""
    if app.store.citizens.count():
        return 0
    path = demo_registry_file()
    if path is None:
        log.warning(
            "no demo registry shipped; the registry stays empty", extra={"event": "demo_registry_missing"}
        )
        return 0
    return import_registry(app, path, actor="system:demo-registry")


def import_registry(app: IssuerApp, path: Path, actor: str) -> int:
    """Import a JSON Lines registry export (all rows or none), computing face templates."""
    from civid.core.errors import CividError, ErrorCode
    from civid.issuer.domain.enrollment import NO_FACE_TEMPLATE
    from civid.issuer.face import FaceRejected
    from civid.issuer.photos import photo_path
    from civid.issuer.registry import import_jsonl

    def template(photo: bytes) -> bytes:
        """The photo's face template, or a marker: no usable face, self-service impossible."""
        try:
            return app.faces.matcher.template(photo).to_bytes()
        except FaceRejected:
            return NO_FACE_TEMPLATE

    report = import_jsonl(path, app.store, template_fn=template, photo_resolver=photo_path, actor=actor)
    if not report.ok:
        raise CividError(ErrorCode.INVALID_RECORD, "; ".join(str(e) for e in report.errors[:20]))
    return report.citizens_loaded
