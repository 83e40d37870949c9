"""A director of the housing corporation seldom lives in the neighbourhoods they direct: they
choose which one a new post is for (`posts.places_to_post`, `Draft.neighbourhood_id`), its
residents see it there, and it can be pinned as that neighbourhood's announcement."""

from datetime import date, timedelta

import httpx
import pytest
from sqlmodel import col, select

from buurtnet.core import feeds, neighbourhoods, permissions, pins, posts
from buurtnet.core.errors import InvalidInput
from buurtnet.db import Database
from buurtnet.models import Account, Duty, Neighbourhood, Post, RoleGrant, Visibility
from tests.conftest import log_in, make_account, post_form
from tests.moderation_kit import second_neighbourhood

TODAY = date(2026, 12, 4)
NEXT_WEEK = TODAY + timedelta(days=7)


async def director_living_elsewhere(database: Database, directed: Neighbourhood) -> Account:
    """Dirk lives in the Zonnewijk and directs `directed` (and his own)."""
    async with database.transaction() as session:
        home = await neighbourhoods.create_neighbourhood(session, "zonnewijk", "Zonnewijk")
    dirk = await make_account(database, "dirk", neighbourhood=home, duty=Duty.DIRECTOR)
    assert dirk.id is not None and directed.id is not None
    async with database.transaction() as session:
        session.add(RoleGrant(account_id=dirk.id, neighbourhood_id=directed.id, duty=Duty.DIRECTOR))
    return dirk


async def posts_from(database: Database, author: Account) -> list[Post]:
    async with database.reading() as session:
        query = select(Post).where(col(Post.author_id) == author.id)
        return list((await session.exec(query)).all())


async def test_a_director_posts_in_the_neighbourhood_they_direct_and_pins_it_there(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    dirk = await director_living_elsewhere(database, neighbourhood)
    elsewhere = await make_account(database, "els", neighbourhood=await home_of(database, dirk))
    await log_in(client, "dirk")
    page = (await client.get("/posts/new")).text
    assert '<label for="neighbourhood">Voor welke buurt?</label>' in page
    own_first = page.index(">Zonnewijk</option>") < page.index(">Vogelwijk</option>")
    assert own_first
    form = {"source": "Woensdag wordt het groen gemaaid.", "neighbourhood": str(neighbourhood.id)}
    sent = await post_form(client, "/posts/new", "/posts", form)
    assert sent.status_code == 303
    [announcement] = await posts_from(database, dirk)
    assert announcement.neighbourhood_id == neighbourhood.id
    assert announcement.visibility == Visibility.NEIGHBOURHOOD

    async with database.reading() as session:
        anna_sees = [view.post.id for view in (await feeds.home_feed(session, resident)).items]
        els_sees = [view.post.id for view in (await feeds.home_feed(session, elsewhere)).items]
    assert announcement.id in anna_sees and announcement.id not in els_sees

    async with database.transaction() as session:
        held = await permissions.roles_of(session, dirk)
        assert pins.may_pin(held, announcement)
        await pins.pin(session, dirk, held, announcement.id or 0, NEXT_WEEK, TODAY)
    async with database.reading() as session:
        pinned = await feeds.pinned_posts(session, neighbourhood.id, resident, TODAY)
    assert [view.post.id for view in pinned] == [announcement.id]


async def home_of(database: Database, account: Account) -> Neighbourhood:
    async with database.reading() as session:
        found = await session.get(Neighbourhood, account.neighbourhood_id)
    assert found is not None
    return found


async def test_a_resident_posts_only_in_their_own_neighbourhood(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    other = await second_neighbourhood(database)
    await log_in(client, "anna")
    assert 'name="neighbourhood"' not in (await client.get("/posts/new")).text
    form = {"source": "Hallo daar", "neighbourhood": str(other.id)}
    refused = await post_form(client, "/posts/new", "/posts", form)
    assert refused.status_code == 400
    assert "alleen berichten plaatsen in uw eigen buurt" in refused.text
    assert "Hallo daar" in refused.text  # the text is kept
    assert await posts_from(database, resident) == []
    form["neighbourhood"] = str(resident.neighbourhood_id)
    assert (await post_form(client, "/posts/new", "/posts", form)).status_code == 303


async def test_the_choice_is_own_then_directed_and_none_without_a_choice(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    dirk = await director_living_elsewhere(database, neighbourhood)
    only_here = await make_account(
        database, "dora", neighbourhood=neighbourhood, duty=Duty.DIRECTOR
    )
    async with database.reading() as session:
        assert [place.name for place in await posts.places_to_post(session, dirk)] == [
            "Zonnewijk",  # his own first
            "Vogelwijk",
        ]
        assert await posts.places_to_post(session, only_here) == []
        assert await posts.places_to_post(session, resident) == []


async def test_replies_to_the_announcement_stay_there_and_reach_the_director(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    """The director does not read the neighbourhood's own posts (they do not live there), but a
    reply to their announcement is addressed to them."""
    dirk = await director_living_elsewhere(database, neighbourhood)
    async with database.transaction() as session:
        here = posts.Draft("Woensdag wordt het gras gemaaid.", neighbourhood_id=neighbourhood.id)
        announcement = await posts.create_post(session, dirk, here)
        reply = await posts.create_post(
            session, resident, posts.Draft("Fijn, dank u!", in_reply_to_id=announcement.id)
        )
        assert reply.neighbourhood_id == neighbourhood.id
        assert await posts.get_visible(session, dirk, reply.id or 0) == reply
        mine = posts.Draft("Mag ik hier?", neighbourhood_id=dirk.neighbourhood_id)
        with pytest.raises(InvalidInput) as refused:
            await posts.create_post(session, resident, mine)
        assert refused.value.errors == {"neighbourhood": "neighbourhood_not_directed"}
