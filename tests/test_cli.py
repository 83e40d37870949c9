"""The `buurtnet` command, run as a real process: what it prints, and one line for every error.

Each test gets a data folder of its own and an environment without BUURTNET_* variables, so the
commands use a fresh SQLite database and never touch the database the other tests share. Starting
a process takes about a second, so related checks share one set-up.
"""

import asyncio
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from buurtnet import schema
from buurtnet.core import demo
from tests.kit.databases import TEST_DATABASE_URL, on_postgresql
from tests.kit.waiting import wait_until_blocking

COMMAND = [sys.executable, "-m", "buurtnet"]
STRONG_PASSWORD = "een fiets in de gracht"
SECRET_KEY = "k" * 48


def clean_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """Our environment minus any BUURTNET_* setting, plus a data folder and the given settings."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("BUURTNET_")}
    return env | {"BUURTNET_DATA_DIR": str(data_dir)} | variables


def run(
    args: Sequence[str], env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Failed, and said why in one line that a person can read: no traceback, no log noise."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("buurtnet: ")
    for text in expected:
        assert text in lines[0]


def test_migrate_creates_the_schema_then_says_it_is_up_to_date(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    first = run(["migrate"], env)
    assert first.returncode == 0, first.stderr
    assert f"Migrating the database from empty to {schema.head_revision()}" in first.stdout
    assert first.stderr == ""
    second = run(["migrate"], env)
    assert second.returncode == 0, second.stderr
    assert f"The database is up to date (revision {schema.head_revision()})." in second.stdout
    assert "Migrating" not in second.stdout


def test_demo_prints_the_logins_and_can_run_twice(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    for _ in range(2):
        result = run(["demo"], env)
        assert result.returncode == 0, result.stderr
        assert repr(demo.DEMO_PASSWORD) in result.stdout
        assert "/n/vogelwijk" in result.stdout
        for username in ("anna", "mila", "dirk", "beheerder"):
            assert f"  {username} " in result.stdout


@pytest.fixture(scope="module")
def zeeheldenbuurt(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, str], list[subprocess.CompletedProcess[str]]]:
    """A data folder with a neighbourhood and its moderator piet, made by the command itself."""
    env = clean_env(tmp_path_factory.mktemp("zeeheldenbuurt"))
    results = [
        run(["neighbourhood", "create", "zeeheldenbuurt", "--name", "Zeeheldenbuurt"], env),
        run(
            [
                *["user", "create", "piet", "--email", "piet@example.org", "--password-stdin"],
                *["--neighbourhood", "zeeheldenbuurt", "--role", "moderator"],
            ],
            env,
            stdin=STRONG_PASSWORD + "\n",
        ),
    ]
    return env, results


def test_create_a_neighbourhood_and_its_moderator(
    zeeheldenbuurt: tuple[dict[str, str], list[subprocess.CompletedProcess[str]]],
) -> None:
    _, (neighbourhood, user) = zeeheldenbuurt
    assert neighbourhood.returncode == 0, neighbourhood.stderr
    assert "Created neighbourhood Zeeheldenbuurt at /n/zeeheldenbuurt." in neighbourhood.stdout
    assert user.returncode == 0, user.stderr
    assert user.stdout.strip() == "Created moderator piet."


def user_create(username: str, *options: str) -> list[str]:
    return ["user", "create", username, "--email", f"{username}@example.org", *options]


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        pytest.param(
            user_create("PIET", "--password-stdin"),
            STRONG_PASSWORD,
            "username: Someone already uses this name",
            id="username-taken-in-another-case",
        ),
        pytest.param(
            user_create("joost", "--password-stdin"),
            "123\n",
            "password: Use at least 10 characters.",
            id="weak-password",
        ),
        pytest.param(
            user_create("joost", "--password-stdin", "--neighbourhood", "nergens"),
            STRONG_PASSWORD,
            "there is no neighbourhood 'nergens'",
            id="unknown-neighbourhood",
        ),
        pytest.param(
            user_create("joost", "--password-stdin"),
            "",
            "give the password on standard input",
            id="empty-stdin",
        ),
        pytest.param(
            ["neighbourhood", "create", "zeeheldenbuurt", "--name", "Nog een"],
            "",
            "slug: This address is already in use.",
            id="neighbourhood-slug-taken",
        ),
    ],
)
def test_bad_input_is_refused_in_one_line(
    zeeheldenbuurt: tuple[dict[str, str], list[subprocess.CompletedProcess[str]]],
    args: list[str],
    stdin: str,
    expected: str,
) -> None:
    env, _ = zeeheldenbuurt
    assert_one_line_error(run(args, env, stdin=stdin), expected)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("BUURTNET_BASE_URL", "ftp://x"), ("BUURTNET_DATABASE_URL", "mysql://x")],
)
def test_a_malformed_setting_is_named(tmp_path: Path, variable: str, value: str) -> None:
    assert_one_line_error(run(["migrate"], clean_env(tmp_path, **{variable: value})), variable)


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = clean_env(
        tmp_path,
        BUURTNET_DATABASE_URL="postgresql://postgres@127.0.0.1:1/nothing",
        BUURTNET_SECRET_KEY=SECRET_KEY,
    )
    assert_one_line_error(run(["migrate"], env), "cannot use the database")


def test_an_unmigrated_database(tmp_path: Path) -> None:
    """SQLite, the database of one machine, migrates itself; PostgreSQL waits for `migrate`."""
    if on_postgresql():
        check_unmigrated_postgresql(tmp_path)
        return
    env = clean_env(tmp_path)
    result = run(user_create("joost", "--password-stdin"), env, stdin=STRONG_PASSWORD)
    assert result.returncode == 0, result.stderr
    assert "Migrating the database from empty" in result.stdout
    assert "Created resident joost." in result.stdout
    with sqlite3.connect(tmp_path / "buurtnet.sqlite3") as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision == schema.head_revision()


def check_unmigrated_postgresql(tmp_path: Path) -> None:
    """Run on a throwaway database, so the schema of the shared test database stays as it is."""
    admin_url = "postgresql://" + TEST_DATABASE_URL.partition("://")[2]
    name = f"buurtnet_cli_{secrets.token_hex(6)}"
    asyncio.run(execute(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        env = clean_env(
            tmp_path,
            BUURTNET_DATABASE_URL=urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}")),
            BUURTNET_SECRET_KEY=SECRET_KEY,
        )
        args = user_create("joost", "--password-stdin")
        assert_one_line_error(run(args, env, stdin=STRONG_PASSWORD), "run `buurtnet migrate` first")
        migrated = run(["migrate"], env)
        assert migrated.returncode == 0, migrated.stderr
        assert "Migrating the database from empty" in migrated.stdout
        created = run(args, env, stdin=STRONG_PASSWORD)
        assert created.returncode == 0, created.stderr
        assert created.stdout.strip() == "Created resident joost."
    finally:
        asyncio.run(execute(admin_url, f'DROP DATABASE "{name}" WITH (FORCE)'))


async def execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def test_several_web_processes_need_postgresql(tmp_path: Path) -> None:
    result = run(["serve", "--workers", "2"], clean_env(tmp_path))
    assert_one_line_error(result, "several web processes need PostgreSQL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], seconds: float = 20) -> None:
    def answers_200() -> bool:
        assert server.poll() is None, "the server stopped while starting"
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.TransportError:
            return False  # not listening yet

    wait_until_blocking(answers_200, within=seconds, every=0.1)


def test_serve_answers_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*COMMAND, "serve", "--port", str(port)],
            env=clean_env(tmp_path / "data"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(f"{base_url}/healthz", server)
        login = httpx.get(f"{base_url}/login", timeout=5)
        assert login.status_code == 200
        assert 'lang="nl"' in login.text
        server.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then raises the signal again: the exit says why it ended.
        assert server.wait(timeout=10) == -signal.SIGTERM
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    output = log_path.read_text()
    assert f"Buurtnet runs at {base_url}" in output
    assert "Application shutdown complete." in output
    assert "Traceback" not in output


def test_a_server_is_suspended_listed_and_allowed_again(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    suspended = run(["domain", "suspend", "https://Spam.Example/"], env)
    assert suspended.returncode == 0, suspended.stderr
    assert "Suspended spam.example." in suspended.stdout
    assert run(["domain", "list"], env).stdout.splitlines() == ["spam.example\tsuspend"]
    assert run(["domain", "allow", "spam.example"], env).returncode == 0
    assert run(["domain", "list"], env).stdout == ""
    assert_one_line_error(run(["domain", "allow", "spam.example"], env), "not blocked")
    assert_one_line_error(run(["domain", "suspend", "not a server"], env), "domain")
