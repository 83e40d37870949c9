"""Settings: sensible defaults on a laptop, and one clear refusal per malformed variable."""

import stat
from pathlib import Path

import pytest

from buurtnet.config import SECRET_KEY_FILE, SettingsError, load_settings

GOOD_KEY = "k" * 48


def environ(tmp_path: Path, **variables: str) -> dict[str, str]:
    """An environment with a data folder of our own; keyword names lack the BUURTNET_ prefix."""
    return {"BUURTNET_DATA_DIR": str(tmp_path / "data")} | {
        f"BUURTNET_{name}": value for name, value in variables.items()
    }


def test_defaults_give_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = load_settings(environ(tmp_path), default_base_url="http://127.0.0.1:9000")
    data_dir = (tmp_path / "data").resolve()
    assert settings.data_dir == data_dir
    assert data_dir.is_dir()
    assert settings.database_url == f"sqlite+aiosqlite:///{data_dir / 'buurtnet.sqlite3'}"
    assert settings.is_sqlite
    assert settings.base_url == "http://127.0.0.1:9000"
    assert settings.allow_private_networks is False
    assert settings.embedded_worker is True
    assert settings.instance_name == "Buurtnet"
    assert settings.forwarded_allow_ips == "127.0.0.1"
    assert settings.time_zone == "Europe/Amsterdam"


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_settings(environ(tmp_path))
    key_file = tmp_path / "data" / SECRET_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first.secret_key
    assert len(first.secret_key) >= 32
    assert load_settings(environ(tmp_path)).secret_key == first.secret_key


def test_a_given_secret_key_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    settings = load_settings(environ(tmp_path, SECRET_KEY=GOOD_KEY))
    assert settings.secret_key == GOOD_KEY
    assert not (tmp_path / "data" / SECRET_KEY_FILE).exists()


def test_a_short_secret_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^BUURTNET_SECRET_KEY: "):
        load_settings(environ(tmp_path, SECRET_KEY="too-short"))


def test_postgresql_needs_a_given_secret_key(tmp_path: Path) -> None:
    """Every web and worker process must share the key, so no process may make its own."""
    with pytest.raises(SettingsError, match=r"^BUURTNET_SECRET_KEY: required with PostgreSQL"):
        load_settings(environ(tmp_path, DATABASE_URL="postgresql://buurt@db/buurtnet"))
    assert not (tmp_path / "data" / SECRET_KEY_FILE).exists()


@pytest.mark.parametrize(
    "given",
    [
        "postgres://buurt:geheim@db:5432/buurtnet",
        "postgresql://buurt:geheim@db:5432/buurtnet",
        "postgresql+asyncpg://buurt:geheim@db:5432/buurtnet",
    ],
)
def test_postgresql_urls_get_the_async_driver(tmp_path: Path, given: str) -> None:
    settings = load_settings(environ(tmp_path, DATABASE_URL=given, SECRET_KEY=GOOD_KEY))
    assert settings.database_url == "postgresql+asyncpg://buurt:geheim@db:5432/buurtnet"
    assert not settings.is_sqlite


def test_a_plain_sqlite_url_gets_the_async_driver(tmp_path: Path) -> None:
    settings = load_settings(environ(tmp_path, DATABASE_URL="sqlite:////srv/buurt.sqlite3"))
    assert settings.database_url == "sqlite+aiosqlite:////srv/buurt.sqlite3"


@pytest.mark.parametrize("given", ["mysql://buurt@db/buurtnet", "buurtnet.sqlite3"])
def test_other_databases_are_refused(tmp_path: Path, given: str) -> None:
    with pytest.raises(SettingsError, match=r"^BUURTNET_DATABASE_URL: "):
        load_settings(environ(tmp_path, DATABASE_URL=given, SECRET_KEY=GOOD_KEY))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://Buurt.Example.NL/", "https://buurt.example.nl"),
        ("  http://localhost:8000  ", "http://localhost:8000"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_the_base_url_is_normalised(tmp_path: Path, given: str, expected: str) -> None:
    assert load_settings(environ(tmp_path, BASE_URL=given)).base_url == expected


@pytest.mark.parametrize(
    "given",
    [
        "https://buurt.example.nl/buurtnet",
        "https://buurt.example.nl/?lang=nl",
        "buurt.example.nl",
        "ftp://buurt.example.nl",
        "https://buurt.example.nl:http",
        "https://buurt.example.nl:99999",
    ],
)
def test_a_malformed_base_url_is_refused(tmp_path: Path, given: str) -> None:
    with pytest.raises(SettingsError, match=r"^BUURTNET_BASE_URL: "):
        load_settings(environ(tmp_path, BASE_URL=given))


@pytest.mark.parametrize(
    ("base_url", "host", "uses_https"),
    [
        ("https://Buurt.Example.NL", "buurt.example.nl", True),
        ("http://localhost:8000", "localhost:8000", False),
    ],
)
def test_host_and_https_follow_the_base_url(
    tmp_path: Path, base_url: str, host: str, uses_https: bool
) -> None:
    settings = load_settings(environ(tmp_path, BASE_URL=base_url))
    assert settings.host == host
    assert settings.uses_https is uses_https


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("1", True),
        ("true", True),
        (" Yes ", True),
        ("ON", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_allow_private_networks_reads_yes_and_no_words(
    tmp_path: Path, word: str, expected: bool
) -> None:
    settings = load_settings(environ(tmp_path, ALLOW_PRIVATE_NETWORKS=word))
    assert settings.allow_private_networks is expected


def test_a_word_that_is_not_yes_or_no_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^BUURTNET_ALLOW_PRIVATE_NETWORKS: .*'maybe'"):
        load_settings(environ(tmp_path, ALLOW_PRIVATE_NETWORKS="maybe"))


def test_the_proxy_and_time_zone_can_be_chosen(tmp_path: Path) -> None:
    settings = load_settings(
        environ(tmp_path, FORWARDED_ALLOW_IPS="10.0.0.2", TIME_ZONE="America/Paramaribo")
    )
    assert (settings.forwarded_allow_ips, settings.time_zone) == ("10.0.0.2", "America/Paramaribo")


@pytest.mark.parametrize("given", ["Europe/Nergensdorp", "../../etc/passwd", "Europe"])
def test_an_unknown_time_zone_is_refused(tmp_path: Path, given: str) -> None:
    with pytest.raises(SettingsError, match=r"^BUURTNET_TIME_ZONE: "):
        load_settings(environ(tmp_path, TIME_ZONE=given))
