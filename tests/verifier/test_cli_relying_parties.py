"""`civid verifier rp add|list`: a relying party's own rate limit, stored and shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from civid.cli.main import main
from civid.verifier.config.policies import load_policies
from civid.verifier.domain.relying_parties import RelyingPartyRegistry
from civid.verifier.domain.storage.engine import make_engine


def rp(data_dir: Path, *args: str) -> int:
    return main(["verifier", "rp", *args, "--data-dir", str(data_dir)])


def add(data_dir: Path, rp_id: str, *flags: str) -> int:
    return rp(
        data_dir, "add", rp_id, "--name", rp_id.title(), "--policy", "airline-domestic-boarding", *flags
    )


def test_rp_add_with_its_own_rate_stores_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = add(tmp_path, "kiosk-air", "--rate-per-s", "50", "--burst", "100")

    assert code == 0, capsys.readouterr().err
    assert "rate limit: 50/s burst 100" in capsys.readouterr().out
    registry = RelyingPartyRegistry(make_engine(tmp_path), load_policies())
    stored = registry.get("kiosk-air")
    assert (stored.rate_per_s, stored.burst) == (50.0, 100.0)


def test_rp_list_shows_each_relying_partys_rate_limit_or_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(tmp_path, "kiosk-air", "--rate-per-s", "0.5", "--burst", "3") == 0
    assert add(tmp_path, "plain-air") == 0
    capsys.readouterr()

    assert rp(tmp_path, "list") == 0

    rows = {line.split("\t")[0]: line.split("\t") for line in capsys.readouterr().out.splitlines()}
    assert rows["kiosk-air"][3] == "0.5/s burst 3"
    assert rows["plain-air"][3] == "default"


def test_rp_add_with_a_rate_but_no_burst_is_refused_naming_both_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = add(tmp_path, "kiosk-air", "--rate-per-s", "50")

    assert code == 2
    assert "--rate-per-s and --burst go together" in capsys.readouterr().err
    assert RelyingPartyRegistry(make_engine(tmp_path), load_policies()).list_rps() == []
