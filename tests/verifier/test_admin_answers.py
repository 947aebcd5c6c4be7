"""The admin service answers with the relying party and its API key's prefix as the change's own
transaction left them: a change made right after (another process renaming it, rotating its key) is
not in the answer. RotateRelyingPartyKey first, then Create, Update and Revoke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import grpc
import pytest
from sqlalchemy import Engine

from civid.common.v1 import localized_text_pb2
from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.policies import load_policies
from civid.verifier.config.relying_parties import RelyingPartySpec
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.idempotency import IdempotencyStore
from civid.verifier.domain.relying_parties import (
    Registered,
    RelyingPartyRegistry,
    RotatedKey,
    api_key_prefix,
)
from civid.verifier.domain.storage.engine import make_engine
from civid.verifier.domain.storage.migrate import migrate
from civid.verifier.service.admin import RelyingPartyAdminServicer
from civid.verifier.v1 import relying_party_admin_service_pb2 as apb
from civid.verifier.v1 import relying_party_pb2

POLICIES = load_policies()
TOKEN = "admin-token"
AIRLINE = RelyingPartySpec(
    "thai-domestic-air", LocalizedText("Thai Domestic Air", "ไทยโดเมสติกแอร์"), ("airline-domestic-boarding",)
)
ROTATED_AT = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class AdminContext:
    """The little of a ServicerContext the admin servicer reads: the operator's bearer token."""

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {TOKEN}"),)

    async def abort_with_status(self, status: Any) -> None:
        raise AssertionError(f"the call failed: {status}")


class ChangedRightAfterRotation(RelyingPartyRegistry):
    """A registry where another process renames the relying party and rotates its key again (an hour
    later) as soon as a rotation's transaction has ended."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        super().__init__(engine, POLICIES, clock)
        self._clock_to_move = clock

    def rotate_key(self, rp_id: str, grace: timedelta = timedelta(0)) -> RotatedKey:
        rotated = super().rotate_key(rp_id, grace)
        self._clock_to_move.now += timedelta(hours=1)
        other = RelyingPartyRegistry(self._engine, POLICIES, self._clock_to_move)
        other.update_rp(rp_id, display_name=LocalizedText("Renamed Air", ""))
        other.rotate_key(rp_id)
        return rotated


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(tmp_path)
    migrate(engine)
    return engine


def servicer(registry: RelyingPartyRegistry, engine: Engine) -> RelyingPartyAdminServicer:
    return RelyingPartyAdminServicer(registry, TOKEN, IdempotencyStore(engine))


async def rotate(admin: RelyingPartyAdminServicer) -> apb.RotateRelyingPartyKeyResponse:
    request = apb.RotateRelyingPartyKeyRequest(relying_party_id=AIRLINE.id)
    return await admin.RotateRelyingPartyKey(request, cast(grpc.aio.ServicerContext, AdminContext()))


async def test_the_answer_shows_the_update_time_stored_by_the_rotation(engine: Engine) -> None:
    clock = Clock()
    registry = RelyingPartyRegistry(engine, POLICIES, clock)
    registry.add_rp(AIRLINE)
    clock.now = ROTATED_AT

    answer = await rotate(servicer(registry, engine))

    stored = registry.get(AIRLINE.id)
    assert answer.relying_party.update_time.ToDatetime(tzinfo=UTC) == stored.updated_at == ROTATED_AT
    assert answer.relying_party.api_key_prefix == registry.describe(AIRLINE.id).key_prefix
    assert registry.authenticate(answer.api_key).id == AIRLINE.id


async def test_a_change_made_right_after_the_rotation_is_not_in_its_answer(engine: Engine) -> None:
    clock = Clock()
    registry = ChangedRightAfterRotation(engine, clock)
    registry.add_rp(AIRLINE)
    clock.now = ROTATED_AT

    answer = await rotate(servicer(registry, engine))

    shown = answer.relying_party
    assert shown.update_time.ToDatetime(tzinfo=UTC) == ROTATED_AT
    assert shown.display_name.en == AIRLINE.display_name.en
    assert shown.state == relying_party_pb2.RELYING_PARTY_STATE_ACTIVE
    assert shown.api_key_prefix and answer.api_key.startswith(shown.api_key_prefix)
    assert registry.get(AIRLINE.id).display_name.en == "Renamed Air"  # the later change did happen


class RotatedRightAfterEachChange(RelyingPartyRegistry):
    """A registry where another process rotates the relying party's key as soon as a registration,
    update or revocation's transaction has ended."""

    def _rotate_meanwhile(self, rp_id: str) -> None:
        other = RelyingPartyRegistry(self._engine, POLICIES)
        try:
            other.rotate_key(rp_id)
        except DomainError as refused:  # a revoked one: no key to rotate, nothing to show either way
            assert refused.code is DomainErrorCode.INVALID_STATE

    def add_rp(self, spec: RelyingPartySpec) -> tuple[Any, str]:
        added = super().add_rp(spec)
        self._rotate_meanwhile(spec.id)
        return added

    def update_rp(self, rp_id: str, **changes: Any) -> Registered:
        updated = super().update_rp(rp_id, **changes)
        self._rotate_meanwhile(rp_id)
        return updated


def admin_context() -> grpc.aio.ServicerContext:
    return cast(grpc.aio.ServicerContext, AdminContext())


async def test_create_shows_the_prefix_of_the_key_it_made(engine: Engine) -> None:
    registry = RotatedRightAfterEachChange(engine, POLICIES)
    request = apb.CreateRelyingPartyRequest(
        relying_party_id=AIRLINE.id,
        display_name=localized_text_pb2.LocalizedText(en=AIRLINE.display_name.en),
        policy_ids=AIRLINE.policy_ids,
    )

    answer = await servicer(registry, engine).CreateRelyingParty(request, admin_context())

    assert answer.relying_party.api_key_prefix == api_key_prefix(answer.api_key)
    assert answer.api_key.startswith(answer.relying_party.api_key_prefix)
    assert registry.describe(AIRLINE.id).key_prefix != api_key_prefix(answer.api_key)  # rotated since


async def test_update_shows_the_key_prefix_as_of_the_update(engine: Engine) -> None:
    registry = RotatedRightAfterEachChange(engine, POLICIES)
    _, key = RelyingPartyRegistry(engine, POLICIES).add_rp(AIRLINE)
    wanted = relying_party_pb2.RelyingParty(
        relying_party_id=AIRLINE.id, display_name=localized_text_pb2.LocalizedText(en="Renamed Air")
    )
    request = apb.UpdateRelyingPartyRequest(relying_party=wanted)
    request.update_mask.paths.append("display_name")

    answer = await servicer(registry, engine).UpdateRelyingParty(request, admin_context())

    assert answer.relying_party.display_name.en == "Renamed Air"
    assert answer.relying_party.api_key_prefix == api_key_prefix(key)
    assert registry.describe(AIRLINE.id).key_prefix != api_key_prefix(key)  # rotated since


async def test_revoke_shows_no_key_prefix_and_get_and_list_show_the_newest_key(engine: Engine) -> None:
    registry = RelyingPartyRegistry(engine, POLICIES)
    registry.add_rp(AIRLINE)
    newest = registry.rotate_key(AIRLINE.id, timedelta(hours=1)).api_key  # the old key still works
    admin = servicer(registry, engine)

    got = await admin.GetRelyingParty(
        apb.GetRelyingPartyRequest(relying_party_id=AIRLINE.id), admin_context()
    )
    listed = await admin.ListRelyingParties(apb.ListRelyingPartiesRequest(), admin_context())
    revoked = await admin.RevokeRelyingParty(
        apb.RevokeRelyingPartyRequest(relying_party_id=AIRLINE.id), admin_context()
    )

    assert got.relying_party.api_key_prefix == api_key_prefix(newest)
    assert [rp.api_key_prefix for rp in listed.relying_parties] == [api_key_prefix(newest)]
    assert revoked.relying_party.state == relying_party_pb2.RELYING_PARTY_STATE_REVOKED
    assert revoked.relying_party.api_key_prefix == ""
