"""Trust failures and the relying-party administration, over real servers on 127.0.0.1."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from conftest import CONSULATE, VerifierEnv, start_env
from server_fixtures import Holder, TestIssuer

from civid.rpc.errors import error_details
from civid.verifier.v1 import relying_party_admin_service_pb2 as apb
from civid.verifier.v1 import relying_party_pb2
from civid.verifier.v1 import verifier_service_pb2 as pb


@pytest.fixture
def own_env(tmp_path: Path) -> Iterator[VerifierEnv]:
    yield from start_env(tmp_path, TestIssuer())


def submit_new(env: VerifierEnv, holder: Holder, index: int) -> pb.SubmitPresentationResponse:
    made = env.stub.CreatePresentationRequest(
        pb.CreatePresentationRequestRequest(policy_id="passport-application"),
        metadata=env.rp_metadata(CONSULATE),
    ).presentation_request
    vp = holder.present([env.issuer.issue(holder.did, index)], made.challenge, made.domain)
    return env.stub.SubmitPresentation(
        pb.SubmitPresentationRequest(
            presentation_request_id=made.presentation_request_id, presentation_json=json.dumps(vp)
        )
    )


def create_airline(
    env: VerifierEnv, rp_id: str, name: str, **fields: object
) -> apb.CreateRelyingPartyResponse:
    """A relying party registered for airline boarding through the admin API (``fields``: the rest of
    the CreateRelyingPartyRequest)."""
    request = apb.CreateRelyingPartyRequest(
        relying_party_id=rp_id, display_name={"en": name}, policy_ids=["airline-domestic-boarding"], **fields
    )
    return env.admin.CreateRelyingParty(request, metadata=env.admin_metadata())


def test_issuer_down_with_a_stale_status_list_fails_closed_with_status_unavailable(
    own_env: VerifierEnv, holder: Holder
) -> None:
    assert submit_new(own_env, holder, 1).verification.verified  # the list is now cached
    own_env.issuer_server.stop()
    answer = submit_new(own_env, holder, 2)  # passport policy: status no older than 0 s
    assert not answer.verification.verified
    codes = {c.code for c in answer.verification.checks if c.code}
    assert "STATUS_UNAVAILABLE" in codes


def test_a_revoked_relying_partys_key_is_refused(verifier_env: VerifierEnv) -> None:
    admin = verifier_env.admin
    created = create_airline(verifier_env, "short-lived-air", "Short Lived Air")
    key_metadata = (("authorization", f"Bearer {created.api_key}"),)
    assert verifier_env.stub.ListPolicies(pb.ListPoliciesRequest(), metadata=key_metadata).policies
    revoked = admin.RevokeRelyingParty(
        apb.RevokeRelyingPartyRequest(relying_party_id="short-lived-air"),
        metadata=verifier_env.admin_metadata(),
    )
    assert revoked.relying_party.state == relying_party_pb2.RELYING_PARTY_STATE_REVOKED
    with pytest.raises(grpc.RpcError) as caught:
        verifier_env.stub.ListPolicies(pb.ListPoliciesRequest(), metadata=key_metadata)
    assert error_details(caught.value).reason == "RP_UNAUTHENTICATED"


def test_the_admin_service_refuses_a_wrong_token(verifier_env: VerifierEnv) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        verifier_env.admin.ListRelyingParties(
            apb.ListRelyingPartiesRequest(), metadata=(("authorization", "Bearer wrong"),)
        )
    details = error_details(caught.value)
    assert (details.code, details.reason) == (grpc.StatusCode.UNAUTHENTICATED, "ADMIN_UNAUTHENTICATED")


def test_relying_parties_are_listed_in_pages(verifier_env: VerifierEnv) -> None:
    first = verifier_env.admin.ListRelyingParties(
        apb.ListRelyingPartiesRequest(page_size=1), metadata=verifier_env.admin_metadata()
    )
    assert len(first.relying_parties) == 1 and first.next_page_token
    second = verifier_env.admin.ListRelyingParties(
        apb.ListRelyingPartiesRequest(page_size=1, page_token=first.next_page_token),
        metadata=verifier_env.admin_metadata(),
    )
    assert second.relying_parties[0].relying_party_id > first.relying_parties[0].relying_party_id


def test_a_rotated_key_replaces_the_old_one_at_once(verifier_env: VerifierEnv) -> None:
    create_airline(verifier_env, "rotating-air", "Rotating Air")
    rotated = verifier_env.admin.RotateRelyingPartyKey(
        apb.RotateRelyingPartyKeyRequest(relying_party_id="rotating-air"),
        metadata=verifier_env.admin_metadata(),
    )
    new_metadata = (("authorization", f"Bearer {rotated.api_key}"),)
    assert verifier_env.stub.ListPolicies(pb.ListPoliciesRequest(), metadata=new_metadata).policies


def test_the_update_time_shown_is_the_last_change_stored(verifier_env: VerifierEnv) -> None:
    created = create_airline(verifier_env, "changing-air", "Changing Air").relying_party
    assert created.update_time == created.create_time
    rotated = verifier_env.admin.RotateRelyingPartyKey(
        apb.RotateRelyingPartyKeyRequest(relying_party_id="changing-air"),
        metadata=verifier_env.admin_metadata(),
    ).relying_party
    assert rotated.update_time.ToDatetime() > created.create_time.ToDatetime()
    updated = verifier_env.admin.UpdateRelyingParty(
        apb.UpdateRelyingPartyRequest(
            relying_party=relying_party_pb2.RelyingParty(
                relying_party_id="changing-air", display_name={"en": "Changed Air"}
            ),
            update_mask={"paths": ["display_name"]},
        ),
        metadata=verifier_env.admin_metadata(),
    ).relying_party
    assert updated.update_time.ToDatetime() > rotated.update_time.ToDatetime()
    got = verifier_env.admin.GetRelyingParty(
        apb.GetRelyingPartyRequest(relying_party_id="changing-air"), metadata=verifier_env.admin_metadata()
    ).relying_party
    assert (got.create_time, got.update_time) == (created.create_time, updated.update_time)


def test_a_key_rotated_with_a_grace_period_keeps_working_beside_the_new_one(
    verifier_env: VerifierEnv,
) -> None:
    created = create_airline(verifier_env, "graceful-air", "Graceful Air")
    rotated = verifier_env.admin.RotateRelyingPartyKey(
        apb.RotateRelyingPartyKeyRequest(relying_party_id="graceful-air", grace_period={"seconds": 3600}),
        metadata=verifier_env.admin_metadata(),
    )
    assert rotated.api_key != created.api_key
    assert (
        rotated.relying_party.api_key_prefix == rotated.api_key[: len(rotated.relying_party.api_key_prefix)]
    )
    for key in (created.api_key, rotated.api_key):
        metadata = (("authorization", f"Bearer {key}"),)
        assert verifier_env.stub.ListPolicies(pb.ListPoliciesRequest(), metadata=metadata).policies


def test_a_grace_period_over_30_days_is_refused_naming_the_field(verifier_env: VerifierEnv) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        verifier_env.admin.RotateRelyingPartyKey(
            apb.RotateRelyingPartyKeyRequest(
                relying_party_id=CONSULATE, grace_period={"seconds": 31 * 86400}
            ),
            metadata=verifier_env.admin_metadata(),
        )
    details = error_details(caught.value)
    assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "FIELD_INVALID")
    assert details.metadata["field"] == "grace_period"


def test_a_relying_party_is_created_with_several_certificates(verifier_env: VerifierEnv) -> None:
    fingerprints = sorted(["a" * 64, "b" * 64])
    created = create_airline(
        verifier_env, "two-cert-air", "Two Cert Air", certificate_fingerprints=fingerprints
    )
    assert list(created.relying_party.certificate_fingerprints) == fingerprints


def list_policies(env: VerifierEnv, api_key: str) -> pb.ListPoliciesResponse:
    return env.stub.ListPolicies(pb.ListPoliciesRequest(), metadata=(("authorization", f"Bearer {api_key}"),))


def rate_limited(env: VerifierEnv, api_key: str) -> bool:
    try:
        list_policies(env, api_key)
    except grpc.RpcError as error:
        details = error_details(error)
        assert (details.code, details.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
        assert details.retry_after_s == float(details.metadata["retry_after_seconds"]) > 0  # RetryInfo
        return True
    return False


def test_a_relying_party_with_its_own_rate_limit_is_held_to_it_while_others_get_the_default(
    verifier_env: VerifierEnv,
) -> None:
    created = create_airline(
        verifier_env,
        "slow-kiosk-air",
        "Slow Kiosk Air",
        rate_limit=relying_party_pb2.RateLimit(calls_per_second=0.001, burst=2),
    )
    assert (created.relying_party.rate_limit.calls_per_second, created.relying_party.rate_limit.burst) == (
        0.001,
        2,
    )
    assert [rate_limited(verifier_env, created.api_key) for _ in range(3)] == [False, False, True]
    assert not any(rate_limited(verifier_env, verifier_env.rp_keys[CONSULATE]) for _ in range(5))


def test_updating_the_rate_limit_through_the_admin_api_applies_to_the_next_call(
    verifier_env: VerifierEnv,
) -> None:
    created = create_airline(verifier_env, "tightened-air", "Tightened Air")
    assert not created.relying_party.HasField("rate_limit")  # the server's default
    assert not any(rate_limited(verifier_env, created.api_key) for _ in range(3))
    updated = verifier_env.admin.UpdateRelyingParty(
        apb.UpdateRelyingPartyRequest(
            relying_party=relying_party_pb2.RelyingParty(
                relying_party_id="tightened-air",
                rate_limit=relying_party_pb2.RateLimit(calls_per_second=0.001, burst=1),
            ),
            update_mask={"paths": ["rate_limit"]},
        ),
        metadata=verifier_env.admin_metadata(),
    )
    assert updated.relying_party.rate_limit.burst == 1
    assert [rate_limited(verifier_env, created.api_key) for _ in range(2)] == [False, True]
    reset = verifier_env.admin.UpdateRelyingParty(
        apb.UpdateRelyingPartyRequest(
            relying_party=relying_party_pb2.RelyingParty(relying_party_id="tightened-air"),
            update_mask={"paths": ["rate_limit"]},
        ),
        metadata=verifier_env.admin_metadata(),
    )
    assert not reset.relying_party.HasField("rate_limit")


@pytest.mark.parametrize(
    ("rate_limit", "field"),
    [
        (relying_party_pb2.RateLimit(calls_per_second=0, burst=10), "calls_per_second"),
        (relying_party_pb2.RateLimit(calls_per_second=5, burst=0.5), "burst"),
        (relying_party_pb2.RateLimit(calls_per_second=math.nan, burst=10), "calls_per_second"),
        (relying_party_pb2.RateLimit(calls_per_second=math.inf, burst=10), "calls_per_second"),
        (relying_party_pb2.RateLimit(calls_per_second=5, burst=math.nan), "burst"),
        (relying_party_pb2.RateLimit(calls_per_second=5, burst=math.inf), "burst"),
    ],
)
def test_an_invalid_rate_limit_is_refused_naming_the_field(
    verifier_env: VerifierEnv, rate_limit: relying_party_pb2.RateLimit, field: str
) -> None:
    with pytest.raises(grpc.RpcError) as created:
        create_airline(verifier_env, "unlimited-air", "Unlimited Air", rate_limit=rate_limit)
    with pytest.raises(grpc.RpcError) as updated:
        verifier_env.admin.UpdateRelyingParty(
            apb.UpdateRelyingPartyRequest(
                relying_party=relying_party_pb2.RelyingParty(
                    relying_party_id=CONSULATE, rate_limit=rate_limit
                ),
                update_mask={"paths": ["rate_limit"]},
            ),
            metadata=verifier_env.admin_metadata(),
        )
    for caught, prefix in ((created, ""), (updated, "relying_party.")):
        details = error_details(caught.value)
        assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "FIELD_INVALID")
        assert details.metadata["field"] == f"{prefix}rate_limit.{field}"


def change_calls(env: VerifierEnv, rp_id: str) -> dict[str, Callable[[], object]]:
    """UpdateRelyingParty, RevokeRelyingParty and RotateRelyingPartyKey of ``rp_id``."""
    metadata = env.admin_metadata()
    return {
        "update": lambda: env.admin.UpdateRelyingParty(
            apb.UpdateRelyingPartyRequest(
                relying_party=relying_party_pb2.RelyingParty(
                    relying_party_id=rp_id, display_name={"en": "X"}
                ),
                update_mask={"paths": ["display_name"]},
            ),
            metadata=metadata,
        ),
        "revoke": lambda: env.admin.RevokeRelyingParty(
            apb.RevokeRelyingPartyRequest(relying_party_id=rp_id), metadata=metadata
        ),
        "rotate-key": lambda: env.admin.RotateRelyingPartyKey(
            apb.RotateRelyingPartyKeyRequest(relying_party_id=rp_id), metadata=metadata
        ),
    }


@pytest.mark.parametrize("call", ["update", "revoke", "rotate-key"])
def test_changing_a_revoked_relying_party_fails_with_invalid_state_naming_it(
    verifier_env: VerifierEnv, call: str
) -> None:
    rp_id = f"revoked-{call}-air"
    create_airline(verifier_env, rp_id, "Revoked Air")
    change_calls(verifier_env, rp_id)["revoke"]()

    with pytest.raises(grpc.RpcError) as caught:
        change_calls(verifier_env, rp_id)[call]()

    details = error_details(caught.value)
    assert (details.code, details.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE")
    assert details.message == f"relying party {rp_id!r} is revoked"
    assert details.metadata == {
        "resource_type": "RelyingParty",
        "resource_id": rp_id,
        "state": "RELYING_PARTY_STATE_REVOKED",
    }


@pytest.mark.parametrize("call", ["update", "revoke", "rotate-key"])
def test_changing_an_unknown_relying_party_fails_with_not_found(verifier_env: VerifierEnv, call: str) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        change_calls(verifier_env, "ghost-air")[call]()

    details = error_details(caught.value)
    assert (details.code, details.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    assert details.message == "no relying party 'ghost-air'"
