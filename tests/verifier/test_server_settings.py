"""Settings precedence and refusals of `civid verifier serve`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from civid.verifier.cli import add_arguments
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.settings import load_settings


def test_flags_override_environment_which_overrides_the_file(tmp_path: Path) -> None:
    config = tmp_path / "verifier.toml"
    config.write_text(
        '[verifier]\nmax_in_flight = 10\nlisten = "127.0.0.1:1"\ndomain = "did:web:file.example"\n'
    )
    env = {"CIVID_VERIFIER_MAX_IN_FLIGHT": "20", "CIVID_VERIFIER_LISTEN": "127.0.0.1:2"}
    settings = load_settings({"listen": "127.0.0.1:3"}, config, env)
    assert (settings.listen, settings.max_in_flight, settings.domain) == (
        "127.0.0.1:3",
        20,
        "did:web:file.example",
    )


def test_several_workers_without_redis_are_refused_with_a_clear_message() -> None:
    with pytest.raises(DomainError, match="--workers 2 needs --redis-url"):
        load_settings({"workers": 2}, None, {})


def test_the_admin_token_and_config_variables_are_not_taken_for_settings(tmp_path: Path) -> None:
    config = tmp_path / "verifier.toml"
    config.write_text("max_in_flight = 7\n")
    env = {"CIVID_VERIFIER_ADMIN_TOKEN": "s3cret", "CIVID_VERIFIER_CONFIG": str(config)}
    settings = load_settings({}, None, env)
    assert settings.max_in_flight == 7
    assert "s3cret" not in repr(settings)


def test_an_unknown_verifier_variable_is_still_refused_by_name() -> None:
    with pytest.raises(DomainError, match="unknown setting 'max_inflight'"):
        load_settings({}, None, {"CIVID_VERIFIER_MAX_INFLIGHT": "5"})


def test_serve_help_says_only_worker_0_serves_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="civid verifier")
    add_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "only worker 0 serves --metrics-listen" in help_text


def test_clock_skew_defaults_to_a_minute_and_is_read_from_the_environment() -> None:
    assert load_settings({}, None, {}).clock_skew_s == 60
    assert load_settings({}, None, {"CIVID_VERIFIER_CLOCK_SKEW_S": "90"}).clock_skew_s == 90


def test_a_negative_clock_skew_is_refused_by_name() -> None:
    with pytest.raises(DomainError, match="clock_skew_s must not be negative"):
        load_settings({}, None, {"CIVID_VERIFIER_CLOCK_SKEW_S": "-1"})


RATE_REFUSAL = "rp_rate_per_s must be a finite number of calls per second above 0, got "
BURST_REFUSAL = "rp_burst must be a finite number of calls of at least 1, got "


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RP_RATE_PER_S", "nan", RATE_REFUSAL + "nan"),
        ("RP_RATE_PER_S", "inf", RATE_REFUSAL + "inf"),
        ("RP_RATE_PER_S", "0", RATE_REFUSAL + "0.0"),
        ("RP_BURST", "nan", BURST_REFUSAL + "nan"),
        ("RP_BURST", "inf", BURST_REFUSAL + "inf"),
        ("RP_BURST", "0.5", BURST_REFUSAL + "0.5"),
    ],
)
def test_a_non_finite_or_out_of_range_default_rate_limit_is_refused_by_name(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(DomainError) as caught:
        load_settings({}, None, {f"CIVID_VERIFIER_{variable}": value})
    assert (caught.value.code, caught.value.message) == (DomainErrorCode.CONFIG_INVALID, message)


def test_a_nan_default_rate_limit_in_the_settings_file_is_refused_by_name(tmp_path: Path) -> None:
    config = tmp_path / "verifier.toml"
    config.write_text("[verifier]\nrp_rate_per_s = nan\n")
    with pytest.raises(DomainError, match="rp_rate_per_s must be a finite number"):
        load_settings({}, config, {})


@pytest.mark.parametrize("setting", ["GRACE_SECONDS", "AUTH_RECHECK_SECONDS"])
@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_a_non_finite_or_negative_duration_is_refused_by_name(setting: str, value: str) -> None:
    with pytest.raises(DomainError) as caught:
        load_settings({}, None, {f"CIVID_VERIFIER_{setting}": value})
    assert caught.value.code == DomainErrorCode.CONFIG_INVALID
    assert caught.value.message.startswith(f"{setting.lower()} must be a finite, non-negative number")
