"""One visibility policy, and every endpoint that shows posts agreeing with it.

`ACCESS` below is the rule as people would state it, for every kind of viewer and every state of
a post and its author. The first test holds the policy's SQL (`core.visibility`) to that table;
the others read every page, feed, thread, notification, search, export and ActivityPub document
that shows posts, as each viewer, and check that each shows exactly what the table allows, among
what it lists (`placement`). Every GET route of the app is either in `ENDPOINTS` or named in
`SHOWS_NO_POSTS`: a new route that reads posts fails `test_every_route_is_classified` until it
is added here, and then it is held to the same table.
"""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar
from sqlmodel import select
from starlette.applications import Starlette
from starlette.routing import Route

from buurtnet.core import calendars, digests, feeds, login_sessions, posts, relations, visibility
from buurtnet.core.errors import NotFound
from buurtnet.core.export import gather_export
from buurtnet.core.remote_posts import IncomingPost, store_remote_post
from buurtnet.db import Database
from buurtnet.federation.remote_actors import actor_by_uri
from buurtnet.mail import digest_mail
from buurtnet.models import (
    Account,
    AccountStatus,
    Event,
    Follow,
    ModerationState,
    Neighbourhood,
    Notification,
    Participation,
    ParticipationStatus,
    Post,
    PostKind,
    Visibility,
    utcnow,
)
from buurtnet.web.auth import SESSION_COOKIE
from tests.conftest import browser_for, make_account
from tests.kit.federation import fetch_as, use_network
from tests.kit.network import FakeNetwork
from tests.kit.remote import RemoteActor

HERE, THERE = "vogelwijk", "bomenbuurt"
ELSEWHERE = "ver.example"
LOCAL_VIEWERS = ["visitor", "auteur", "buur", "ander", "volger", "genoemd", "geblokt", "dempt"]
REMOTE_VIEWERS = ["ver_volger", "vreemd", "ver_genoemd"]
VIEWERS = LOCAL_VIEWERS + REMOTE_VIEWERS

# Who may see what. A post of `auteur` names `genoemd` here and `genoemd@ver.example`; `volger`
# and `ver_volger` follow `auteur`, who blocks `geblokt`; `dempt` mutes `auteur`; `buur`
# follows `ver_auteur`; the author of `geschorst` is suspended. `verwijderd` is a public post of
# `auteur` that a moderator removed, `wacht` one that a word filter holds for a moderator.
ACCESS_TABLE = """
              visitor auteur buur ander volger genoemd geblokt dempt ver_volger vreemd ver_genoemd
public           x      x     x     x     x       x       .      x       x        x         x
neighbourhood    .      x     x     .     .       x       .      x       .        .         .
followers        .      x     .     .     x       x       .      .       x        .         x
direct           .      x     .     .     .       x       .      .       .        .         x
reply            x      x     x     x     x       x       x      x       x        x         x
geschorst        .      .     .     .     .       .       .      .       .        .         .
verwijderd       .      .     .     .     .       .       .      .       .        .         .
wacht            .      x     .     .     .       .       .      .       .        .         .
ver_public       x      x     x     x     x       x       x      x       x        x         x
ver_unlisted     x      x     x     x     x       x       x      x       x        x         x
ver_followers    .      .     x     .     .       .       .      .       .        .         .
ver_direct       .      .     .     .     .       x       .      .       .        .         .
"""


def read_table(table: str) -> dict[tuple[str, str], bool]:
    header, *rows = (line.split() for line in table.strip().splitlines())
    return {
        (row[0], viewer): mark == "x"
        for row in rows
        for viewer, mark in zip(header, row[1:], strict=True)
    }


ACCESS = read_table(ACCESS_TABLE)
POSTS = sorted({post for post, _viewer in ACCESS})


@dataclass
class World:
    app: Starlette
    database: Database
    accounts: dict[str, Account]
    posts: dict[str, Post]  # by label
    remote_actors: dict[str, RemoteActor]
    neighbourhoods: dict[str, Neighbourhood]

    def label_of(self, post_id: int) -> str:
        return next(label for label, post in self.posts.items() if post.id == post_id)

    def allowed(
        self, viewer: str, *, where: Callable[[str], bool] = lambda _label: True
    ) -> set[str]:
        return {label for label in POSTS if ACCESS[label, viewer] and where(label)}

    async def browser(self, viewer: str) -> httpx.AsyncClient:
        if viewer == "visitor":
            return browser_for(self.app)
        async with self.database.transaction() as session:
            token = await login_sessions.start_session(session, self.accounts[viewer])
        return browser_for(self.app, cookies={SESSION_COOKIE: token})

    async def page_posts(self, viewer: str, path: str) -> set[str] | None:
        """The posts a page shows as articles, or None when it is not there for the viewer."""
        async with await self.browser(viewer) as browser:
            response = await browser.get(path)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, (viewer, path, response.status_code)
        return {
            self.label_of(int(found))
            for found in re.findall(r'<article[^>]* id="post-(\d+)"', response.text)
        }

    async def fetch(self, viewer: str, path: str) -> httpx.Response:
        """An ActivityPub GET, signed as the remote viewer does it (the visitor: unsigned)."""
        actor = None if viewer == "visitor" else self.remote_actors[viewer]
        async with browser_for(self.app) as server:
            return await fetch_as(server, actor, path)


async def local(database: Database, name: str, place: Neighbourhood) -> Account:
    return await make_account(database, name, neighbourhood=place)


async def write(
    database: Database, author: Account, text: str, visibility: Visibility, **more: int
) -> Post:
    async with database.transaction() as session:
        draft = posts.Draft(source=text, visibility=visibility, **more)  # type: ignore[arg-type]
        return await posts.create_post(session, author, draft)


@pytest.fixture
async def world(app: Starlette, database: Database) -> World:
    async with database.transaction() as session:
        here = Neighbourhood(slug=HERE, name="Vogelwijk")
        there = Neighbourhood(slug=THERE, name="Bomenbuurt")
        session.add_all([here, there])
    places = {HERE: here, THERE: there}
    homes = {"auteur": here, "buur": here, "ander": there, "volger": there, "genoemd": there}
    homes |= {"geblokt": here, "dempt": here, "geschorst": here}
    accounts = {name: await local(database, name, place) for name, place in homes.items()}
    network = FakeNetwork()
    federation = use_network(app, network)
    remote_actors = {
        "ver_volger": RemoteActor("volger", domain=ELSEWHERE, key_number=1),
        "vreemd": RemoteActor("vreemd", domain=ELSEWHERE, key_number=2),
        "ver_genoemd": RemoteActor("genoemd", domain=ELSEWHERE, key_number=4),
        "ver_auteur": RemoteActor("auteur", domain=ELSEWHERE, key_number=5),
    }
    for label, actor in remote_actors.items():
        network.add(actor)
        accounts[label] = await actor_by_uri(federation, actor.id)
    a = accounts
    async with database.transaction() as session:
        await relations.follow(session, a["volger"], a["auteur"].id or 0)
        session.add(Follow(follower_id=a["ver_volger"].id or 0, followed_id=a["auteur"].id or 0))
        session.add(Follow(follower_id=a["buur"].id or 0, followed_id=a["ver_auteur"].id or 0))
        await relations.block(session, a["auteur"], a["geblokt"].id or 0)
        await relations.mute(session, a["dempt"], a["auteur"].id or 0)
    named = f"@genoemd @genoemd@{ELSEWHERE} #proef"
    found = {
        label: await write(database, a["auteur"], f"{label} {named} #p_{label}", Visibility(kind))
        for label, kind in (
            ("public", "public"),
            ("neighbourhood", "neighbourhood"),
            ("followers", "followers"),
            ("direct", "direct"),
        )
    }
    found["reply"] = await write(
        database,
        a["buur"],
        "Mooi! #proef #p_reply",
        Visibility.PUBLIC,
        in_reply_to_id=found["public"].id or 0,
    )
    found["geschorst"] = await write(
        database, a["geschorst"], f"Weg {named} #p_geschorst", Visibility.PUBLIC
    )
    async with database.transaction() as session:
        gone = await session.get(Account, a["geschorst"].id)
        assert gone is not None
        gone.status = AccountStatus.SUSPENDED
    for label, state in (("verwijderd", ModerationState.REMOVED), ("wacht", ModerationState.HELD)):
        found[label] = await write(
            database, a["auteur"], f"{label} {named} #p_{label}", Visibility.PUBLIC
        )
        async with database.transaction() as session:
            taken = await session.get(Post, found[label].id)
            assert taken is not None
            taken.moderation = state
            found[label] = taken
    for label, kind in (
        ("ver_public", Visibility.PUBLIC),
        ("ver_unlisted", Visibility.UNLISTED),
        ("ver_followers", Visibility.FOLLOWERS),
        ("ver_direct", Visibility.DIRECT),
    ):
        incoming = IncomingPost(
            uri=f"https://{ELSEWHERE}/users/auteur/statuses/{label}",
            url=None,
            content_html=f"<p>{label} #proef</p>",
            text=f"{label} #proef",
            summary="",
            visibility=kind,
            language=None,
            published=None,
            parent_id=None,
            mentioned_ids=[a["genoemd"].id or 0] if kind == Visibility.DIRECT else [],
            hashtags=["proef", f"p_{label}"],
        )
        async with database.transaction() as session:
            stored = await store_remote_post(session, a["ver_auteur"], incoming)
            post = await session.get(Post, stored.post_id)
            assert post is not None
            found[label] = post
    assert sorted(found) == POSTS
    return World(app, database, accounts, found, remote_actors, places)


def viewer_account(world: World, viewer: str) -> Account | None:
    return None if viewer == "visitor" else world.accounts[viewer]


# ------------------------------------------------------------------ the policy against the table


async def test_the_policy_is_the_table(world: World) -> None:
    for viewer in VIEWERS:
        async with world.database.reading() as session:
            query = select(Post.id).where(visibility.visible_to(viewer_account(world, viewer)))
            seen = {
                world.label_of(post_id) for post_id in (await session.exec(query)).all() if post_id
            }
        assert seen == world.allowed(viewer), viewer


async def test_a_single_post_is_checked_by_the_same_policy(world: World) -> None:
    for viewer in VIEWERS:
        found = set()
        for label, post in world.posts.items():
            async with world.database.reading() as session:
                try:
                    await posts.get_visible(session, viewer_account(world, viewer), post.id or 0)
                except NotFound:
                    continue
            found.add(label)
        assert found == world.allowed(viewer), viewer


# ------------------------------------------------------------------ where posts are listed


def facts(world: World, label: str) -> Post:
    return world.posts[label]


def by(world: World, label: str, name: str) -> bool:
    return facts(world, label).author_id == world.accounts[name].id


def top_level(world: World, label: str) -> bool:
    return facts(world, label).in_reply_to_id is None


def tagged(world: World, label: str) -> bool:
    return True  # every post has #proef


def muted_by(world: World, viewer: str, label: str) -> bool:
    return viewer == "dempt" and by(world, label, "auteur")


def home_placement(world: World, viewer: str, label: str) -> bool:
    post, me = facts(world, label), world.accounts[viewer]
    follows = {"volger": ["auteur"], "buur": ["ver_auteur"]}.get(viewer, [])
    in_my_place = post.neighbourhood_id == me.neighbourhood_id and post.visibility in (
        Visibility.PUBLIC,
        Visibility.NEIGHBOURHOOD,
    )
    named = viewer == "genoemd" and label in (
        "public",
        "neighbourhood",
        "followers",
        "direct",
        "ver_direct",
        "geschorst",
    )
    mine = post.author_id == me.id
    wanted = mine or named or in_my_place or any(by(world, label, name) for name in follows)
    return top_level(world, label) and wanted and (mine or not muted_by(world, viewer, label))


async def test_the_home_feed(world: World) -> None:
    for viewer in LOCAL_VIEWERS[1:]:
        shown = await world.page_posts(viewer, "/")
        expected = world.allowed(viewer, where=partial(home_placement, world, viewer))
        assert shown == expected, viewer


async def test_the_neighbourhood_pages(world: World) -> None:
    for slug, place in world.neighbourhoods.items():
        for viewer in LOCAL_VIEWERS:
            shown = await world.page_posts(viewer, f"/n/{slug}")

            def listed(label: str, viewer: str = viewer, place: Neighbourhood = place) -> bool:
                post = facts(world, label)
                return (
                    top_level(world, label)
                    and post.neighbourhood_id == place.id
                    and post.visibility in (Visibility.PUBLIC, Visibility.NEIGHBOURHOOD)
                    and not muted_by(world, viewer, label)
                )

            assert shown == world.allowed(viewer, where=listed), (slug, viewer)


async def test_the_profiles(world: World) -> None:
    for name in ("auteur", "buur", "ver_auteur"):
        handle = world.accounts[name].handle
        for viewer in LOCAL_VIEWERS:
            shown = await world.page_posts(viewer, f"/@{handle}")
            if shown is None:  # the author blocks the viewer: as if not there
                assert (name, viewer) == ("auteur", "geblokt")
                continue

            def listed(label: str, name: str = name) -> bool:
                return top_level(world, label) and by(world, label, name)

            assert shown == world.allowed(viewer, where=listed), (name, viewer)
    assert await world.page_posts("auteur", "/@geschorst") is None


async def test_the_hashtag_page(world: World) -> None:
    for viewer in LOCAL_VIEWERS:
        shown = await world.page_posts(viewer, "/tags/proef")

        def listed(label: str, viewer: str = viewer) -> bool:
            unlisted = facts(world, label).visibility == Visibility.UNLISTED
            return not unlisted and not muted_by(world, viewer, label)

        assert shown == world.allowed(viewer, where=listed), viewer


async def test_post_pages_and_threads(world: World) -> None:
    for viewer in LOCAL_VIEWERS:
        opened = set()
        for label, post in world.posts.items():
            shown = await world.page_posts(viewer, f"/posts/{post.id}")
            if shown is not None:
                opened.add(label)
                assert label in shown
                assert shown <= world.allowed(viewer), (viewer, label)
        assert opened == world.allowed(viewer), viewer
        thread = await world.page_posts(viewer, f"/posts/{world.posts['public'].id}")
        if thread is not None:
            assert thread == world.allowed(viewer, where=lambda label: label in ("public", "reply"))


async def test_notifications(world: World) -> None:
    for viewer in LOCAL_VIEWERS[1:]:
        async with world.database.reading() as session:
            told = await session.exec(
                select(Notification.post_id).where(
                    Notification.recipient_id == world.accounts[viewer].id
                )
            )
            about = {world.label_of(post_id) for post_id in told.all() if post_id is not None}
        async with await world.browser(viewer) as browser:
            page = await browser.get("/notifications")
        shown = {
            world.label_of(int(found)) for found in re.findall(r'href="/posts/(\d+)"', page.text)
        }
        assert shown == world.allowed(viewer, where=about.__contains__), viewer
    assert "geschorst" not in await notified(world, "genoemd")


async def notified(world: World, viewer: str) -> set[str]:
    async with await world.browser(viewer) as browser:
        page = await browser.get("/notifications")
    return {world.label_of(int(found)) for found in re.findall(r'href="/posts/(\d+)"', page.text)}


async def test_hashtag_search(world: World) -> None:
    for viewer in LOCAL_VIEWERS[1:]:
        async with await world.browser(viewer) as browser:
            page = await browser.get("/search", params={"q": "#p_"})
        shown = set(re.findall(r'href="/tags/p_(\w+)"', page.text))
        assert shown == world.allowed(viewer), viewer


async def test_post_search(world: World) -> None:
    """Every post holds the word "proef": a search lists what a hashtag's page would."""
    for viewer in LOCAL_VIEWERS[1:]:
        shown = await world.page_posts(viewer, "/search?q=proef")

        def listed(label: str, viewer: str = viewer) -> bool:
            unlisted = facts(world, label).visibility == Visibility.UNLISTED
            return not unlisted and not muted_by(world, viewer, label)

        assert shown == world.allowed(viewer, where=listed), viewer


async def test_the_export(world: World) -> None:
    for name in ("auteur", "buur"):
        async with world.database.reading() as session:
            export = await gather_export(session, world.accounts[name])
        shown = {world.label_of(details.post.id or 0) for details in export.posts}
        assert shown == world.allowed(name, where=partial(by, world, name=name))


# ------------------------------------------------------------------ what other servers may fetch


def ours(world: World, label: str) -> bool:
    return facts(world, label).uri is None


async def test_served_notes(world: World) -> None:
    for viewer in ["visitor", *REMOTE_VIEWERS]:
        served = set()
        for label, post in world.posts.items():
            author = await author_of(world, post)
            response = await world.fetch(viewer, f"/users/{author.username}/statuses/{post.id}")
            assert response.status_code in (200, 404), (viewer, label, response.text)
            if response.status_code == 200:
                served.add(label)
                assert response.json()["id"].endswith(f"/statuses/{post.id}")
        assert served == world.allowed(viewer, where=lambda label: ours(world, label)), viewer


async def author_of(world: World, post: Post) -> Account:
    return next(account for account in world.accounts.values() if account.id == post.author_id)


async def collection_posts(world: World, viewer: str, path: str) -> set[str]:
    page = (await world.fetch(viewer, f"{path}?page=1")).json()
    found = set()
    for item in page["orderedItems"]:
        while isinstance(item, dict) and item.get("type") in ("Announce", "Create"):
            item = item["object"]
        found.add(world.label_of(int(item["id"].rsplit("/", 1)[1])))
    return found


async def test_outboxes(world: World) -> None:
    for viewer in ["visitor", *REMOTE_VIEWERS]:
        outbox = await collection_posts(world, viewer, "/users/auteur/outbox")
        assert outbox == world.allowed(viewer, where=lambda label: by(world, label, "auteur")), (
            viewer
        )
        group = await collection_posts(world, viewer, f"/n/{HERE}/outbox")

        def passed_on(label: str) -> bool:
            post = facts(world, label)
            return (
                ours(world, label)
                and post.visibility == Visibility.PUBLIC
                and (post.neighbourhood_id == world.neighbourhoods[HERE].id)
            )

        assert group == world.allowed(viewer, where=passed_on), viewer


# ------------------------------------------------------------------ calendars


async def as_activities(world: World) -> None:
    """Every post of the world made an activity (for this test only), with everyone taking part."""
    starts_at = utcnow() + timedelta(days=1)
    async with world.database.transaction() as session:
        for label, post in world.posts.items():
            stored = await session.get(Post, post.id)
            assert stored is not None and stored.id is not None
            stored.kind = PostKind.EVENT
            ends_at = starts_at + timedelta(hours=2)
            session.add(Event(post_id=stored.id, title=label, starts_at=starts_at, ends_at=ends_at))
            for viewer in LOCAL_VIEWERS[1:]:
                account_id = world.accounts[viewer].id or 0
                status = ParticipationStatus.GOING
                session.add(Participation(post_id=stored.id, account_id=account_id, status=status))


def calendar_posts(world: World, response: httpx.Response) -> set[str]:
    """The posts of the activities in a calendar file, by the link to each one's page."""
    assert response.status_code == 200, response.status_code
    events = Calendar.from_ical(response.content).events
    return {world.label_of(int(str(event["URL"]).rsplit("/", 1)[1])) for event in events}


async def test_the_calendar_file_of_an_activity(world: World) -> None:
    await as_activities(world)
    for viewer in LOCAL_VIEWERS:
        opened = set()
        async with await world.browser(viewer) as browser:
            for label, post in world.posts.items():
                response = await browser.get(f"/events/{post.id}.ics")
                assert response.status_code in (200, 404), (viewer, label)
                if response.status_code == 200:
                    assert calendar_posts(world, response) == {label}
                    opened.add(label)
        assert opened == world.allowed(viewer), viewer


async def test_the_neighbourhood_calendars(world: World) -> None:
    """What a visitor sees on the neighbourhood's page, whoever fetches it."""
    await as_activities(world)
    for slug, place in world.neighbourhoods.items():

        def listed(label: str, place: Neighbourhood = place) -> bool:
            post = facts(world, label)
            here = post.neighbourhood_id == place.id
            return top_level(world, label) and here and post.visibility != Visibility.UNLISTED

        expected = world.allowed("visitor", where=listed)
        assert slug == THERE or expected, "something to see"
        for viewer in LOCAL_VIEWERS:
            async with await world.browser(viewer) as browser:
                response = await browser.get(f"/n/{slug}/calendar.ics")
            assert calendar_posts(world, response) == expected, (slug, viewer)


async def test_the_personal_calendars(world: World) -> None:
    """Everyone takes part in every activity: each sees in their feed what they may see."""
    await as_activities(world)
    for viewer in LOCAL_VIEWERS[1:]:
        async with world.database.transaction() as session:
            token = await calendars.start_feed(session, world.accounts[viewer])
        async with browser_for(world.app) as calendar_app:
            response = await calendar_app.get(f"/calendar/{token}.ics")
        assert calendar_posts(world, response) == world.allowed(viewer), viewer


# ------------------------------------------------------------------ lists of activities

ACTIVITY_ITEM = re.compile(r'<li[^>]* id="event-(\d+)')


async def listed_activities(world: World, viewer: str, path: str) -> set[str]:
    """The activities a page lists (by their items, not the post cards of a feed)."""
    async with await world.browser(viewer) as browser:
        response = await browser.get(path)
    assert response.status_code == 200, (viewer, path, response.status_code)
    return {world.label_of(int(found)) for found in ACTIVITY_ITEM.findall(response.text)}


def listed_in(world: World, place: Neighbourhood, viewer: str) -> Callable[[str], bool]:
    """Where an activity is listed: its neighbourhood's lists, as on the neighbourhood page."""

    def listed(label: str) -> bool:
        post = facts(world, label)
        return (
            top_level(world, label)
            and post.neighbourhood_id == place.id
            and post.visibility in (Visibility.PUBLIC, Visibility.NEIGHBOURHOOD)
            and not muted_by(world, viewer, label)
        )

    return listed


async def test_the_activity_lists(world: World) -> None:
    """`/events` for every neighbourhood, coming up and by month, then (all over) the past."""
    await as_activities(world)
    month = (utcnow() + timedelta(days=1)).astimezone(ZoneInfo("Europe/Amsterdam"))
    for when in ("", f"&month={month:%Y-%m}", "&when=past"):
        if when == "&when=past":
            async with world.database.transaction() as session:
                for event in (await session.exec(select(Event))).all():
                    event.starts_at -= timedelta(days=3)
                    event.ends_at -= timedelta(days=3)
                    session.add(event)
        for slug, place in world.neighbourhoods.items():
            for viewer in LOCAL_VIEWERS:
                shown = await listed_activities(
                    world, viewer, f"/events?neighbourhood={slug}{when}"
                )
                expected = world.allowed(viewer, where=listed_in(world, place, viewer))
                assert shown == expected, (slug, viewer, when)


async def test_the_activities_coming_up_on_the_home_and_neighbourhood_pages(world: World) -> None:
    await as_activities(world)
    await listed_as_on_the_neighbourhood_page(world, listed_activities)


async def listed_as_on_the_neighbourhood_page(
    world: World, read: Callable[[World, str, str], Awaitable[set[str]]]
) -> None:
    """What `read` finds on each neighbourhood's page, and on each resident's home page for
    their own neighbourhood, is what that page lists (`listed_in`) of what the viewer may see."""
    for viewer in LOCAL_VIEWERS:
        for slug, place in world.neighbourhoods.items():
            shown = await read(world, viewer, f"/n/{slug}")
            assert shown == world.allowed(viewer, where=listed_in(world, place, viewer)), viewer
        if viewer != "visitor":
            home = next(
                place
                for place in world.neighbourhoods.values()
                if place.id == world.accounts[viewer].neighbourhood_id
            )
            shown = await read(world, viewer, "/")
            assert shown == world.allowed(viewer, where=listed_in(world, home, viewer)), viewer


async def pinned_section(world: World, viewer: str, path: str) -> set[str]:
    """The posts in a page's announcements (`_pinned.html`)."""
    async with await world.browser(viewer) as browser:
        html = (await browser.get(path)).text
    found = re.search(r'<section class="pinned".*?</section>', html, re.DOTALL)
    section = found.group(0) if found else ""
    ids = re.findall(r'<article[^>]* id="post-(\d+)"', section)
    return {world.label_of(int(post_id)) for post_id in ids}


async def test_the_announcements_pinned_atop_the_home_and_neighbourhood_pages(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every post pinned, and room for all: each page's announcements are what it lists."""
    monkeypatch.setattr(feeds, "PINNED_AT_MOST", len(POSTS))
    async with world.database.transaction() as session:
        for post in (await session.exec(select(Post))).all():
            post.pinned_until = date(2099, 12, 31)
    await listed_as_on_the_neighbourhood_page(world, pinned_section)


# ------------------------------------------------------------------ the weekly digest (a mail)

POST_LINK = re.compile(r"/posts/(\d+)")


async def as_digest_part(world: World, part: str, later: datetime) -> None:
    """Every post of the world made what one part of the digest lists, and every resident's
    digest due again at `later`."""
    if part == "activity":
        await as_activities(world)
    async with world.database.transaction() as session:
        for post in (await session.exec(select(Post))).all():
            if part in (PostKind.HELP_REQUEST, PostKind.OFFER):
                post.kind = part
            post.reply_count = 1  # for "talked about most"
            session.add(post)
        for event in (await session.exec(select(Event))).all():
            event.starts_at, event.ends_at = later + timedelta(days=1), later + timedelta(days=2)
            session.add(event)
        for account in (await session.exec(select(Account))).all():
            account.email_confirmed_at, account.digest_sent_at = utcnow(), None
            session.add(account)


async def digest_posts(world: World, later: datetime) -> dict[str, set[str]]:
    """The posts that each resident's digest links to, as the worker writes them at `later`."""
    letters = world.app.state.services.letters
    async with world.database.transaction() as session:
        taken = await digests.take_due(session, ZoneInfo("Europe/Amsterdam"), later)
    names = {account.id: name for name, account in world.accounts.items()}
    return {
        names[digest.recipient.id]: {
            world.label_of(int(post_id))
            for post_id in POST_LINK.findall(digest_mail.write_digest(letters, digest).text)
        }
        for digest in taken
    }


async def test_the_weekly_digest(world: World) -> None:
    """Each resident's digest lists what their neighbourhood's page lists of what they may see,
    but for their own posts and what waits for a moderator: in every part of it."""
    later = utcnow() + timedelta(days=7)  # after next Friday afternoon: today is in its week
    for part in (PostKind.HELP_REQUEST, PostKind.OFFER, "talked about", "activity"):
        await as_digest_part(world, part, later)
        found = await digest_posts(world, later)
        assert set(found) == set(LOCAL_VIEWERS[1:]) - {"geschorst"}
        for viewer, shown in found.items():
            assert shown == world.allowed(viewer, where=in_digest(world, viewer)), (part, viewer)


def in_digest(world: World, viewer: str) -> Callable[[str], bool]:
    me = world.accounts[viewer]
    home = next(place for place in world.neighbourhoods.values() if place.id == me.neighbourhood_id)
    listed = listed_in(world, home, viewer)

    def chosen(label: str) -> bool:
        post = facts(world, label)
        return listed(label) and post.author_id != me.id and post.moderation is None

    return chosen


# ------------------------------------------------------------------ no endpoint left out

# Every GET route that shows posts, with the test above that holds it to the table.
ENDPOINTS = {
    "/": test_the_home_feed,
    "/n/{slug}": test_the_neighbourhood_pages,
    "/@{username}": test_the_profiles,
    "/tags/{name}": test_the_hashtag_page,
    "/posts/{post_id}": test_post_pages_and_threads,
    "/notifications": test_notifications,
    "/search": test_post_search,  # and test_hashtag_search
    "/settings/export": test_the_export,
    "/users/{username}/statuses/{post_id}": test_served_notes,
    "/users/{username}/statuses/{post_id}/activity": test_served_notes,
    "/users/{key}/outbox": test_outboxes,
    "/n/{key}/outbox": test_outboxes,
    "/events": test_the_activity_lists,
    "/events/{post_id}.ics": test_the_calendar_file_of_an_activity,
    "/n/{slug}/calendar.ics": test_the_neighbourhood_calendars,
    "/calendar/{token}.ics": test_the_personal_calendars,
    "(mail) the weekly digest": test_the_weekly_digest,  # no route: a mail, held to the table
}
# Every GET route that shows no post at all.
SHOWS_NO_POSTS = {
    "/healthz", "/static", "/media/{key}", "/favicon.ico", "/robots.txt",
    "/login", "/register", "/goodbye", "/sign-up", "/settings", "/settings/delete", "/admin",
    "/moderation/sign-ups", "/moderation/filters",
    "/moderation/sign-ups/{account_id}/refuse", "/moderation/followers",
    "/n/{slug}/invites", "/posts/{post_id}/edit", "/posts/{post_id}/delete", "/@{username}/block",
    "/posts/{post_id}/pin",  # pinning one's own post: its text, as the delete page shows it
    "/posts/new",  # the composer on a page of its own
    "/n/{slug}/figures-settings", "/n/{slug}/places", "/welcome",
    "/.well-known/webfinger", "/.well-known/host-meta", "/.well-known/host-meta.json",
    "/.well-known/nodeinfo", "/nodeinfo/{version}", "/actor", "/actor/outbox",
    "/users/{username}", "/users/{key}/followers", "/users/{key}/following", "/n/{key}/followers",
    "/events/new", "/events/{post_id}/edit", "/events/{post_id}/cancel",
    "/events/{post_id}/participants", "/events/{post_id}/message", "/events/{post_id}/outcome",
    "/n/{slug}/calendar", "/settings/calendar",
    "/care", "/care/new", "/care/{signal_id}", "/admin/care-retention",
    # The dashboard shows counts and survey scores, never a post.
    "/dashboard", "/dashboard/{slug}", "/dashboard/{slug}/report",
    # Partners' keys, and the figures' exports (API and download): counts, never a post.
    "/admin/partners", "/api/metrics/{slug}", "/dashboard/{slug}/export",
    # The mail the instance would have sent (no SMTP server): for the admin, never a post.
    "/admin/mail", "/admin/mail/{name}",
    # Stopping mail from its link: says what stops, never a post.
    "/mail/unsubscribe/{token}",
    # One's e-mail address, the links mailed to confirm it or to choose a new password, and the
    # admin's form that mails such a link: about the account, never a post.
    "/settings/email", "/email/confirm/{token}", "/email/confirmed", "/password/forgotten",
    "/password/reset/{token}", "/admin/password-reset",
    "/survey", "/surveys", "/n/{slug}/survey",
    # The admin's pages for residents (privacy statement, house rules, contact) and their editor.
    "/privacy", "/house-rules", "/contact", "/admin/pages/{page}",
    "/admin/roles", "/admin/domains", "/admin/domains/export.csv", "/admin/domains/{domain}/remove",
    # Moderation's logs show no post; an appeal shows one's own removed post to oneself only,
    # as moderators see it when they decide (tests/test_appeals.py).
    "/admin/audit", "/n/{slug}/moderation", "/appeals/{action_id}", "/moderation/appeals",
    # The report form offers the posts `visible_to` the reporter; moderators read reported and
    # held posts by their scope, not by this table (tests/test_reports.py, test_reports_web.py).
    "/report/{account_id}", "/moderation", "/moderation/reports/{report_id}", "/moderation/held",
}  # fmt: skip


def get_routes(app: Starlette) -> set[str]:
    found = set()
    for route in app.routes:
        methods = getattr(route, "methods", None) or {"GET"}
        if "GET" in methods:
            found.add(getattr(route, "path", ""))
    return found


def test_every_route_is_classified(app: Starlette) -> None:
    unknown = get_routes(app) - set(ENDPOINTS) - SHOWS_NO_POSTS
    assert unknown == set(), f"classify these routes in {__name__}: do they show posts?"
    assert all(isinstance(route, Route) or hasattr(route, "path") for route in app.routes)
