"""Settings precedence and refusals of `civid verifier serve`."""

from __future__ import annotations

from pathlib import Path

import pytest

from civid.verifier.domain.errors import DomainError
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
