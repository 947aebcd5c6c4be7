"""RotateRelyingPartyKey answers with the relying party as of the rotation, read in its transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import grpc
import pytest
from sqlalchemy import Engine

from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.policies import load_policies
from civid.verifier.config.relying_parties import RelyingPartySpec
from civid.verifier.domain.idempotency import IdempotencyStore
from civid.verifier.domain.relying_parties import RelyingPartyRegistry, RotatedKey
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
    assert answer.relying_party.api_key_prefix == registry.current_key_prefixes()[AIRLINE.id]
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
