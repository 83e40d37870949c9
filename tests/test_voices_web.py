"""Official voices on the pages: the badges of directors and moderators by their names, and the
announcements a director pins atop the neighbourhood page and its residents' home feeds."""

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.config import Settings
from buurtnet.core import local_times, permissions
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ActionKind,
    Duty,
    ModerationAction,
    Neighbourhood,
    Post,
    Role,
    Visibility,
    utcnow,
)
from tests.conftest import browser_for, counting_statements, log_in, make_account, write_post
from tests.moderation_kit import second_neighbourhood
from tests.test_pins import director, pinned_until, removed_by_a_moderator

DIRECTOR_BADGE = '<span class="duty-badge duty-director">Buurtregisseur</span>'
MODERATOR_BADGE = '<span class="duty-badge duty-moderator">Moderator</span>'
PINNED_SECTION = re.compile(r'<section class="pinned".*?</section>', re.DOTALL)
ARTICLE = re.compile(r'<article[^>]* id="post-(\d+)".*?</article>', re.DOTALL)


def articles(html: str) -> dict[int, str]:
    return {int(found.group(1)): found.group(0) for found in ARTICLE.finditer(html)}


def badges(html: str, post: Post) -> list[str]:
    """The badges by the author's name on one post of a page."""
    assert post.id is not None
    article = articles(html)[post.id]
    return re.findall(r'class="duty-badge duty-(\w+)"', article)


def pinned_on(html: str) -> list[int]:
    """The posts in the page's section of announcements, in order."""
    section = PINNED_SECTION.search(html)
    return [] if section is None else list(articles(section.group(0)))


def today_here(settings: Settings) -> date:
    return local_times.local_day(utcnow(), ZoneInfo(settings.time_zone))


async def pin_form(client: httpx.AsyncClient, post: Post, day: str) -> httpx.Response:
    page = await client.get(f"/posts/{post.id}/pin")
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    data = {"csrf_token": token.group(1), "pinned_until": day}
    return await client.post(f"/posts/{post.id}/pin", data=data)


# ------------------------------------------------------------------ badges


async def test_badges_show_the_duty_held_where_the_post_was_written(
    database: Database, client: httpx.AsyncClient, neighbourhood: Neighbourhood, resident: Account
) -> None:
    there = await second_neighbourhood(database)
    dirk = await director(database, neighbourhood)
    mees = await make_account(database, "mees", neighbourhood=neighbourhood, duty=Duty.MODERATOR)
    both = await director(database, neighbourhood, "bea")
    assert both.id is not None and neighbourhood.id is not None
    async with database.transaction() as session:
        await permissions.grant(session, both.id, neighbourhood.id, Duty.MODERATOR)
    # A moderator of another neighbourhood who lives here writes here as a neighbour, and an
    # admin (a role of the server, not of a neighbourhood) as a resident.
    teun = await make_account(database, "teun", neighbourhood=neighbourhood)
    assert teun.id is not None and there.id is not None
    async with database.transaction() as session:
        await permissions.grant(session, teun.id, there.id, Duty.MODERATOR)
    admin = await make_account(database, "beheer", neighbourhood=neighbourhood, role=Role.ADMIN)
    written = {
        name: await write_post(database, person, f"Hallo van {name}")
        for name, person in (
            ("dirk", dirk),
            ("mees", mees),
            ("bea", both),
            ("teun", teun),
            ("beheer", admin),
            ("anna", resident),
        )
    }
    reply = await write_post(database, mees, "Ik kijk ernaar", in_reply_to_id=written["anna"].id)
    wanted = {"dirk": ["director"], "mees": ["moderator"], "bea": ["director", "moderator"]}
    await log_in(client, "anna")
    for path in ("/", "/n/vogelwijk"):
        html = (await client.get(path)).text
        for name, post in written.items():
            assert badges(html, post) == wanted.get(name, []), (path, name)
    thread = (await client.get(f"/posts/{written['anna'].id}")).text
    assert badges(thread, reply) == ["moderator"]
    assert badges(thread, written["anna"]) == []
    assert DIRECTOR_BADGE in (await client.get("/@dirk")).text
    assert MODERATOR_BADGE in (await client.get(f"/posts/{written['mees'].id}")).text


async def test_a_profile_says_where_its_person_holds_a_duty(
    database: Database, client: httpx.AsyncClient, neighbourhood: Neighbourhood, resident: Account
) -> None:
    there = await second_neighbourhood(database)
    dirk = await director(database, neighbourhood)
    assert dirk.id is not None and there.id is not None
    async with database.transaction() as session:
        await permissions.grant(session, dirk.id, there.id, Duty.MODERATOR)
    html = (await client.get("/@dirk")).text
    facts = html[html.index('<ul class="profile-facts">') :]
    director_line = f'{DIRECTOR_BADGE} van <a href="/n/vogelwijk">Vogelwijk</a>'
    moderator_line = f'{MODERATOR_BADGE} van <a href="/n/rivierenbuurt">Rivierenbuurt</a>'
    assert director_line in facts and moderator_line in facts
    assert facts.index(director_line) < facts.index(moderator_line)
    assert "duty-badge" not in (await client.get("/@anna")).text


async def test_the_badges_of_a_whole_page_cost_one_statement(
    database: Database, client: httpx.AsyncClient, neighbourhood: Neighbourhood, resident: Account
) -> None:
    dirk = await director(database, neighbourhood)
    await write_post(database, dirk, "De eerste")
    await log_in(client, "anna")
    with counting_statements(database) as few:
        assert (await client.get("/n/vogelwijk")).status_code == 200
    for n in range(12):
        holder = await make_account(
            database,
            f"plicht{n}",
            neighbourhood=neighbourhood,
            duty=Duty.MODERATOR if n % 2 else Duty.DIRECTOR,
        )
        await write_post(database, holder, f"Bericht {n}")
        await write_post(database, resident, f"Antwoord {n}")
    with counting_statements(database) as many:
        html = (await client.get("/n/vogelwijk")).text
    assert html.count("duty-badge duty-") == 10  # a page of 20: ten of theirs, ten answers
    assert len(many) == len(few), many
    assert sum("FROM role_grant" in statement for statement in many) == sum(
        "FROM role_grant" in statement for statement in few
    )


# ------------------------------------------------------------------ pinning


async def test_a_director_pins_an_announcement_that_the_neighbourhood_sees_first(
    database: Database,
    client: httpx.AsyncClient,
    app: Starlette,
    neighbourhood: Neighbourhood,
    resident: Account,
    settings: Settings,
) -> None:
    there = await second_neighbourhood(database)
    await make_account(database, "olga", neighbourhood=there)
    dirk = await director(database, neighbourhood)
    announcement = await write_post(database, dirk, "Zaterdag buurtschoonmaak!")
    for n in range(3):
        await write_post(database, resident, f"Gewoon bericht {n}")
    await log_in(client, "dirk")
    feed = (await client.get("/")).text
    assert f'href="/posts/{announcement.id}/pin">Bovenaan zetten</a>' in feed
    until = today_here(settings) + timedelta(days=14)
    saved = await pin_form(client, announcement, until.strftime("%d-%m-%Y"))  # typed as people do
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/posts/{announcement.id}/pin?saved=1"
    confirmation = (await client.get(saved.headers["location"])).text
    assert "Gelukt: dit bericht staat bovenaan tot en met" in confirmation
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        for path in ("/", "/n/vogelwijk"):
            html = (await anna.get(path)).text
            assert "Mededeling van de buurt" in html
            assert pinned_on(html) == [announcement.id]
            assert html.count(f'id="post-{announcement.id}"') == 1, "not in the feed a second time"
            assert len(articles(html)) == 4
        later = (await anna.get(f"/?before={(announcement.id or 0) + 1000}")).text
        assert pinned_on(later) == [] and f'id="post-{announcement.id}"' in later
    async with browser_for(app) as olga:
        await log_in(olga, "olga")
        for path in ("/", "/n/vogelwijk"):
            html = (await olga.get(path)).text
            assert pinned_on(html) == [] and "Mededeling van de buurt" not in html
    async with database.reading() as session:
        logged = await session.exec(
            select(ModerationAction.kind, ModerationAction.moderator_name).where(
                col(ModerationAction.target_post_id) == announcement.id
            )
        )
        assert logged.all() == [(ActionKind.PIN_POST, "dirk")]


async def test_nobody_but_a_director_there_may_pin(
    database: Database, app: Starlette, neighbourhood: Neighbourhood, resident: Account
) -> None:
    await make_account(database, "mees", neighbourhood=neighbourhood, duty=Duty.MODERATOR)
    dirk = await director(database, neighbourhood)
    dirks = await write_post(database, dirk, "Van de buurtregisseur")
    for name in ("anna", "mees"):
        async with browser_for(app) as browser:
            await log_in(browser, name)
            account = await make_post_of(database, name)
            html = (await browser.get("/")).text
            assert "Bovenaan zetten" not in html
            for post in (account, dirks):
                assert (await browser.get(f"/posts/{post.id}/pin")).status_code == 403
                token = re.search(r'name="csrf_token" value="([^"]+)"', html)
                assert token is not None
                data = {"csrf_token": token.group(1), "pinned_until": "2099-01-01"}
                refused = await browser.post(f"/posts/{post.id}/pin", data=data)
                assert refused.status_code == 403, name
    async with database.reading() as session:
        assert (
            await session.exec(select(Post).where(col(Post.pinned_until).is_not(None)))
        ).all() == []


async def make_post_of(database: Database, name: str) -> Post:
    async with database.reading() as session:
        person = (await session.exec(select(Account).where(Account.username == name))).one()
    return await write_post(database, person, f"Mag dit bovenaan, zegt {name}?")


async def test_a_wrong_date_is_explained_and_kept_in_the_field(
    database: Database, client: httpx.AsyncClient, neighbourhood: Neighbourhood, settings: Settings
) -> None:
    dirk = await director(database, neighbourhood)
    post = await write_post(database, dirk, "Mededeling")
    await log_in(client, "dirk")
    today = today_here(settings)
    for typed, message in (
        ("", "Vul een datum in, bijvoorbeeld 31-12-2026."),
        ("31-02-2027", "Vul een datum in, bijvoorbeeld 31-12-2026."),
        ((today - timedelta(days=1)).isoformat(), "Deze dag is al voorbij."),
        ((today + timedelta(days=91)).isoformat(), "maximaal 90 dagen na vandaag"),
    ):
        refused = await pin_form(client, post, typed)
        assert refused.status_code == 400
        assert message in refused.text
        assert f'value="{typed}"' in refused.text and 'aria-invalid="true"' in refused.text


async def test_a_pin_ends_after_its_day_and_a_removed_post_leaves_the_top(
    database: Database,
    app: Starlette,
    client: httpx.AsyncClient,
    neighbourhood: Neighbourhood,
    resident: Account,
    settings: Settings,
) -> None:
    dirk = await director(database, neighbourhood)
    ends_today = await write_post(database, dirk, "Vandaag nog", visibility=Visibility.PUBLIC)
    ended = await write_post(database, dirk, "Gisteren")
    to_remove = await write_post(database, dirk, "Straks weg")
    today = today_here(settings)
    await pinned_until(database, ends_today, today)
    await pinned_until(database, ended, today - timedelta(days=1))
    await pinned_until(database, to_remove, today + timedelta(days=3))
    await log_in(client, "anna")
    assert pinned_on((await client.get("/")).text) == [to_remove.id, ends_today.id]
    await removed_by_a_moderator(database, neighbourhood, to_remove)
    for path in ("/", "/n/vogelwijk"):
        assert pinned_on((await client.get(path)).text) == [ends_today.id]
    async with browser_for(app) as visitor:
        assert pinned_on((await visitor.get("/n/vogelwijk")).text) == [ends_today.id]


async def test_another_director_takes_a_pin_down_from_the_neighbourhood_page(
    database: Database,
    app: Starlette,
    client: httpx.AsyncClient,
    neighbourhood: Neighbourhood,
    resident: Account,
    settings: Settings,
) -> None:
    dirk = await director(database, neighbourhood)
    await director(database, neighbourhood, "dana")
    post = await write_post(database, dirk, "Mededeling")
    await pinned_until(database, post, today_here(settings) + timedelta(days=3))
    await log_in(client, "anna")
    assert "Niet meer bovenaan zetten" not in (await client.get("/n/vogelwijk")).text
    async with browser_for(app) as dana:
        await log_in(dana, "dana")
        page = (await dana.get("/n/vogelwijk")).text
        assert pinned_on(page) == [post.id] and "Niet meer bovenaan zetten" in page
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        data = {"csrf_token": token.group(1), "next": "/n/vogelwijk"}
        taken_down = await dana.post(f"/posts/{post.id}/unpin", data=data)
        assert taken_down.status_code == 303 and taken_down.headers["location"] == "/n/vogelwijk"
        assert pinned_on((await dana.get("/n/vogelwijk")).text) == []
        no_token = await dana.post(f"/posts/{post.id}/unpin", data={"next": "/"})
        assert no_token.status_code == 403
    async with database.reading() as session:
        logged = await session.exec(
            select(ModerationAction.kind, ModerationAction.moderator_name).where(
                col(ModerationAction.target_post_id) == post.id
            )
        )
        assert logged.all() == [(ActionKind.UNPIN_POST, "dana")]
