"""Writing, editing and deleting posts: the rules of core/posts.py, on a real database."""

import json

import pytest
from sqlmodel import select

from buurtnet.core import notifications, posts, relations
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    Duty,
    Hashtag,
    Job,
    MediaAttachment,
    Mention,
    Neighbourhood,
    NotificationKind,
    Post,
    PostHashtag,
    PostKind,
    Visibility,
)
from tests.conftest import make_account
from tests.conftest import write_post as write


async def test_a_post_keeps_its_source_and_safe_html(database: Database, resident: Account) -> None:
    post = await write(database, resident, "Hallo <script>alert(1)</script>\nburen!")
    assert post.source == "Hallo <script>alert(1)</script>\nburen!"
    assert "<script>" not in post.content_html
    assert "&lt;script&gt;" in post.content_html
    assert "<br>" in post.content_html
    assert post.visibility == Visibility.NEIGHBOURHOOD
    assert post.neighbourhood_id == resident.neighbourhood_id


@pytest.mark.parametrize(
    ("source", "code"),
    [("", "post_empty"), ("   \n ", "post_empty"), ("x" * 5001, "post_too_long")],
)
async def test_empty_and_too_long_posts_are_refused(
    database: Database, resident: Account, source: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await write(database, resident, source)
    assert refused.value.errors == {"source": code}
    async with database.reading() as session:
        assert (await session.exec(select(Post))).first() is None


async def test_exactly_5000_characters_is_allowed(database: Database, resident: Account) -> None:
    post = await write(database, resident, "a" * 5000)
    assert len(post.source) == 5000


async def test_mentions_link_known_neighbours_and_notify_them(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write(database, resident, "Hoi @Bram en @niemand, zie je @iemand@elders.example?")
    assert 'href="/@bram"' in post.content_html
    assert "/@niemand" not in post.content_html
    async with database.reading() as session:
        mentioned = (await session.exec(select(Mention.account_id))).all()
        assert neighbour.id is not None
        found = await notifications.newest(session, neighbour)
    assert mentioned == [neighbour.id]
    assert [(n.notification.kind, n.actor.id) for n in found] == [
        (NotificationKind.MENTION, resident.id)
    ]


async def test_hashtags_are_stored_once_and_linked(
    database: Database, resident: Account, neighbour: Account
) -> None:
    first = await write(database, resident, "Zaterdag #Opruimen in de #vogelwijk")
    second = await write(database, neighbour, "Ik doe mee met #opruimen")
    assert 'href="/tags/opruimen"' in first.content_html
    async with database.reading() as session:
        names = (await session.exec(select(Hashtag.name).order_by(Hashtag.name))).all()
        links = (await session.exec(select(PostHashtag.post_id))).all()
    assert names == ["opruimen", "vogelwijk"]
    assert first.id is not None and second.id is not None
    assert sorted(links) == sorted([first.id, first.id, second.id])


async def test_a_reply_takes_the_visibility_and_neighbourhood_of_its_post(
    database: Database, resident: Account, neighbour: Account
) -> None:
    question = await write(
        database, resident, "Wie leent mij een ladder?", kind=PostKind.HELP_REQUEST
    )
    reply = await write(
        database,
        neighbour,
        "Ik heb er een!",
        visibility=Visibility.PUBLIC,
        in_reply_to_id=question.id,
    )
    assert reply.visibility == Visibility.NEIGHBOURHOOD
    assert reply.thread_root_id == question.id
    async with database.reading() as session:
        parent = await session.get(Post, question.id)
        assert resident.id is not None
        found = await notifications.newest(session, resident)
    assert parent is not None and parent.reply_count == 1
    assert [n.notification.kind for n in found] == [NotificationKind.REPLY]


async def test_a_direct_post_reaches_only_the_people_named(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    outsider = await make_account(database, "chris", neighbourhood=neighbourhood)
    post = await write(database, resident, "@bram kom je morgen?", visibility=Visibility.DIRECT)
    async with database.reading() as session:
        assert post.id is not None
        assert await posts.get_visible(session, neighbour, post.id)
        with pytest.raises(NotFound):
            await posts.get_visible(session, outsider, post.id)
        with pytest.raises(NotFound):
            await posts.get_visible(session, None, post.id)


async def test_followers_only_posts_need_a_follow(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write(database, resident, "Voor volgers", visibility=Visibility.FOLLOWERS)
    assert post.id is not None
    async with database.reading() as session:
        with pytest.raises(NotFound):
            await posts.get_visible(session, neighbour, post.id)
    async with database.transaction() as session:
        assert resident.id is not None
        await relations.follow(session, neighbour, resident.id)
    async with database.reading() as session:
        assert await posts.get_visible(session, neighbour, post.id)


async def test_neighbourhood_posts_stay_in_the_neighbourhood(
    database: Database, resident: Account
) -> None:
    async with database.transaction() as session:
        other = Neighbourhood(slug="bloemenbuurt", name="Bloemenbuurt")
        session.add(other)
    stranger = await make_account(database, "dave", neighbourhood=other)
    post = await write(database, resident, "Alleen voor de buurt")
    public = await write(database, resident, "Voor iedereen", visibility=Visibility.PUBLIC)
    async with database.reading() as session:
        assert post.id is not None and public.id is not None
        with pytest.raises(NotFound):
            await posts.get_visible(session, stranger, post.id)
        with pytest.raises(NotFound):
            await posts.get_visible(session, None, post.id)
        assert await posts.get_visible(session, None, public.id)


async def test_a_blocked_person_cannot_see_reply_to_or_mention_the_blocker(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write(database, resident, "Openbaar", visibility=Visibility.PUBLIC)
    async with database.transaction() as session:
        assert neighbour.id is not None
        await relations.block(session, resident, neighbour.id)
    async with database.reading() as session:
        assert post.id is not None
        with pytest.raises(NotFound):
            await posts.get_visible(session, neighbour, post.id)
    with pytest.raises(NotFound):
        await write(database, neighbour, "toch een reactie", in_reply_to_id=post.id)
    mention = await write(database, neighbour, "Hoi @anna")
    assert "/@anna" not in mention.content_html
    async with database.reading() as session:
        assert resident.id is not None
        assert await notifications.unread_count(session, resident) == 0
        assert (await session.exec(select(Mention))).first() is None


async def test_editing_keeps_the_earlier_version(database: Database, resident: Account) -> None:
    post = await write(database, resident, "Eerste versie #oud")
    assert post.id is not None
    async with database.transaction() as session:
        await posts.edit_post(
            session, resident, post.id, posts.Draft(source="Tweede versie #nieuw", summary="Let op")
        )
    async with database.reading() as session:
        edited = await session.get(Post, post.id)
        history = await posts.edit_history(session, post.id)
        tags = (await session.exec(select(Hashtag.name).join(PostHashtag))).all()
    assert edited is not None and edited.source == "Tweede versie #nieuw"
    assert edited.summary == "Let op" and edited.edited_at is not None
    assert [version.source for version in history] == ["Eerste versie #oud"]
    assert tags == ["nieuw"]


async def test_only_the_author_edits(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write(database, resident, "Van Anna")
    assert post.id is not None
    with pytest.raises(NotAllowed):
        async with database.transaction() as session:
            await posts.edit_post(session, neighbour, post.id, posts.Draft(source="Van Bram"))


async def test_deleting_removes_the_post_keeps_replies_and_queues_its_files(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write(database, resident, "Weg ermee")
    reply = await write(database, neighbour, "Reactie", in_reply_to_id=post.id)
    assert post.id is not None and resident.id is not None
    async with database.transaction() as session:
        session.add(
            MediaAttachment(
                owner_id=resident.id,
                post_id=post.id,
                storage_key="full.jpg",
                thumbnail_key="small.jpg",
                content_type="image/jpeg",
                width=10,
                height=10,
            )
        )
    with pytest.raises(NotAllowed):
        async with database.transaction() as session:
            await posts.delete_post(session, neighbour, post.id)
    async with database.transaction() as session:
        await posts.delete_post(session, resident, post.id)
    async with database.reading() as session:
        assert await session.get(Post, post.id) is None
        kept = await session.get(Post, reply.id)
        jobs = (await session.exec(select(Job))).all()
    assert kept is not None and kept.in_reply_to_id == post.id
    assert [sorted(json.loads(job.payload)["keys"]) for job in jobs] == [["full.jpg", "small.jpg"]]


async def test_only_the_author_deletes_a_moderator_removes_instead(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    moderator = await make_account(
        database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood
    )
    post = await write(database, resident, "Ongepast")
    assert post.id is not None
    with pytest.raises(NotAllowed):
        async with database.transaction() as session:
            await posts.delete_post(session, moderator, post.id)
    async with database.reading() as session:
        assert await session.get(Post, post.id) is not None


async def test_a_reply_in_a_private_conversation_reaches_everyone_in_it(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    chris = await make_account(database, "chris", neighbourhood=neighbourhood)
    outsider = await make_account(database, "dave", neighbourhood=neighbourhood)
    start = await write(database, resident, "@bram @chris etentje?", visibility=Visibility.DIRECT)
    reply = await write(database, neighbour, "Leuk!", in_reply_to_id=start.id)
    assert reply.visibility == Visibility.DIRECT and reply.id is not None
    async with database.reading() as session:
        assert await posts.get_visible(session, resident, reply.id)
        assert await posts.get_visible(session, chris, reply.id)
        with pytest.raises(NotFound):
            await posts.get_visible(session, outsider, reply.id)


async def test_a_reply_to_a_followers_only_post_stays_in_the_conversation(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    carl = await make_account(database, "carl", neighbourhood=neighbourhood)
    async with database.transaction() as session:
        assert resident.id is not None and neighbour.id is not None
        await relations.follow(session, neighbour, resident.id)
        await relations.follow(session, carl, neighbour.id)
    secret = await write(database, resident, "Voor volgers #geheimpje", visibility="followers")
    reply = await write(database, neighbour, "Gefeliciteerd #geheimpje", in_reply_to_id=secret.id)
    assert reply.visibility == Visibility.DIRECT and reply.id is not None
    async with database.reading() as session:
        assert await posts.get_visible(session, resident, reply.id)
        with pytest.raises(NotFound):
            await posts.get_visible(session, carl, reply.id)
        parent = await session.get(Post, secret.id)
    assert parent is not None and parent.reply_count == 0  # a count would betray the reply


async def test_an_edit_that_drops_a_name_takes_the_post_away_from_them(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write(database, resident, "@bram mijn adres", visibility=Visibility.DIRECT)
    assert post.id is not None
    async with database.transaction() as session:
        await posts.edit_post(session, resident, post.id, posts.Draft(source="alleen voor mij"))
    async with database.reading() as session:
        with pytest.raises(NotFound):
            await posts.get_visible(session, neighbour, post.id)


@pytest.mark.parametrize("source", ["\u200b", "\x01\x02", " \u200d\ufeff "])
async def test_invisible_text_is_no_post(
    database: Database, resident: Account, source: str
) -> None:
    with pytest.raises(InvalidInput):
        await write(database, resident, source)


async def test_an_account_that_is_no_longer_active_cannot_post(
    database: Database, resident: Account
) -> None:
    async with database.transaction() as session:
        stored = await session.get(Account, resident.id)
        assert stored is not None
        stored.status = AccountStatus.DELETED
    with pytest.raises(NotAllowed):
        await write(database, resident, "Nog één bericht")


async def test_deleting_a_reply_lowers_the_count_of_the_post_it_answers(
    database: Database, resident: Account, neighbour: Account
) -> None:
    question = await write(database, resident, "Vraag")
    first = await write(database, neighbour, "Eén", in_reply_to_id=question.id)
    await write(database, neighbour, "Twee", in_reply_to_id=question.id)
    assert first.id is not None
    async with database.transaction() as session:
        await posts.delete_post(session, neighbour, first.id)
    async with database.reading() as session:
        parent = await session.get(Post, question.id)
    assert parent is not None and parent.reply_count == 1
