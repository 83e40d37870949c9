"""Feeds and threads: what each shows, in what order, page by page, and at what cost in SQL."""

from collections.abc import Awaitable, Callable

import httpx

from buurtnet.core import feeds, hashtags, interactions, notifications, relations, threads
from buurtnet.db import Database
from buurtnet.models import Account, MediaAttachment, Neighbourhood, Visibility
from tests.conftest import counting_statements, log_in, make_account
from tests.conftest import write_post as write


def texts(page: feeds.Page) -> list[str]:
    return [view.post.source for view in page.items]


async def test_home_shows_the_neighbourhood_and_followed_people_newest_first(
    database: Database, resident: Account, neighbour: Account
) -> None:
    async with database.transaction() as session:
        elsewhere = Neighbourhood(slug="bloemenbuurt", name="Bloemenbuurt")
        session.add(elsewhere)
    friend = await make_account(database, "chris", neighbourhood=elsewhere)
    stranger = await make_account(database, "dave", neighbourhood=elsewhere)
    await write(database, neighbour, "Van de buurman")
    await write(database, friend, "Van een vriend", visibility=Visibility.PUBLIC)
    await write(database, stranger, "Van een vreemde", visibility=Visibility.PUBLIC)
    await write(database, stranger, "@anna privé", visibility=Visibility.DIRECT)
    await write(database, resident, "Van mijzelf")
    async with database.transaction() as session:
        assert friend.id is not None
        await relations.follow(session, resident, friend.id)
    async with database.reading() as session:
        page = await feeds.home_feed(session, resident)
    assert texts(page) == ["Van mijzelf", "@anna privé", "Van een vriend", "Van de buurman"]


async def test_replies_stay_on_the_post_page(
    database: Database, resident: Account, neighbour: Account
) -> None:
    question = await write(database, resident, "Vraag")
    await write(database, neighbour, "Antwoord", in_reply_to_id=question.id)
    async with database.reading() as session:
        page = await feeds.home_feed(session, resident)
    assert texts(page) == ["Vraag"]
    assert page.items[0].post.reply_count == 1


async def all_pages(read_page: Callable[[int | None], Awaitable[feeds.Page]]) -> list[str]:
    seen: list[str] = []
    before = None
    for _ in range(5):
        page = await read_page(before)
        seen += texts(page)
        before = page.next_before
        if before is None:
            break
    return seen


async def test_someone_without_a_neighbourhood_sees_what_followers_may_see(
    database: Database, neighbour: Account
) -> None:
    outsider = await make_account(database, "wijkagent")
    async with database.transaction() as session:
        assert neighbour.id is not None
        await relations.follow(session, outsider, neighbour.id)
    await write(database, neighbour, "Voor iedereen", visibility=Visibility.PUBLIC)
    await write(database, neighbour, "Binnen de buurt")
    await write(database, neighbour, "Voor volgers", visibility=Visibility.FOLLOWERS)
    async with database.reading() as session:
        page = await feeds.home_feed(session, outsider)
    assert texts(page) == ["Voor volgers", "Voor iedereen"]


async def test_pages_follow_each_other_without_gaps_or_repeats(
    database: Database, resident: Account, neighbour: Account
) -> None:
    written = [
        (await write(database, neighbour, f"Bericht {n} #opruimen")).source for n in range(45)
    ]
    async with database.reading() as session:
        tag = await hashtags.get_by_name(session, "opruimen")
        home = await all_pages(lambda before: feeds.home_feed(session, resident, before))
        tagged = await all_pages(lambda before: feeds.hashtag_feed(session, tag, resident, before))
    assert home == tagged == written[::-1]


async def test_muted_people_leave_the_feeds_but_their_posts_stay_reachable(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write(database, neighbour, "Luid bericht")
    async with database.transaction() as session:
        assert neighbour.id is not None
        await relations.mute(session, resident, neighbour.id)
    async with database.reading() as session:
        assert texts(await feeds.home_feed(session, resident)) == []
        assert post.id is not None
        assert (await threads.thread_of(session, resident, post.id)).focus.post.id == post.id


async def test_visitors_see_only_public_posts_of_a_neighbourhood(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    await write(database, resident, "Binnen de buurt")
    await write(database, resident, "Voor iedereen", visibility=Visibility.PUBLIC)
    async with database.reading() as session:
        visitor = await feeds.neighbourhood_feed(session, neighbourhood, None)
        member = await feeds.neighbourhood_feed(session, neighbourhood, resident)
        profile = await feeds.profile_feed(session, resident, None)
    assert texts(visitor) == ["Voor iedereen"]
    assert texts(member) == ["Voor iedereen", "Binnen de buurt"]
    assert texts(profile) == ["Voor iedereen"]


async def test_hashtag_feed_respects_visibility(
    database: Database, resident: Account, neighbour: Account
) -> None:
    await write(database, resident, "#opruimen in de buurt")
    await write(database, neighbour, "#opruimen voor iedereen", visibility=Visibility.PUBLIC)
    async with database.reading() as session:
        tag = await hashtags.get_by_name(session, "Opruimen")
        visitor = await feeds.hashtag_feed(session, tag, None)
        member = await feeds.hashtag_feed(session, tag, resident)
    assert texts(visitor) == ["#opruimen voor iedereen"]
    assert texts(member) == ["#opruimen voor iedereen", "#opruimen in de buurt"]


async def test_a_thread_shows_ancestors_and_replies_in_order(
    database: Database, resident: Account, neighbour: Account
) -> None:
    root = await write(database, resident, "Begin")
    middle = await write(database, neighbour, "Midden", in_reply_to_id=root.id)
    first = await write(database, resident, "Eerste antwoord", in_reply_to_id=middle.id)
    await write(database, neighbour, "Daaronder", in_reply_to_id=first.id)
    await write(database, neighbour, "Tweede antwoord", in_reply_to_id=middle.id)
    assert middle.id is not None
    async with database.reading() as session:
        thread = await threads.thread_of(session, resident, middle.id)
    assert [view.post.source for view in thread.ancestors] == ["Begin"]
    assert thread.focus.post.source == "Midden"
    assert [(view.post.source, view.depth) for view in thread.replies] == [
        ("Eerste antwoord", 1),
        ("Daaronder", 2),
        ("Tweede antwoord", 1),
    ]


async def test_likes_and_shares_count_once_per_person(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write(database, resident, "Mooi weer", visibility=Visibility.PUBLIC)
    assert post.id is not None
    async with database.transaction() as session:
        await interactions.like(session, neighbour, post.id)
        await interactions.like(session, neighbour, post.id)
        await interactions.share(session, neighbour, post.id)
    async with database.reading() as session:
        view = (await feeds.home_feed(session, neighbour)).items[0]
    assert (view.post.like_count, view.post.share_count, view.liked, view.shared) == (
        1,
        1,
        True,
        True,
    )
    async with database.transaction() as session:
        await interactions.unlike(session, neighbour, post.id)
        await interactions.unlike(session, neighbour, post.id)
    async with database.reading() as session:
        view = (await feeds.home_feed(session, neighbour)).items[0]
    assert (view.post.like_count, view.liked) == (0, False)


async def test_the_home_feed_costs_the_same_statements_for_1_post_or_a_full_page(
    database: Database, client: httpx.AsyncClient, resident: Account, neighbour: Account
) -> None:
    await log_in(client, "anna")
    await write(database, neighbour, "Eén bericht")
    with counting_statements(database) as few:
        assert (await client.get("/")).status_code == 200
    assert neighbour.id is not None and resident.id is not None
    for n in range(30):
        post = await write(database, neighbour, f"Bericht {n} #buurt @anna")
        assert post.id is not None
        async with database.transaction() as session:
            session.add(
                MediaAttachment(
                    owner_id=neighbour.id,
                    post_id=post.id,
                    storage_key=f"f{n}.jpg",
                    thumbnail_key=f"t{n}.jpg",
                    content_type="image/jpeg",
                    width=10,
                    height=10,
                )
            )
            await interactions.like(session, resident, post.id)
    with counting_statements(database) as many:
        page = await client.get("/")
    assert page.status_code == 200 and page.text.count('class="post') >= 20
    assert 0 < len(many) == len(few), many
    assert len(many) <= 10


async def test_a_block_hides_earlier_notifications_of_the_blocked(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write(database, resident, "Hallo", visibility=Visibility.PUBLIC)
    assert post.id is not None and resident.id is not None and neighbour.id is not None
    async with database.transaction() as session:
        await interactions.like(session, neighbour, post.id)
    async with database.transaction() as session:
        await relations.block(session, resident, neighbour.id)
    async with database.reading() as session:
        assert await notifications.unread_count(session, resident) == 0
        assert await notifications.newest(session, resident) == []


async def test_a_limited_persons_posts_reach_only_their_followers(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    follower = await make_account(database, "chris", neighbourhood=neighbourhood)
    post = await write(database, neighbour, "Koop nu #aanbieding", visibility=Visibility.PUBLIC)
    async with database.transaction() as session:
        assert neighbour.id is not None
        await relations.follow(session, follower, neighbour.id)
        limited = await session.get(Account, neighbour.id)
        assert limited is not None
        limited.limited = True
        tag = await hashtags.get_by_name(session, "aanbieding")
    async with database.reading() as session:
        assert texts(await feeds.home_feed(session, resident)) == []
        assert texts(await feeds.neighbourhood_feed(session, neighbourhood, resident)) == []
        assert texts(await feeds.neighbourhood_feed(session, neighbourhood, None)) == []
        assert texts(await feeds.hashtag_feed(session, tag, resident)) == []
        assert texts(await feeds.home_feed(session, follower)) == [post.source]
        assert texts(await feeds.neighbourhood_feed(session, neighbourhood, follower)) == [
            post.source
        ]
        assert texts(await feeds.home_feed(session, neighbour)) == [post.source]
        # Not hidden: who has the link, or looks at the profile, still reads it.
        assert texts(await feeds.profile_feed(session, neighbour, resident)) == [post.source]
