"""`buurtnet metrics rebuild [--since DATE]`, run as a real process on a data folder of its own
(see tests/test_cli.py): the periods it computes, its progress bar, and what it stores."""

import sqlite3
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from buurtnet.cli import progress_bar
from buurtnet.core.indicators import STORED
from buurtnet.core.local_times import local_day
from buurtnet.core.metric_periods import starts_between
from buurtnet.models import PeriodKind, utcnow
from tests.test_cli import STRONG_PASSWORD, clean_env, run, user_create


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A neighbourhood and its resident anna, made today by the command itself."""
    folder = tmp_path_factory.mktemp("metrics")
    env = clean_env(folder)
    for args, stdin in (
        (["neighbourhood", "create", "vogelwijk", "--name", "Vogelwijk"], ""),
        (user_create("anna", "--password-stdin", "--neighbourhood", "vogelwijk"), STRONG_PASSWORD),
    ):
        made = run(args, env, stdin=stdin)
        assert made.returncode == 0, made.stderr
    return folder


def today() -> date:
    return local_day(utcnow(), ZoneInfo("Europe/Amsterdam"))  # the default time zone


def stored(data_dir: Path, query: str, *parameters: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "buurtnet.sqlite3") as connection:
        return connection.execute(query, parameters).fetchall()


def test_rebuild_since_a_day_computes_every_week_and_month_with_a_progress_bar(
    data_dir: Path,
) -> None:
    since = today() - timedelta(days=40)
    periods = sum(
        len(list(starts_between(since, today(), period)))
        for period in (PeriodKind.WEEK, PeriodKind.MONTH)
    )
    result = run(["metrics", "rebuild", "--since", since.isoformat()], clean_env(data_dir))
    assert result.returncode == 0, result.stderr
    assert f"Computed the figures of {periods} periods, from {since} to {today()}." in (
        result.stdout
    )
    # One line, redrawn after each period; reading the output as text turns "\r" into "\n".
    bars = [line for line in result.stderr.splitlines() if line]
    assert len(bars) == periods
    assert bars[0].endswith(f"] 1/{periods} periods")
    assert bars[-1] == f"[{'#' * 30}] {periods}/{periods} periods"
    rows = stored(data_dir, "SELECT count(*) FROM metric_rollup")
    assert rows == [(periods * len(STORED),)]
    this_month = today().replace(day=1).isoformat()
    members = stored(
        data_dir,
        "SELECT value FROM metric_rollup WHERE period = 'month' AND indicator = 'members'"
        " AND starts_on = ?",
        this_month,
    )
    assert members == [(1.0,)]


def test_rebuild_starts_by_default_at_the_oldest_account(data_dir: Path) -> None:
    """Anna and the neighbourhood were made today: this week and this month."""
    result = run(["metrics", "rebuild"], clean_env(data_dir))
    assert result.returncode == 0, result.stderr
    assert f"Computed the figures of 2 periods, from {today()} to {today()}." in result.stdout


def test_an_empty_site_has_nothing_to_compute(tmp_path: Path) -> None:
    result = run(["metrics", "rebuild"], clean_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"Computed the figures of 0 periods, from {today()} to {today()}." in result.stdout


def test_a_date_that_is_not_one_is_refused(tmp_path: Path) -> None:
    result = run(["metrics", "rebuild", "--since", "2026-13-01"], clean_env(tmp_path))
    assert result.returncode == 2
    assert "--since" in result.stderr and "Traceback" not in result.stderr


def test_the_help_warns_that_published_figures_may_change(tmp_path: Path) -> None:
    result = run(["metrics", "rebuild", "--help"], clean_env(tmp_path))
    assert result.returncode == 0
    assert "may change published figures" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("done", "total", "bar"),
    [
        (0, 4, "[..........] 0/4 periods"),
        (1, 4, "[##........] 1/4 periods"),
        (4, 4, "[##########] 4/4 periods"),
        (0, 0, "[##########] 0/0 periods"),
    ],
)
def test_the_progress_bar(done: int, total: int, bar: str) -> None:
    assert progress_bar(done, total, width=10) == bar
