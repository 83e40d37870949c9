"""Notifications that say what they are about: the post replied to, liked or shared, the words
of a reply or mention, an activity's title; only what the recipient may still see; a page in a
fixed number of queries; and the "new" marker apart from the news."""

import re

import httpx

from buurtnet.core import events, interactions, notifications
from buurtnet.core.notifications import NotificationView
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ModerationState,
    Neighbourhood,
    NotificationKind,
    ParticipationStatus,
    Post,
)
from tests.conftest import counting_statements, log_in, make_account
from tests.conftest import write_post as write
from tests.events_kit import answer, make_event

QUESTION = "Wie leent mij een ladder?\nIk heb hem zaterdag nodig."


async def news_of(database: Database, account: Account) -> list[NotificationView]:
    async with database.reading() as session:
        return await notifications.newest(session, account)


async def test_a_reply_names_the_post_it_answers_and_quotes_its_first_line(
    database: Database, resident: Account, neighbour: Account
) -> None:
    question = await write(database, resident, QUESTION)
    await write(database, neighbour, "Ik heb er een!\nKom maar langs.", in_reply_to_id=question.id)
    [reply] = await news_of(database, resident)
    assert reply.notification.kind == NotificationKind.REPLY
    assert (reply.about, reply.quote) == ("Wie leent mij een ladder?", "Ik heb er een!")


async def test_a_mention_quotes_the_message_that_names_one(
    database: Database, resident: Account, neighbour: Account
) -> None:
    await write(database, neighbour, "@anna komt u morgen ook?\nWe beginnen om tien uur.")
    [mention] = await news_of(database, resident)
    assert mention.notification.kind == NotificationKind.MENTION
    assert (mention.about, mention.quote) == ("", "@anna komt u morgen ook?")


async def test_a_like_names_ones_own_post(
    database: Database, resident: Account, neighbour: Account
) -> None:
    question = await write(database, resident, QUESTION)
    async with database.transaction() as session:
        assert question.id is not None
        await interactions.like(session, neighbour, question.id)
    [like] = await news_of(database, resident)
    assert (like.about, like.quote) == ("Wie leent mij een ladder?", "")


async def test_news_of_an_activity_names_its_title(
    database: Database, resident: Account, neighbour: Account
) -> None:
    event = await make_event(database, resident, title="Opruimen op het Merelplein")
    assert event.id is not None
    await answer(database, neighbour, event.id, ParticipationStatus.GOING)
    async with database.transaction() as session:
        await events.cancel_event(session, resident, event.id)
    [cancelled] = await news_of(database, neighbour)
    assert cancelled.notification.kind == NotificationKind.EVENT_CANCELLED
    assert cancelled.about == "Opruimen op het Merelplein"


async def test_a_content_warning_stands_in_for_the_words(
    database: Database, resident: Account, neighbour: Account
) -> None:
    question = await write(database, resident, QUESTION)
    await write(
        database, neighbour, "Wat er gebeurde", summary="Nare ervaring", in_reply_to_id=question.id
    )
    [reply] = await news_of(database, resident)
    assert reply.quote == "Nare ervaring"


async def test_a_post_one_may_no_longer_see_is_not_named(
    database: Database, resident: Account, neighbour: Account
) -> None:
    question = await write(database, resident, QUESTION)
    await write(database, neighbour, "Ik heb er een!", in_reply_to_id=question.id)
    async with database.transaction() as session:
        stored = await session.get(Post, question.id)
        assert stored is not None
        stored.moderation = ModerationState.REMOVED  # by a moderator, since
    [reply] = await news_of(database, resident)
    assert (reply.about, reply.quote) == ("", "Ik heb er een!")


async def test_a_page_takes_the_same_queries_however_many_replies_it_holds(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    async def statements_for_page() -> int:
        async with database.reading() as session:
            with counting_statements(database) as statements:
                await notifications.newest(session, resident)
        return len(statements)

    first = await write(database, resident, "Eerste vraag")
    await write(database, neighbour, "Eerste antwoord", in_reply_to_id=first.id)
    few = await statements_for_page()
    others = [await make_account(database, f"buur{n}", neighbourhood=neighbourhood) for n in "ab"]
    for number in range(6):
        question = await write(database, resident, f"Vraag {number}")
        for other in others:
            await write(database, other, f"Antwoord {number}", in_reply_to_id=question.id)
    assert len(await news_of(database, resident)) == 13
    assert await statements_for_page() == few


async def test_the_page_shows_the_context_and_keeps_new_apart_from_the_name(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    question = await write(database, resident, QUESTION)
    await write(database, neighbour, "Ik heb er een!", in_reply_to_id=question.id)
    await log_in(client, "anna")
    page = (await client.get("/notifications")).text
    assert "Over:</span> Wie leent mij een ladder?" in page
    assert '<blockquote class="notification-quote">Ik heb er een!</blockquote>' in page
    assert "Ik heb hem zaterdag nodig" not in page  # the first line only
    new = re.search(r'<p class="notification-new">(.*?)</p>\s*<p>\s*(\S+)', page)
    assert new is not None, "the marker on a line of its own"
    assert new.group(1) == '<span class="badge">Nieuw</span><span class="visually-hidden">: </span>'
    assert new.group(2) == "bram"
    again = (await client.get("/notifications")).text
    assert "notification-new" not in again  # seen now


async def test_a_quote_is_shown_as_text(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    await write(database, neighbour, "@anna <script>alert(1)</script> & meer")
    await log_in(client, "anna")
    page = (await client.get("/notifications")).text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; meer" in page
