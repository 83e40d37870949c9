"""`buurtnet role grant|revoke`, run as a real process on a data folder of its own (see
tests/test_cli.py): what it prints, what it stores and logs, and one line for every mistake."""

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import STRONG_PASSWORD, assert_one_line_error, clean_env, run, user_create


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A neighbourhood and its resident anna, made by the command itself."""
    folder = tmp_path_factory.mktemp("roles")
    env = clean_env(folder)
    for args, stdin in (
        (["neighbourhood", "create", "vogelwijk", "--name", "Vogelwijk"], ""),
        (user_create("anna", "--password-stdin", "--neighbourhood", "vogelwijk"), STRONG_PASSWORD),
    ):
        made = run(args, env, stdin=stdin)
        assert made.returncode == 0, made.stderr
    return folder


def role(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(["role", *args], clean_env(data_dir))


def stored(data_dir: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "buurtnet.sqlite3") as connection:
        return connection.execute(query).fetchall()


def test_grant_and_revoke_say_what_changed_and_log_it(data_dir: Path) -> None:
    printed = [
        role(data_dir, action, "anna", "vogelwijk", "director")
        for action in ("grant", "grant", "revoke", "revoke")
    ]
    assert all(result.returncode == 0 for result in printed), [r.stderr for r in printed]
    assert [result.stdout.strip() for result in printed] == [
        "anna is now director of Vogelwijk.",
        "anna already was director of Vogelwijk.",
        "anna is no longer director of Vogelwijk.",
        "anna was not director of Vogelwijk.",
    ]
    assert stored(data_dir, "SELECT * FROM role_grant") == []
    logged = "SELECT kind, moderator_id, reason FROM moderation_action ORDER BY id"
    assert stored(data_dir, logged) == [
        ("grant_role", None, "director"),
        ("revoke_role", None, "director"),
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["grant", "nergens", "vogelwijk", "moderator"], "username: There is no account"),
        (["grant", "anna", "nergens", "moderator"], "there is no neighbourhood 'nergens'"),
    ],
)
def test_mistakes_are_one_line(data_dir: Path, args: list[str], expected: str) -> None:
    assert_one_line_error(role(data_dir, *args), expected)


def test_only_the_two_duties_exist(data_dir: Path) -> None:
    result = role(data_dir, "grant", "anna", "vogelwijk", "admin")
    assert result.returncode == 2
    assert "invalid choice: 'admin'" in result.stderr
