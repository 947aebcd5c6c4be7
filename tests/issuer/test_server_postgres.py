"""The server tests of enrollment, issuance, the credential lifecycle and key rotation, on PostgreSQL.

The same test functions as test_enrollment_server.py, test_issuance_server.py and
test_keys_server.py, collected here again with an ``issuer`` fixture whose server keeps its data in
a fresh PostgreSQL database (``database_url``), dropped afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest

from civid.issuer.face import FaceMatcher
from tests.issuer import test_enrollment_server as enrollment
from tests.issuer import test_issuance_server as issuance
from tests.issuer import test_keys_server as keys
from tests.issuer.db_fixtures import PG_URL, _pg_admin
from tests.issuer.server_fixtures import (
    RunningIssuer,
    issuer_test_config,
    start_issuer,
    stop_issuer,
    write_test_registry,
)
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher
from tests.issuer.test_issuance_server import assisted

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# the shared server tests, collected again here with this module's PostgreSQL ``issuer`` fixture
test_a_different_person_and_an_unknown_id_get_the_identical_answer = (
    enrollment.test_a_different_person_and_an_unknown_id_get_the_identical_answer
)
test_selfie_of_the_same_person_enrols_and_the_credential_verifies_with_the_cli = (
    enrollment.test_selfie_of_the_same_person_enrols_and_the_credential_verifies_with_the_cli
)
test_unusable_selfies_fail_with_their_reason_then_enrollment_locks = (
    enrollment.test_unusable_selfies_fail_with_their_reason_then_enrollment_locks
)
test_assisted_enrollment_issues_a_credential_bound_to_the_holder = (
    issuance.test_assisted_enrollment_issues_a_credential_bound_to_the_holder
)
test_audit_log_records_officer_actions_and_verifies = (
    issuance.test_audit_log_records_officer_actions_and_verifies
)
test_rebind_revokes_the_old_credential_and_issues_a_new_one = (
    issuance.test_rebind_revokes_the_old_credential_and_issues_a_new_one
)
test_retried_assisted_enrollment_returns_the_same_credential = (
    issuance.test_retried_assisted_enrollment_returns_the_same_credential
)
test_revocation_is_visible_in_the_next_status_list = (
    issuance.test_revocation_is_visible_in_the_next_status_list
)
test_status_list_etag_answers_not_modified_until_a_change = (
    issuance.test_status_list_etag_answers_not_modified_until_a_change
)
test_suspension_and_reinstatement_are_visible_in_the_next_status_list = (
    issuance.test_suspension_and_reinstatement_are_visible_in_the_next_status_list
)
test_key_rotation_keeps_an_old_credential_verifying = keys.test_key_rotation_keeps_an_old_credential_verifying


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (dropped afterwards)."""
    name = f"civid_test_{secrets.token_hex(6)}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def issuer(
    tmp_path: Path, issuer_face_matcher: FaceMatcher, postgres_url: str
) -> AsyncIterator[RunningIssuer]:
    """The test issuer of server_fixtures.py, storing in PostgreSQL."""
    config = issuer_test_config(tmp_path / "issuer", database_url=postgres_url)
    running = await start_issuer(
        config, issuer_face_matcher, write_test_registry(tmp_path / "registry.jsonl")
    )
    try:
        yield running
    finally:
        await stop_issuer(running)


async def test_issued_credentials_are_stored_in_postgresql(issuer: RunningIssuer, postgres_url: str) -> None:
    answer = await assisted(issuer)
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute(
            "SELECT document FROM credentials WHERE id = %s", (answer.credential.credential_id,)
        ).fetchone()
    assert row is not None and row[0] == answer.credential.credential_json
