"""Care signal pages: the resident's screen and form, the director's list and follow-up, the
admin's retention setting, who may open what; and that no page or path outside the director's
reads the table at all (the privacy test)."""

import re

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.core import export, neighbourhoods
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ActionKind,
    CareSignal,
    Duty,
    ModerationAction,
    Neighbourhood,
    Post,
    Role,
    Visibility,
)
from buurtnet.moderation import care_signals
from tests.conftest import (
    BASE_URL,
    counting_statements,
    log_in,
    make_account,
    post_form,
    write_post,
)
from tests.kit.as2 import follow_of
from tests.kit.federation import deliver, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB
from tests.test_care_signals import director, raise_one  # noqa: F401

WORRY = {
    "concern": "neglect",
    "about": "meneer op de hoek",
    "text": "De post stapelt zich op.\nDe gordijnen zijn al weken dicht.",
    "may_contact": "yes",
}


async def raise_by_web(client: httpx.AsyncClient, data: dict[str, str]) -> httpx.Response:
    return await post_form(client, "/care/new", "/care", data)


async def stored_signals(database: Database) -> list[CareSignal]:
    async with database.reading() as session:
        return list((await session.exec(select(CareSignal).order_by(col(CareSignal.id)))).all())


async def log_out(client: httpx.AsyncClient) -> None:
    await post_form(client, "/settings", "/logout", {})


# ------------------------------------------------------------------ the resident


@pytest.mark.usefixtures("director")
async def test_the_screen_says_who_reads_it_and_what_happens(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    assert "Zorgen om een buur?" in (await client.get("/n/vogelwijk")).text
    page = (await client.get("/care/new")).text
    for said in (
        "Alleen de buurtregisseur van uw buurt leest uw melding: Dirk de Regisseur.",
        "De moderators lezen het niet. De beheerders van de woningcorporatie",
        "Uw buur hoort niet wie de melding heeft gedaan.",
        "doorgeven aan het wijkteam",
        "na 6 maanden vanzelf gewist",
        "Bel 112.",
        "Veilig Thuis: 0800-2000",
    ):
        assert said in page
    assert page.index("Wie leest uw melding?") < page.index('action="/care"')


@pytest.mark.usefixtures("director")
async def test_a_resident_raises_a_signal(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    response = await raise_by_web(client, WORRY)
    assert response.status_code == 303
    assert response.headers["location"] == "/care/new?sent=1"
    assert (
        "Uw melding is naar de buurtregisseur gestuurd."
        in (await client.get("/care/new?sent=1")).text
    )
    [signal] = await stored_signals(database)
    assert (signal.raised_by_id, signal.neighbourhood_id) == (
        resident.id,
        resident.neighbourhood_id,
    )
    assert (signal.concern, signal.about, signal.text, signal.may_contact) == (
        "neglect",
        WORRY["about"],
        WORRY["text"],
        True,
    )


@pytest.mark.usefixtures("director")
async def test_bad_input_gives_the_form_back_with_dutch_messages(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    response = await raise_by_web(client, {"concern": "boos", "about": "", "text": " "})
    assert response.status_code == 400
    for message in (
        "Kies waar u zich zorgen over maakt.",
        "Vul in over wie of welk adres het gaat.",
        "Schrijf op wat u is opgevallen.",
    ):
        assert message in response.text
    too_long = await raise_by_web(client, WORRY | {"text": "x" * 2001})
    assert too_long.status_code == 400
    assert "maximaal 2000 tekens" in too_long.text
    assert await stored_signals(database) == []


@pytest.mark.usefixtures("director")
async def test_after_three_a_day_the_resident_is_asked_to_wait(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    for _ in range(care_signals.DAILY_SIGNALS):
        assert (await raise_by_web(client, WORRY)).status_code == 303
    refused = await raise_by_web(client, WORRY)
    assert refused.status_code == 429
    assert "Probeer het morgen opnieuw." in refused.text
    assert len(await stored_signals(database)) == care_signals.DAILY_SIGNALS


async def test_without_a_director_there_is_no_form(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    page = (await client.get("/care/new")).text
    assert "Uw buurt heeft op dit moment geen buurtregisseur op Buurtnet." in page
    assert 'action="/care"' not in page
    refused = await post_form(client, "/settings", "/care", WORRY)
    assert refused.status_code == 400
    assert await stored_signals(database) == []


@pytest.mark.usefixtures("director")
async def test_only_residents_of_a_neighbourhood_raise_one(
    client: httpx.AsyncClient, database: Database
) -> None:
    await make_account(database, "beheer", role=Role.ADMIN)
    await log_in(client, "beheer")
    assert (await client.get("/care/new")).status_code == 403
    assert (await post_form(client, "/settings", "/care", WORRY)).status_code == 403
    await log_out(client)
    assert (await client.get("/care/new")).status_code == 303  # to the login


# ------------------------------------------------------------------ the director


@pytest.mark.usefixtures("director")
async def test_the_director_reads_follows_up_and_closes(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    await raise_by_web(client, WORRY)
    [signal] = await stored_signals(database)
    await log_out(client)
    await log_in(client, "dirk")
    assert 'href="/care"' in (await client.get("/")).text  # the menu
    listed = (await client.get("/care")).text
    assert "meneer op de hoek" in listed and f'href="/care/{signal.id}"' in listed
    assert "&lt; 10" in listed  # one signal: below the threshold
    page = f"/care/{signal.id}"
    shown = (await client.get(page)).text
    assert "De post stapelt zich op.<br>De gordijnen" in shown
    assert "@anna" in shown and "Verwaarlozing" in shown
    bad = await post_form(client, page, page + "/notes", {"outcome": "", "text": ""})
    assert bad.status_code == 400 and "Kies wat er is gedaan." in bad.text
    noted = await post_form(client, page, page + "/notes", {"outcome": "talked", "text": "Fijn."})
    assert noted.status_code == 303 and noted.headers["location"] == page
    closed = await post_form(client, page, page + "/close", {"outcome": "passed_on", "text": ""})
    assert closed.status_code == 303
    shown = (await client.get(page)).text
    assert "Gesprek gehad" in shown and "Doorgegeven aan het wijkteam" in shown
    assert "Afgesloten" in shown and "/close" not in shown
    again = await post_form(client, "/care", page + "/notes", {"outcome": "talked"})
    assert again.status_code == 400 and "Dit zorgsignaal is al afgesloten." in again.text
    [signal] = await stored_signals(database)
    assert signal.closed_at is not None


@pytest.mark.usefixtures("director")
async def test_nobody_else_opens_the_directors_pages(
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    neighbourhood: Neighbourhood,
) -> None:
    signal = await raise_one(database, resident)
    async with database.transaction() as session:
        elsewhere = await neighbourhoods.create_neighbourhood(session, "rivierenbuurt", "Rivieren")
    await make_account(database, "beheer", role=Role.ADMIN)
    await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    await make_account(database, "olga", duty=Duty.DIRECTOR, neighbourhood=elsewhere)
    page = f"/care/{signal.id}"
    for username, list_status in (("beheer", 403), ("mila", 403), ("anna", 403), ("olga", 200)):
        await log_in(client, username)
        listed = await client.get("/care")
        assert listed.status_code == list_status, username
        assert "mevrouw op nummer 12" not in listed.text
        assert (await client.get(page)).status_code == 404, username
        for action in ("notes", "close"):
            response = await post_form(
                client, "/settings", f"{page}/{action}", {"outcome": "no_action"}
            )
            assert response.status_code == 404, (username, action)
        await log_out(client)
    [unchanged] = await stored_signals(database)
    assert unchanged.closed_at is None


async def test_the_menu_link_is_for_directors_only(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await make_account(database, "beheer", role=Role.ADMIN)
    for username in ("anna", "beheer"):
        await log_in(client, username)
        assert 'href="/care"' not in (await client.get("/settings")).text
        await log_out(client)


@pytest.mark.usefixtures("director")
async def test_ids_that_are_no_ids_are_not_found(client: httpx.AsyncClient) -> None:
    await log_in(client, "dirk")
    for path in ("/care/abc", "/care/99999999999999999999999", "/care/0", "/care/12345"):
        assert (await client.get(path)).status_code == 404, path


# ------------------------------------------------------------------ the admin


@pytest.mark.usefixtures("director")
async def test_the_admin_sets_the_retention_period(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await make_account(database, "beheer", role=Role.ADMIN)
    await log_in(client, "beheer")
    assert 'href="/admin/care-retention"' in (await client.get("/admin")).text
    page = "/admin/care-retention"
    assert 'value="6"' in (await client.get(page)).text
    wrong = await post_form(client, page, page, {"months": "30"})
    assert wrong.status_code == 400 and "Kies van 1 tot en met 24 maanden." in wrong.text
    saved = await post_form(client, page, page, {"months": "3"})
    assert saved.status_code == 303
    assert 'value="3"' in (await client.get(page)).text
    async with database.reading() as session:
        logged = await session.exec(
            select(ModerationAction.reason).where(
                col(ModerationAction.kind) == ActionKind.CHANGE_SETTING
            )
        )
        assert logged.all() == ["care_signal_retention_months=3"]
    await log_out(client)
    await log_in(client, "anna")
    assert "na 3 maanden vanzelf gewist" in (await client.get("/care/new")).text
    await log_out(client)
    for username in ("anna", "dirk"):
        await log_in(client, username)
        assert (await client.get(page)).status_code == 403
        assert (await post_form(client, "/settings", page, {"months": "1"})).status_code == 403
        await log_out(client)


# ------------------------------------------------------------------ the privacy test


def get_paths(app: Starlette) -> set[str]:
    """Every GET route of the app, as its pattern."""
    found = set()
    for route in app.routes:
        if "GET" in (getattr(route, "methods", None) or {"GET"}):
            found.add(getattr(route, "path", ""))
    return found


def filled(path: str, values: dict[str, str]) -> str:
    """A route's pattern with real values: ids of the fixtures, names, or a stand-in."""
    if path == "/static":
        return "/static/buurtnet.css"
    key = values["slug"] if path.startswith("/n/") else values["username"]

    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        fallback = "1" if name.endswith("_id") else "x"
        return key if name == "key" else values.get(name, fallback)

    return re.sub(r"\{([^}]+)\}", value, path)


@pytest.mark.usefixtures("director")
async def test_no_path_outside_the_directors_pages_reads_care_signals(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    neighbourhood: Neighbourhood,
    network: FakeNetwork,
) -> None:
    signal = await raise_one(database, resident)
    post = await write_post(database, resident, "Zorg #buurt", visibility=Visibility.PUBLIC)
    await make_account(database, "beheer", role=Role.ADMIN)
    moderator = await make_account(
        database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood
    )
    values = {
        "slug": "vogelwijk",
        "username": "anna",
        "post_id": str(post.id),
        "name": "buurt",
        "version": "2.0",
        "account_id": str(moderator.id),
        "signal_id": str(signal.id),
    }
    paths = [*sorted(filled(path, values) for path in get_paths(app)), "/search?q=zorg"]
    directors_own = {"/care", f"/care/{signal.id}"}
    with counting_statements(database) as statements:
        for username in (None, "beheer", "mila", "anna", "dirk"):
            if username:
                await log_in(client, username)
            for path in paths:
                if username == "dirk" and path in directors_own:
                    continue
                response = await client.get(path)
                assert response.status_code < 500, (username, path)
            if username:
                await log_out(client)
        # The resident's export, through the page and through core.
        await log_in(client, "anna")
        download = await post_form(client, "/settings/export", "/settings/export", {})
        assert download.status_code == 200
        async with database.reading() as session:
            await export.gather_export(session, resident)
        # Federation: a follow from elsewhere, its Accept, and a post delivered to it.
        assert (await deliver(client, BOB, follow_of(BOB, f"{BASE_URL}/users/anna"))).is_success
        await run_queue(app)
        await write_post(database, resident, "Naar buiten", visibility=Visibility.PUBLIC)
        await run_queue(app)
    assert any(sent.body.get("type") == "Create" for sent in network.posted)
    assert len(statements) > 100  # the listener did listen
    touched = [statement for statement in statements if "care_signal" in statement]
    assert touched == []
    async with database.reading() as session:
        assert (await session.get(CareSignal, signal.id)) is not None
        assert (await session.get(Post, post.id)) is not None
