"""Issuer keys: rotation adds a verification method; old and new credentials both verify."""

from __future__ import annotations

import json
import stat

import pytest

from civid.core.credential import CredentialChecks, verify_credential
from civid.core.did.resolver import DidResolver
from civid.issuer.config import IssuerConfig
from civid.issuer.domain.keys import PASSPHRASE_FILE_NAME, resolve_passphrase
from civid.issuer.v1 import issuer_service_pb2 as ipb
from tests.issuer.server_fixtures import BIDEN, RunningIssuer
from tests.issuer.server_fixtures import issuer as issuer
from tests.issuer.server_fixtures import issuer_face_matcher as issuer_face_matcher
from tests.issuer.test_issuance_server import assisted

pytestmark = pytest.mark.slow


async def did_document(issuer: RunningIssuer) -> dict:
    answer = await issuer.issuer_stub.GetDidDocument(ipb.GetDidDocumentRequest())
    return json.loads(answer.did_document_json)


async def test_key_rotation_keeps_an_old_credential_verifying(issuer: RunningIssuer) -> None:
    old = json.loads((await assisted(issuer, request_id="before")).credential.credential_json)
    issuer.app.keys.rotate()
    new = json.loads((await assisted(issuer, nid=BIDEN, request_id="after")).credential.credential_json)
    document = await did_document(issuer)
    assert [m["id"].rsplit("#", 1)[1] for m in document["verificationMethod"]] == ["key-1", "key-2"]
    assert old["proof"]["verificationMethod"].endswith("#key-1")
    assert new["proof"]["verificationMethod"].endswith("#key-2")
    checks = CredentialChecks(resolver=DidResolver([document]))
    assert verify_credential(old, checks).verified
    assert verify_credential(new, checks).verified


def test_first_start_without_a_passphrase_creates_a_private_passphrase_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    passphrase = resolve_passphrase(None, tmp_path, env={})
    path = tmp_path / PASSPHRASE_FILE_NAME
    assert path.read_text().strip() == passphrase
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve_passphrase(None, tmp_path, env={}) == passphrase


def test_the_environment_passphrase_wins_over_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert resolve_passphrase(None, tmp_path, env={"CIVID_ISSUER_KEY_PASSPHRASE": "from env"}) == "from env"
    assert not (tmp_path / PASSPHRASE_FILE_NAME).exists()


def test_config_precedence_is_flags_then_environment_then_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from civid.issuer.config import load_issuer_config

    config_file = tmp_path / "issuer.toml"
    config_file.write_text('[issuer]\nlisten = "0.0.0.0:1"\nmax_failures_per_day = 5\nface_workers = 4\n')
    env = {"CIVID_ISSUER_MAX_FAILURES_PER_DAY": "7", "CIVID_ISSUER_FACE_WORKERS": "3"}
    config = load_issuer_config({"config": str(config_file), "face_workers": 1}, env=env)
    assert (config.listen, config.max_failures_per_day, config.face_workers) == ("0.0.0.0:1", 7, 1)
    assert config.issuer_domain == IssuerConfig().issuer_domain
