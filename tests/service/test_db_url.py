"""civid.service.db.url: which database a data directory or URL means."""

from __future__ import annotations

from pathlib import Path

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.service.db.url import database_url


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgresql_urls_get_the_psycopg_3_driver(scheme: str) -> None:
    url = database_url(f"{scheme}://postgres@127.0.0.1:5432/civid", sqlite_file="x.db")
    assert (url.drivername, url.host, url.database) == ("postgresql+psycopg", "127.0.0.1", "civid")


def test_a_data_directory_means_its_sqlite_file_and_is_created(tmp_path: Path) -> None:
    directory = tmp_path / "data"
    url = database_url(str(directory), sqlite_file="program.db")
    assert (url.drivername, url.database) == ("sqlite+pysqlite", str(directory / "program.db"))
    assert directory.is_dir()


def test_a_sqlite_url_is_kept_as_given(tmp_path: Path) -> None:
    given = f"sqlite:///{tmp_path / 'a.db'}"
    assert database_url(given, sqlite_file="x.db").render_as_string() == given


def test_another_database_is_refused_with_storage_config() -> None:
    with pytest.raises(CividError, match="unsupported database 'mysql'") as caught:
        database_url("mysql://root@localhost/civid", sqlite_file="x.db")
    assert caught.value.code is ErrorCode.STORAGE_CONFIG
