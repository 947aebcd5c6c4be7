"""civid.service.settings: one precedence (flags > environment > TOML file > defaults) for every program."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.service.settings import SettingsSource, load_settings

LENIENT = SettingsSource(env_prefix="APP_", section="app")
STRICT = SettingsSource(env_prefix="APP_", section="app", strict=True, not_settings=frozenset({"TOKEN"}))


@dataclass(frozen=True)
class Settings:
    listen: str = "127.0.0.1:1"
    workers: int = 1
    rate: float = 1.0
    demo: bool = True
    data_dir: Path = Path("/var/lib/app")
    tls_cert: Path | None = None
    redis_url: str | None = None


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "app.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_flags_beat_the_environment_which_beats_the_file_which_beats_the_defaults(tmp_path: Path) -> None:
    config = _file(tmp_path, '[app]\nlisten = "file:1"\nworkers = 2\nrate = 3.0\n')
    env = {"APP_LISTEN": "env:1", "APP_WORKERS": "5"}
    settings = load_settings(Settings, {"listen": "flag:1"}, LENIENT, env=env, config_file=config)
    assert (settings.listen, settings.workers, settings.rate, settings.demo) == ("flag:1", 5, 3.0, True)


def test_a_flag_whose_value_is_none_counts_as_not_given() -> None:
    settings = load_settings(Settings, {"workers": None}, LENIENT, env={"APP_WORKERS": "4"})
    assert settings.workers == 4


def test_an_unknown_file_key_is_refused_with_its_name(tmp_path: Path) -> None:
    config = _file(tmp_path, "[app]\nworkers = 2\nmax_inflight = 9\n")
    with pytest.raises(CividError, match="unknown settings max_inflight") as caught:
        load_settings(Settings, {}, LENIENT, env={}, config_file=config)
    assert caught.value.code is ErrorCode.INVALID_SETTING


def test_a_strict_source_refuses_an_unknown_variable_by_name() -> None:
    with pytest.raises(CividError, match="APP_WORKER: unknown setting 'worker'"):
        load_settings(Settings, {}, STRICT, env={"APP_WORKER": "2"})


def test_a_strict_source_refuses_an_unknown_flag_by_name() -> None:
    with pytest.raises(CividError, match="--max-inflight: unknown setting 'max_inflight'"):
        load_settings(Settings, {"max_inflight": 3}, STRICT, env={})


def test_a_strict_source_skips_the_variables_read_elsewhere(tmp_path: Path) -> None:
    config = _file(tmp_path, "workers = 7\n")
    env = {"APP_TOKEN": "s3cret", "APP_CONFIG": str(config)}
    assert load_settings(Settings, {}, STRICT, env=env).workers == 7


def test_a_lenient_source_leaves_other_variables_and_flags_alone() -> None:
    env = {"APP_KEY_PASSPHRASE": "x"}
    settings = load_settings(Settings, {"config": None, "command": "serve"}, LENIENT, env=env)
    assert settings == Settings()


def test_environment_text_becomes_ints_floats_bools_and_expanded_paths() -> None:
    env = {"APP_WORKERS": "8", "APP_RATE": "2.5", "APP_DEMO": "off", "APP_DATA_DIR": "~/app"}
    settings = load_settings(Settings, {}, LENIENT, env=env)
    assert (settings.workers, settings.rate, settings.demo) == (8, 2.5, False)
    assert settings.data_dir == Path.home() / "app"


def test_an_empty_variable_clears_an_optional_setting() -> None:
    settings = load_settings(
        Settings, {"tls_cert": None}, LENIENT, env={"APP_REDIS_URL": "", "APP_TLS_CERT": ""}
    )
    assert (settings.redis_url, settings.tls_cert) == (None, None)


def test_a_malformed_number_is_refused_naming_the_variable() -> None:
    with pytest.raises(CividError, match="APP_WORKERS: invalid literal"):
        load_settings(Settings, {}, LENIENT, env={"APP_WORKERS": "many"})


def test_a_boolean_is_not_taken_for_a_number(tmp_path: Path) -> None:
    config = _file(tmp_path, "workers = true\n")
    with pytest.raises(CividError, match="workers: a number is needed"):
        load_settings(Settings, {}, LENIENT, env={}, config_file=config)


def test_a_word_that_is_not_a_boolean_is_refused() -> None:
    with pytest.raises(CividError, match="APP_DEMO: not a boolean: 'maybe'"):
        load_settings(Settings, {}, LENIENT, env={"APP_DEMO": "maybe"})


def test_the_config_variable_names_the_file_when_no_flag_does(tmp_path: Path) -> None:
    config = _file(tmp_path, "workers = 3\n")
    assert load_settings(Settings, {}, LENIENT, env={"APP_CONFIG": str(config)}).workers == 3


def test_file_keys_may_be_spelt_like_the_flags(tmp_path: Path) -> None:
    config = _file(tmp_path, '[app]\nredis-url = "redis://r"\n')
    assert load_settings(Settings, {}, LENIENT, env={}, config_file=config).redis_url == "redis://r"


def test_an_unreadable_file_is_refused_naming_it(tmp_path: Path) -> None:
    config = _file(tmp_path, "workers = \n")
    with pytest.raises(CividError, match=f"cannot read config file {config}"):
        load_settings(Settings, {}, LENIENT, env={}, config_file=config)
