"""The partners' API (web.metrics_api), the dashboard's download (web.metric_downloads) and
`buurtnet metrics export`: who gets an answer and who a refusal (401, 403, 404, 400, 429, all
JSON), what the files hold (hidden cells empty and flagged, never care signals, never open
answers), and that every export, by anyone, is in the audit log."""

import csv
import io
import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.config import Settings
from buurtnet.core import local_times, metric_periods, partner_tokens, permissions
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ActionKind,
    Duty,
    ModerationAction,
    Neighbourhood,
    PartnerToken,
    PeriodKind,
    Role,
    utcnow,
)
from tests.conftest import browser_for, log_in, make_account
from tests.test_cli import SECRET_KEY, clean_env, run
from tests.test_metric_exports import OPEN_ANSWER, STORED, closed_survey, store_rollups

API = "/api/metrics"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def today(settings: Settings) -> date:
    return local_times.local_day(utcnow(), ZoneInfo(settings.time_zone))


@pytest.fixture
def last_month(today: date) -> date:
    """The first day of the last published month (the month before this one, or on the first
    of a month, its grace day, the one before that)."""
    return metric_periods.last_published_start(today, PeriodKind.MONTH)


@pytest.fixture
async def rivierenbuurt(database: Database) -> Neighbourhood:
    async with database.transaction() as session:
        place = Neighbourhood(slug="rivierenbuurt", name="Rivierenbuurt", cbs_code="BU03630001")
        session.add(place)
        await session.flush()
        return place


@pytest.fixture
async def admin(database: Database, rivierenbuurt: Neighbourhood) -> Account:
    return await make_account(database, "beheer", role=Role.ADMIN, neighbourhood=rivierenbuurt)


@pytest.fixture
async def figures(
    database: Database,
    neighbourhood: Neighbourhood,
    rivierenbuurt: Neighbourhood,
    today: date,
    last_month: date,
) -> None:
    """Last month's figures of both neighbourhoods, this month's (in progress) of Vogelwijk,
    and a survey of Vogelwijk that closed last month."""
    for place in (neighbourhood, rivierenbuurt):
        await store_rollups(database, place, last_month, STORED)
    await store_rollups(database, neighbourhood, today.replace(day=1), STORED)
    closes_on = metric_periods.last_day(last_month, PeriodKind.MONTH)
    await closed_survey(database, neighbourhood, closes_on, 12)


@pytest.fixture
async def token(database: Database, admin: Account, neighbourhood: Neighbourhood) -> str:
    """A key of the municipality for Vogelwijk only."""
    async with database.reading() as session:
        roles = await permissions.roles_of(session, admin)
    async with database.transaction() as session:
        _, plain = await partner_tokens.issue(
            session, roles, "Gemeente Utrecht", [neighbourhood.id or 0]
        )
    return plain


async def export_audits(database: Database) -> list[ModerationAction]:
    async with database.reading() as session:
        found = await session.exec(
            select(ModerationAction)
            .where(col(ModerationAction.kind) == ActionKind.EXPORT)
            .order_by(col(ModerationAction.id))
        )
        return list(found.all())


def command_env(data_dir: Path, database_url: str) -> dict[str, str]:
    """`buurtnet` on this test's database (PostgreSQL needs the shared secret key)."""
    return clean_env(data_dir, BUURTNET_DATABASE_URL=database_url, BUURTNET_SECRET_KEY=SECRET_KEY)


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


# ------------------------------------------------------------------ the API: refusals


async def test_without_a_key_401_with_a_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/vogelwijk")
    assert response.status_code == 401
    assert response.json() == {"error": "a bearer token is needed"}
    assert response.headers["www-authenticate"] == 'Bearer realm="buurtnet metrics"'
    assert response.headers["cache-control"] == "no-store"
    for header in ("Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer  ", "token abc"):
        other = await client.get(f"{API}/vogelwijk", headers={"Authorization": header})
        assert other.status_code == 401, header


@pytest.mark.usefixtures("figures")
async def test_a_wrong_or_revoked_key_401(
    client: httpx.AsyncClient, database: Database, admin: Account, token: str
) -> None:
    wrong = await client.get(f"{API}/vogelwijk", headers=bearer(token[:-2] + "xx"))
    assert wrong.status_code == 401
    assert wrong.json() == {"error": "unknown or revoked token"}
    assert wrong.headers["www-authenticate"].endswith('error="invalid_token"')
    assert (await client.get(f"{API}/vogelwijk", headers=bearer(token))).status_code == 200
    async with database.reading() as session:
        roles = await permissions.roles_of(session, admin)
        [stored] = (await session.exec(select(PartnerToken))).all()
    assert stored.id is not None and stored.last_used_at is not None
    async with database.transaction() as session:
        await partner_tokens.revoke(session, roles, stored.id)
    revoked = await client.get(f"{API}/vogelwijk", headers=bearer(token))
    assert revoked.status_code == 401
    assert revoked.json() == {"error": "unknown or revoked token"}
    assert len(await export_audits(database)) == 1


@pytest.mark.usefixtures("figures")
async def test_a_login_cookie_is_no_key(client: httpx.AsyncClient, admin: Account) -> None:
    await log_in(client, "beheer")
    response = await client.get(f"{API}/vogelwijk")
    assert response.status_code == 401
    assert response.json() == {"error": "a bearer token is needed"}


@pytest.mark.usefixtures("figures")
async def test_another_neighbourhood_403_and_an_unknown_one_404(
    client: httpx.AsyncClient, database: Database, token: str
) -> None:
    other = await client.get(f"{API}/rivierenbuurt", headers=bearer(token))
    assert other.status_code == 403
    assert other.json() == {"error": "this token may not read this neighbourhood"}
    for slug in ("nergens", "vogelwijk.csv", "x" * 300, "%C3%A9"):
        unknown = await client.get(f"{API}/{slug}", headers=bearer(token))
        assert unknown.status_code == 404, slug
        assert unknown.json() == {"error": "no such neighbourhood"}
    assert await export_audits(database) == []


@pytest.mark.usefixtures("figures")
@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("period=year", "period: Choose month or week."),
        ("from=2026-13", "from: Use a month like 2026-01, from the year 2000 on."),
        ("from=1999-01&to=2000-01", "from: Use a month like 2026-01, from the year 2000 on."),
        ("to=gisteren", "to: Use a month like 2026-01, from the year 2000 on."),
        ("from=2026-03&to=2026-01", "from: The first month must not come after the last month."),
        ("from=2001-01&to=2020-01", "to: Choose at most 120 months at a time."),
        ("format=xlsx", "format: Choose csv or json."),
        ("from=" + "9" * 5000, "from: Use a month like 2026-01, from the year 2000 on."),
    ],
)
async def test_a_wrong_parameter_400_with_the_reason(
    client: httpx.AsyncClient, database: Database, token: str, query: str, reason: str
) -> None:
    response = await client.get(f"{API}/vogelwijk?{query}", headers=bearer(token))
    assert response.status_code == 400
    assert response.json() == {"error": reason}
    assert await export_audits(database) == []


@pytest.mark.usefixtures("figures")
async def test_a_month_that_is_not_over_400(
    client: httpx.AsyncClient, token: str, today: date
) -> None:
    this_month = month_of(today)
    response = await client.get(
        f"{API}/vogelwijk?from={this_month}&to={this_month}", headers=bearer(token)
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("from: This period is not over yet.")


@pytest.mark.usefixtures("figures")
async def test_a_used_up_budget_429(
    client: httpx.AsyncClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(partner_tokens, "REQUESTS_PER_TOKEN", 2)
    for _ in range(2):
        assert (await client.get(f"{API}/vogelwijk", headers=bearer(token))).status_code == 200
    refused = await client.get(f"{API}/vogelwijk", headers=bearer(token))
    assert refused.status_code == 429
    assert refused.json() == {"error": "too many requests: try again later"}
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    monkeypatch.setattr(partner_tokens, "REQUESTS_PER_ADDRESS", 2)
    wrong = await client.get(f"{API}/vogelwijk", headers=bearer("fout"))
    assert wrong.status_code == 429  # the address's budget counts wrong keys too


# ------------------------------------------------------------------ the API: files


@pytest.mark.usefixtures("figures")
async def test_json_of_the_granted_neighbourhood(
    client: httpx.AsyncClient, database: Database, token: str, last_month: date
) -> None:
    month = month_of(last_month)
    response = await client.get(
        f"{API}/vogelwijk?period=month&from={month}&to={month}", headers=bearer(token)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    data = response.json()
    assert data["threshold"] == 10
    assert data["instance"] == {"name": "Buurtnet", "url": "http://testserver"}
    assert data["neighbourhoods"] == [{"slug": "vogelwijk", "name": "Vogelwijk", "cbs_code": None}]
    cells = {row["indicator"]: row for row in data["figures"]}
    assert {row["starts_on"] for row in data["figures"]} == {last_month.isoformat()}
    assert cells["active_residents"]["value"] == 25
    assert cells["votes"] == {**cells["votes"], "value": None, "suppressed": True}
    assert "care_signals" not in response.text
    assert OPEN_ANSWER not in response.text
    [survey] = data["surveys"]
    assert survey["respondents"] == {"value": 10, "suppressed": False}
    [entry] = await export_audits(database)
    assert entry.neighbourhood_id is not None and entry.moderator_id is None
    assert "by partner 'Gemeente Utrecht' (token 1)" in entry.reason
    assert "as json" in entry.reason


@pytest.mark.usefixtures("figures")
async def test_csv_parses_with_hidden_cells_empty_and_flagged(
    client: httpx.AsyncClient, database: Database, token: str, last_month: date
) -> None:
    response = await client.get(f"{API}/vogelwijk?format=csv", headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="buurtnet-vogelwijk-month-'
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    cells = {(row["starts_on"], row["indicator"]): row for row in rows}
    votes = cells[last_month.isoformat(), "votes"]
    assert (votes["value"], votes["suppressed"]) == ("", "true")
    assert cells[last_month.isoformat(), "members"]["value"] == "50"
    assert not any(row["indicator"] == "care_signals" for row in rows)
    assert any(row["indicator"] == "survey_cohesion" for row in rows)
    assert OPEN_ANSWER not in response.text
    # the month in progress is never in it
    assert {row["starts_on"] for row in rows if row["period"] == "month"} == {
        last_month.isoformat()
    }
    assert len(await export_audits(database)) == 1


@pytest.mark.usefixtures("figures")
async def test_every_answer_is_in_the_audit_log(
    client: httpx.AsyncClient, database: Database, token: str
) -> None:
    for query in ("", "?format=csv", "?period=week", "?format=json"):
        assert (await client.get(f"{API}/vogelwijk{query}", headers=bearer(token))).is_success
    audits = await export_audits(database)
    assert len(audits) == 4
    assert [entry.reason.rsplit(", by", 1)[0].rsplit(" ", 1)[1] for entry in audits] == [
        "json",
        "csv",
        "json",
        "json",
    ]
    assert all("partner 'Gemeente Utrecht'" in entry.reason for entry in audits)


# ------------------------------------------------------------------ the dashboard's download


@pytest.mark.usefixtures("figures")
async def test_the_director_downloads_without_care_signals(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood, last_month: date
) -> None:
    director = await make_account(database, "dirk", neighbourhood=neighbourhood, duty=Duty.DIRECTOR)
    await log_in(client, "dirk")
    form = await client.get("/dashboard/vogelwijk/export")
    assert form.status_code == 200
    assert "De cijfers van Vogelwijk downloaden" in form.text
    assert "Zorgsignalen staan niet in het bestand." in form.text
    assert f'value="{month_of(last_month)}"' in form.text
    assert await export_audits(database) == []
    month = month_of(last_month)
    response = await client.get(
        f"/dashboard/vogelwijk/export?period=month&from={month}&to={month}&format=csv"
    )
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="buurtnet-vogelwijk-month-{month}-{month}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and not any(row["indicator"] == "care_signals" for row in rows)
    as_json = await client.get(f"/dashboard/vogelwijk/export?format=json&from={month}")
    assert "care_signals" not in as_json.text
    assert json.loads(as_json.text)["neighbourhoods"][0]["slug"] == "vogelwijk"
    audits = await export_audits(database)
    assert [entry.moderator_id for entry in audits] == [director.id, director.id]
    assert "by dirk (dashboard download)" in audits[0].reason


@pytest.mark.usefixtures("figures")
async def test_a_wrong_choice_gives_the_form_back(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "dirk", neighbourhood=neighbourhood, duty=Duty.DIRECTOR)
    await log_in(client, "dirk")
    response = await client.get("/dashboard/vogelwijk/export?format=csv&from=maart")
    assert response.status_code == 400
    assert "Schrijf een maand zoals 2026-01, vanaf het jaar 2000." in response.text
    assert 'value="maart"' in response.text
    assert await export_audits(database) == []
    for name, query in (("period", "format=csv&period=year"), ("format", "format=xlsx")):
        wrong = await client.get(f"/dashboard/vogelwijk/export?{query}")
        assert wrong.status_code == 400
        # The error is tied to its group of choices, for a screen reader.
        assert f'aria-describedby="{name}-error"' in wrong.text
        assert f'id="{name}-error"' in wrong.text


@pytest.mark.usefixtures("figures")
async def test_who_may_download(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    neighbourhood: Neighbourhood,
    rivierenbuurt: Neighbourhood,
    admin: Account,
) -> None:
    await make_account(database, "dora", neighbourhood=rivierenbuurt, duty=Duty.DIRECTOR)
    await make_account(database, "mees", neighbourhood=neighbourhood, duty=Duty.MODERATOR)
    await make_account(database, "anna", neighbourhood=neighbourhood)
    path = "/dashboard/vogelwijk/export?format=csv"
    assert (await client.get(path)).status_code == 303  # to the login
    for name in ("dora", "mees", "anna"):
        async with browser_for(app) as browser:
            await log_in(browser, name)
            assert (await browser.get(path)).status_code == 403, name
    await log_in(client, "beheer")
    assert (await client.get(path)).status_code == 200
    assert (await client.get("/dashboard/nergens/export")).status_code == 404
    [entry] = await export_audits(database)
    assert entry.moderator_id == admin.id


# ------------------------------------------------------------------ the command line


@pytest.mark.usefixtures("figures")
async def test_the_command_line_exports_as_partners_get_it(
    database: Database, database_url: str, tmp_path: Path, last_month: date
) -> None:
    env = command_env(tmp_path, database_url)
    month = month_of(last_month)
    args = ["metrics", "export", "--neighbourhood", "vogelwijk", "--period", month]
    as_csv = run([*args, "--format", "csv"], env)
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    cells = {row["indicator"]: row for row in rows}
    assert (cells["votes"]["value"], cells["votes"]["suppressed"]) == ("", "true")
    assert cells["active_residents"]["value"] == "25"
    assert "care_signals" not in cells and OPEN_ANSWER not in as_csv.stdout
    as_json = run(args, env)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert (data["from"], data["period"]) == (last_month.isoformat(), "month")
    assert "care_signals" not in as_json.stdout
    audits = await export_audits(database)
    assert len(audits) == 2
    assert all(entry.reason.endswith("by the command line") for entry in audits)
    assert all(entry.moderator_id is None for entry in audits)


@pytest.mark.usefixtures("figures")
async def test_the_command_line_refuses_wrong_arguments_with_exit_code_2(
    database: Database, database_url: str, tmp_path: Path, today: date, last_month: date
) -> None:
    env = command_env(tmp_path, database_url)
    unknown = run(
        ["metrics", "export", "--neighbourhood", "nergens", "--period", month_of(last_month)], env
    )
    assert unknown.returncode == 2
    assert unknown.stderr == "buurtnet: there is no neighbourhood 'nergens'\n"
    bad_month = run(
        ["metrics", "export", "--neighbourhood", "vogelwijk", "--period", "2026-1"], env
    )
    assert bad_month.returncode == 2
    assert "not a month like 2026-01: '2026-1'" in bad_month.stderr
    not_over = run(
        ["metrics", "export", "--neighbourhood", "vogelwijk", "--period", month_of(today)], env
    )
    assert not_over.returncode == 2
    assert not_over.stderr.startswith("buurtnet: --period: This period is not over yet.")
    assert await export_audits(database) == []


@pytest.mark.usefixtures("figures")
async def test_every_answer_refusals_included_is_in_the_servers_log(
    client: httpx.AsyncClient, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="buurtnet.web.metrics_api")
    await client.get(f"{API}/vogelwijk")
    await client.get(f"{API}/vogelwijk", headers=bearer(token[:-2] + "xx"))
    await client.get(f"{API}/rivierenbuurt", headers=bearer(token))
    await client.get(f"{API}/vogelwijk?period=year", headers=bearer(token))
    await client.get(f"{API}/vogelwijk", headers=bearer(token))
    lines = [
        record.getMessage() for record in caplog.records if record.name.endswith("metrics_api")
    ]
    assert lines == [
        "partner API vogelwijk: 401",
        "partner API vogelwijk: 401",
        "partner API rivierenbuurt: 403",
        "partner API vogelwijk: 400",
        "partner API vogelwijk: 200",
    ]
    assert not any(token in line or token[:-2] in line for line in caplog.text.splitlines())
