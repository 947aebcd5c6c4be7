"""`civid verifier rp add|list|update`: a relying party's own rate limit, stored and shown; changing a
relying party's name, policies and rate limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from civid.cli.main import main
from civid.verifier.config.policies import load_policies
from civid.verifier.domain.relying_parties import NameChange, RelyingParty, RelyingPartyRegistry
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


def test_rp_add_with_a_blank_english_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = rp(tmp_path, "add", "blank-air", "--name", " ", "--policy", "airline-domestic-boarding")

    assert code == 2
    assert "FIELD_INVALID: display_name.en is required" in capsys.readouterr().err
    assert rp(tmp_path, "list", "--all") == 0
    assert "blank-air" not in capsys.readouterr().out


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


def registry_at(data_dir: Path) -> RelyingPartyRegistry:
    return RelyingPartyRegistry(make_engine(data_dir), load_policies())


def test_rp_update_changes_name_policies_and_rate_and_prints_the_row_as_rp_list_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(tmp_path, "kiosk-air") == 0
    capsys.readouterr()

    code = rp(
        tmp_path,
        "update",
        "kiosk-air",
        "--name",
        "Kiosk Airways",
        "--policy",
        "airline-domestic-boarding",
        "--policy",
        "passport-application",
        "--rate-per-s",
        "5",
        "--burst",
        "10",
    )

    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert rp(tmp_path, "list") == 0
    assert printed == capsys.readouterr().out
    assert printed.rstrip("\n").split("\t") == [
        "kiosk-air",
        "active",
        "airline-domestic-boarding,passport-application",
        "5/s burst 10",
        "Kiosk Airways",
    ]
    stored = registry_at(tmp_path).get("kiosk-air")
    assert stored.updated_at > stored.created_at


def test_rp_update_with_default_rate_limit_returns_to_the_servers_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(tmp_path, "kiosk-air", "--rate-per-s", "50", "--burst", "100") == 0

    assert rp(tmp_path, "update", "kiosk-air", "--default-rate-limit") == 0

    assert capsys.readouterr().out.splitlines()[-1].split("\t")[3] == "default"
    stored = registry_at(tmp_path).get("kiosk-air")
    assert (stored.rate_per_s, stored.burst) == (None, None)


def test_rp_update_of_the_name_in_one_language_keeps_the_other_and_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(tmp_path, "kiosk-air", "--name-th", "คีออสก์แอร์", "--rate-per-s", "50", "--burst", "100") == 0

    assert rp(tmp_path, "update", "kiosk-air", "--name-th", "คีออสก์") == 0

    stored = registry_at(tmp_path).get("kiosk-air")
    assert (stored.display_name.en, stored.display_name.th) == ("Kiosk-Air", "คีออสก์")
    assert (stored.policy_ids, stored.rate_per_s, stored.burst) == (
        ("airline-domestic-boarding",),
        50.0,
        100.0,
    )


@pytest.mark.parametrize(
    ("flags", "meanwhile", "expected"),
    [
        (("--name-th", "คีออสก์"), NameChange(en="Kiosk Airways"), ("Kiosk Airways", "คีออสก์")),
        (("--name", "Kiosk Airways"), NameChange(th="คีออสก์"), ("Kiosk Airways", "คีออสก์")),
    ],
    ids=["thai-keeps-a-new-english", "english-keeps-a-new-thai"],
)
def test_rp_update_of_one_language_keeps_a_rename_of_the_other_made_meanwhile(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    meanwhile: NameChange,
    expected: tuple[str, str],
) -> None:
    """Another process renames the other language after whatever the command did first and just
    before the registry's update: the command must not write back the name it saw."""
    assert add(tmp_path, "kiosk-air", "--name-th", "คีออสก์แอร์") == 0
    other, update_rp = registry_at(tmp_path), RelyingPartyRegistry.update_rp

    def renamed_meanwhile(self: RelyingPartyRegistry, rp_id: str, **changes: Any) -> RelyingParty:
        update_rp(other, rp_id, display_name=meanwhile)
        return update_rp(self, rp_id, **changes)

    monkeypatch.setattr(RelyingPartyRegistry, "update_rp", renamed_meanwhile)

    assert rp(tmp_path, "update", "kiosk-air", *flags) == 0, capsys.readouterr().err

    stored = registry_at(tmp_path).get("kiosk-air").display_name
    assert (stored.en, stored.th) == expected
    assert capsys.readouterr().out.rstrip("\n").split("\t")[-1] == expected[0]


@pytest.mark.parametrize(
    ("flags", "refusal"),
    [
        ((), "FIELD_INVALID: nothing to change: give --name"),
        (("--policy", "no-such-policy"), "FIELD_INVALID: no policy 'no-such-policy'"),
        (("--rate-per-s", "5"), "FIELD_INVALID: --rate-per-s and --burst go together"),
        (("--burst", "5"), "FIELD_INVALID: --rate-per-s and --burst go together"),
        (("--rate-per-s", "0", "--burst", "5"), "FIELD_INVALID: --rate-per-s must be a number of calls"),
        (("--rate-per-s", "nan", "--burst", "5"), "FIELD_INVALID: --rate-per-s must be a number of calls"),
        (("--rate-per-s", "5", "--burst", "inf"), "FIELD_INVALID: --burst must be a number of calls"),
        (("--rate-per-s", "5", "--burst", "0.5"), "FIELD_INVALID: --burst must be a number of calls"),
        (
            ("--default-rate-limit", "--rate-per-s", "5", "--burst", "10"),
            "FIELD_INVALID: --default-rate-limit excludes --rate-per-s and --burst",
        ),
        (("--name", ""), "FIELD_INVALID: --name must not be empty"),
    ],
    ids=[
        "nothing",
        "unknown-policy",
        "rate-without-burst",
        "burst-without-rate",
        "zero-rate",
        "nan-rate",
        "inf-burst",
        "small-burst",
        "default-and-own",
        "empty-name",
    ],
)
def test_rp_update_refuses_invalid_flags_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], refusal: str
) -> None:
    assert add(tmp_path, "kiosk-air", "--rate-per-s", "50", "--burst", "100") == 0
    before = registry_at(tmp_path).get("kiosk-air")
    capsys.readouterr()

    code = rp(tmp_path, "update", "kiosk-air", *flags)

    assert code == 2
    assert f"civid verifier: {refusal}" in capsys.readouterr().err
    assert registry_at(tmp_path).get("kiosk-air") == before


@pytest.mark.parametrize(
    "command",
    [
        ("update", "--name", "Ghost Air"),
        ("update", "--name", "Ghost Air", "--name-th", "โกสต์แอร์"),
        ("revoke",),
        ("rotate-key",),
    ],
    ids=["update-one-name", "update-both-names", "revoke", "rotate-key"],
)
def test_rp_update_revoke_and_rotate_key_of_an_unknown_relying_party_are_not_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    code = rp(tmp_path, command[0], "ghost-air", *command[1:])

    assert code == 2
    assert "civid verifier: NOT_FOUND: no relying party 'ghost-air'" in capsys.readouterr().err
    assert registry_at(tmp_path).list_rps() == []


@pytest.mark.parametrize(
    "command",
    [
        ("update", "--name", "Kiosk Airways"),
        ("update", "--name-th", "คีออสก์แอร์"),
        ("update", "--name", "Kiosk", "--name-th", "คีออสก์"),
        ("update", "--default-rate-limit"),
        ("revoke",),
        ("rotate-key",),
        ("rotate-key", "--grace-seconds", "60"),
    ],
    ids=[
        "update-english-name",
        "update-thai-name",
        "update-both-names",
        "update-no-name",
        "revoke",
        "rotate-key",
        "rotate-key-with-grace",
    ],
)
def test_rp_update_revoke_and_rotate_key_of_a_revoked_relying_party_are_refused_as_invalid_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    assert add(tmp_path, "kiosk-air") == 0
    assert rp(tmp_path, "revoke", "kiosk-air") == 0
    before = registry_at(tmp_path).get("kiosk-air")
    capsys.readouterr()

    code = rp(tmp_path, command[0], "kiosk-air", *command[1:])

    assert code == 2
    assert "civid verifier: INVALID_STATE: relying party 'kiosk-air' is revoked" in capsys.readouterr().err
    assert registry_at(tmp_path).get("kiosk-air") == before
