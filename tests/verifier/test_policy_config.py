"""Policies and relying parties as configuration files, validated at start."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from civid.verifier.config.policies import load_policies, parse_policies
from civid.verifier.config.relying_parties import load_relying_party_specs, parse_relying_party_specs
from civid.verifier.domain.errors import DomainError, DomainErrorCode

VALID = """
[[policy]]
id = "gym-entry"
purpose = { en = "Gym entry", th = "เข้ายิม" }
credential_types = ["NationalIdCredential"]
trusted_issuers = ["did:web:issuer.civid.example"]
claims = ["givenNameEn", "address.province"]
"""


def parse(text: str) -> object:
    return parse_policies(tomllib.loads(text), "test.toml")


def config_error(text: str) -> str:
    with pytest.raises(DomainError) as caught:
        parse(text)
    assert caught.value.code is DomainErrorCode.CONFIG_INVALID
    return caught.value.message


def test_shipped_airline_policy_releases_english_names_photo_and_id_number_only() -> None:
    airline = load_policies().get("airline-domestic-boarding")
    assert airline is not None
    assert set(airline.claims) == {"titleEn", "givenNameEn", "familyNameEn", "photo", "nationalIdNumber"}
    assert airline.suspension_blocks and airline.fail_closed_when_status_unavailable


def test_shipped_passport_policy_releases_the_full_identity() -> None:
    passport = load_policies().get("passport-application")
    assert passport is not None
    for claim in (
        "givenNameTh",
        "familyNameTh",
        "birthDate",
        "sex",
        "address",
        "cardIssueDate",
        "cardExpiryDate",
        "laserCode",
        "nationalIdNumber",
        "photo",
    ):
        assert claim in passport.required_claims


def test_shipped_files_define_the_household_policy_and_both_relying_parties() -> None:
    policies = load_policies()
    assert policies.get("household-registration-check") is not None
    specs = {s.id: s for s in load_relying_party_specs(policies)}
    assert specs["thai-domestic-air"].policy_ids == ("airline-domestic-boarding",)
    assert "passport-application" in specs["consular-affairs"].policy_ids


def test_defaults_fail_closed_and_give_requests_five_minutes() -> None:
    policy = next(iter(parse(VALID)))  # type: ignore[call-overload]
    assert policy.fail_closed_when_status_unavailable is True
    assert policy.request_lifetime_s == 300
    assert policy.required_claims == policy.claims


def test_a_presentation_is_accepted_for_five_minutes_by_default() -> None:
    policy = next(iter(parse(VALID)))  # type: ignore[call-overload]
    assert policy.presentation_max_age_s == 300


@pytest.mark.parametrize("value", ["0", '"300"'])
def test_presentation_max_age_below_one_second_or_not_an_integer_is_refused_at_start(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "policies.toml"
    path.write_text(VALID + f"presentation_max_age_s = {value}\n", encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        load_policies(path)
    assert caught.value.code is DomainErrorCode.CONFIG_INVALID
    assert "policies.toml: policy 'gym-entry': field 'presentation_max_age_s'" in caught.value.message


def test_unknown_claim_is_named_with_file_policy_and_field() -> None:
    message = config_error(VALID.replace('"givenNameEn"', '"givenName"'))
    assert "test.toml" in message and "'gym-entry'" in message and "'claims'" in message
    assert "'givenName'" in message


def test_missing_field_is_named() -> None:
    message = config_error(VALID.replace('trusted_issuers = ["did:web:issuer.civid.example"]\n', ""))
    assert "'trusted_issuers'" in message and "missing" in message


def test_required_claim_outside_claims_is_refused() -> None:
    message = config_error(VALID + 'required_claims = ["photo"]\n')
    assert "'required_claims'" in message and "'photo'" in message


def test_unknown_field_is_refused() -> None:
    assert "'suspension_block'" in config_error(VALID + "suspension_block = false\n")


def test_wrong_type_is_refused() -> None:
    assert "'request_lifetime_s'" in config_error(VALID + 'request_lifetime_s = "300"\n')


def test_issuer_that_is_not_a_did_is_refused() -> None:
    assert "not a DID" in config_error(VALID.replace("did:web:issuer.civid.example", "issuer.civid.example"))


def test_duplicate_policy_id_is_refused() -> None:
    assert "defined twice" in config_error(VALID + VALID)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[[policy]\n", encoding="utf-8")
    with pytest.raises(DomainError, match=r"broken\.toml: not valid TOML"):
        load_policies(path)


def test_relying_party_naming_an_unknown_policy_is_refused() -> None:
    data = tomllib.loads(
        '[[relying_party]]\nid = "x-air"\ndisplay_name = { en = "X", th = "X" }\npolicies = ["nope"]\n'
    )
    with pytest.raises(
        DomainError, match=r"rp\.toml: relying party 'x-air': field 'policies': no policy 'nope'"
    ):
        parse_relying_party_specs(data, load_policies(), "rp.toml")


AIRLINE_RP = '[[relying_party]]\nid = "x-air"\ndisplay_name = { en = "X", th = "X" }\npolicies = ["airline-domestic-boarding"]\n'


def test_a_relying_party_may_have_its_own_rate_limit_in_the_file() -> None:
    data = tomllib.loads(AIRLINE_RP + "rate_per_s = 50\nburst = 100.5\n")
    (spec,) = parse_relying_party_specs(data, load_policies(), "rp.toml")
    assert (spec.rate_per_s, spec.burst) == (50.0, 100.5)


def test_a_relying_party_without_a_rate_limit_in_the_file_gets_the_servers_defaults() -> None:
    (spec,) = parse_relying_party_specs(tomllib.loads(AIRLINE_RP), load_policies(), "rp.toml")
    assert (spec.rate_per_s, spec.burst) == (None, None)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("rate_per_s = 50\n", r"field 'burst': rate_per_s and burst go together"),
        ("rate_per_s = 0\nburst = 10\n", r"field 'rate_per_s': rate_per_s must be .* above 0, got 0"),
        ("rate_per_s = 5\nburst = 0.5\n", r"field 'burst': burst must be .* at least 1, got 0.5"),
        ("rate_per_s = nan\nburst = 10\n", r"field 'rate_per_s': rate_per_s must be .* above 0, got nan"),
        ("rate_per_s = inf\nburst = 10\n", r"field 'rate_per_s': rate_per_s must be .* above 0, got inf"),
        ("rate_per_s = 5\nburst = nan\n", r"field 'burst': burst must be .* at least 1, got nan"),
        ("rate_per_s = 5\nburst = inf\n", r"field 'burst': burst must be .* at least 1, got inf"),
        ('rate_per_s = "fast"\nburst = 10\n', r"field 'rate_per_s': must be a number"),
    ],
)
def test_an_invalid_rate_limit_in_the_file_is_refused_at_start_naming_the_field(
    fields: str, expected: str
) -> None:
    with pytest.raises(DomainError, match=rf"rp\.toml: relying party 'x-air': {expected}") as caught:
        parse_relying_party_specs(tomllib.loads(AIRLINE_RP + fields), load_policies(), "rp.toml")
    assert caught.value.code is DomainErrorCode.CONFIG_INVALID
