"""Word filters: matching whole words whatever the case, accents or punctuation; moderators
managing them for their own neighbourhoods only; and a post that uses one held for review,
quiet until a moderator lets it through (`posts.publish_held`)."""

import json
from datetime import timedelta

import httpx
import pytest
from sqlmodel import col
from starlette.applications import Starlette

from buurtnet.core import polls, posts
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.core.permissions import Roles
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ActionKind,
    Follow,
    Job,
    ModerationAction,
    ModerationState,
    Neighbourhood,
    Notification,
    Post,
    Visibility,
    WordFilter,
)
from buurtnet.moderation import actions, word_filters
from buurtnet.moderation.word_filters import matches
from tests.conftest import browser_for, csrf_token, log_in, make_account, post_form, write_post
from tests.moderation_kit import moderator, person_elsewhere, row, rows, second_neighbourhood

CREATED = col(Job.name) == "outbox.post_created"


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("Wat een IDIOOT!", ["idioot"]),
        ("idioot.", ["Idioot"]),
        ("«idioot»", ["idioot"]),
        ("Wat een idi\u200boot", ["idioot"]),  # an invisible space does not hide it
        ("Dat is een crème-brûlée", ["creme brulee"]),  # accents and a hyphen
        ("Rot   toch\nop!", ["rot toch op"]),  # a phrase across spaces and lines
        ("Rot, toch op", ["rot toch op"]),  # and across punctuation
        ("#Oplichter", ["oplichter"]),
        ("\uff29\uff24\uff29\uff2f\uff2f\uff34", ["idioot"]),  # IDIOOT in full-width letters
        ("Je bent een aptal", ["APTAL"]),
        ("Sen bir İDİOT", ["idiot"]),  # the Turkish dotted capital I
    ],
)
def test_a_phrase_matches_whatever_the_case_accents_or_punctuation(
    text: str, phrases: list[str]
) -> None:
    assert matches(text, phrases)


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("idioten", ["idioot"]),  # whole words only
        ("kidioot", ["idioot"]),
        ("rot op", ["rot toch op"]),
        ("op toch rot", ["rot toch op"]),
        ("anything", []),
        ("anything", ["", "!!!"]),  # a phrase without words matches nothing
    ],
)
def test_only_whole_words_in_their_order_match(text: str, phrases: list[str]) -> None:
    assert not matches(text, phrases)


def test_phrases_are_stored_as_they_are_compared() -> None:
    assert word_filters.normalise("  Rot, TOCH  op! ") == "rot toch op"
    assert word_filters.first_match("ROT toch op", ["iets", "rot toch op"]) == "rot toch op"


async def add(
    database: Database, who: Account, roles: Roles, place: Neighbourhood, text: str
) -> str:
    async with database.transaction() as session:
        return await word_filters.add_phrase(session, who, roles, place.id or 0, text)


async def test_moderators_manage_the_filters_of_their_own_neighbourhoods_only(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    elsewhere = await second_neighbourhood(database)
    mila, roles = await moderator(database, "mila", neighbourhood)
    assert await add(database, mila, roles, neighbourhood, " Rot, toch OP! ") == "rot toch op"
    with pytest.raises(NotAllowed):
        await add(database, mila, roles, elsewhere, "idioot")
    stored = await rows(database, WordFilter)
    assert [(f.neighbourhood_id, f.phrase) for f in stored] == [(neighbourhood.id, "rot toch op")]
    rivka, other_roles = await moderator(database, "rivka", elsewhere)
    with pytest.raises(NotAllowed):
        async with database.transaction() as session:
            await word_filters.remove_phrase(session, rivka, other_roles, stored[0].id or 0)
    async with database.reading() as session:
        shown = await word_filters.filters_for(session, other_roles)
    assert [(place.neighbourhood.id, place.filters) for place in shown] == [(elsewhere.id, [])]
    async with database.transaction() as session:
        await word_filters.remove_phrase(session, mila, roles, stored[0].id or 0)
    assert await rows(database, WordFilter) == []
    logged = await rows(database, ModerationAction)
    assert [(a.kind, a.moderator_id, a.neighbourhood_id, a.reason, a.public) for a in logged] == [
        (
            ActionKind.ADD_WORD_FILTER,
            mila.id,
            neighbourhood.id,
            "rot toch op",
            False,
        ),
        (
            ActionKind.REMOVE_WORD_FILTER,
            mila.id,
            neighbourhood.id,
            "rot toch op",
            False,
        ),
    ]


async def test_an_admin_manages_every_neighbourhood_and_bad_phrases_are_refused(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    elsewhere = await second_neighbourhood(database)
    admin, roles = await moderator(database, "beheer", None, admin=True)
    await add(database, admin, roles, elsewhere, "idioot")
    problems = [
        ("idioot", "word_filter_exists"),
        ("!?", "word_filter_empty"),
        ("a" * 101, "word_filter_too_long"),
    ]
    for text, code in problems:
        with pytest.raises(InvalidInput) as refused:
            await add(database, admin, roles, elsewhere, text)
        assert refused.value.errors == {"phrase": code}
    async with database.reading() as session:
        shown = await word_filters.filters_for(session, roles)
    assert [(p.neighbourhood.name, [f.phrase for f in p.filters]) for p in shown] == [
        ("Rivierenbuurt", ["idioot"]),
        ("Vogelwijk", []),
    ]


async def filter_in(database: Database, *filters: tuple[Neighbourhood, str]) -> None:
    admin, roles = await moderator(database, "beheer", None, admin=True)
    for place, phrase in filters:
        await add(database, admin, roles, place, phrase)


async def test_a_filtered_post_is_held_quietly_until_it_is_published(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    carla = await make_account(database, "carla", neighbourhood=neighbourhood)
    bob, _ = await person_elsewhere(database)
    async with database.transaction() as session:
        session.add(Follow(follower_id=bob.id or 0, followed_id=neighbour.id or 0))
    await filter_in(database, (neighbourhood, "idioot"))
    question = await write_post(
        database, resident, "Wie heeft mijn fiets gezien?", visibility=Visibility.PUBLIC
    )
    clean = await write_post(database, neighbour, "Hallo", visibility=Visibility.PUBLIC)
    assert clean.moderation is None and len(await rows(database, Job, CREATED)) == 1
    reply = await write_post(
        database,
        neighbour,
        "Die IDIOOT van hiernaast, @anna @carla",
        visibility=Visibility.PUBLIC,
        in_reply_to_id=question.id,
    )
    held = await row(database, Post, reply.id)
    assert held.moderation == ModerationState.HELD and held.moderated_at is not None
    assert len(await rows(database, Job, CREATED)) == 1, "nothing goes out for the held post"
    assert await rows(database, Notification) == [], "nobody is told of it yet"
    assert (await row(database, Post, question.id)).reply_count == 0
    logged = await rows(
        database, ModerationAction, col(ModerationAction.kind) == ActionKind.HOLD_POST
    )
    assert [(a.moderator_id, a.target_post_id, a.target_account_id, a.reason) for a in logged] == [
        (None, reply.id, neighbour.id, "idioot")
    ]
    assert not logged[0].public

    async with database.transaction() as session:
        edited = await posts.edit_post(
            session, neighbour, reply.id or 0, posts.Draft(source="Die idioot, @anna @carla")
        )
        assert edited.moderation == ModerationState.HELD
    assert await rows(database, Job, col(Job.name) == "outbox.post_edited") == []
    assert await rows(database, Notification) == []

    mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.transaction() as session:
        await actions.approve_held(session, mila, roles, reply.id or 0)
    assert len(await rows(database, Job, CREATED)) == 2
    told = await rows(database, Notification)
    assert sorted((n.recipient_id, n.kind, n.post_id) for n in told) == [
        (resident.id, "reply", reply.id),
        (carla.id, "mention", reply.id),
    ]
    assert (await row(database, Post, question.id)).reply_count == 1


async def test_a_held_post_deleted_by_its_author_was_never_news_elsewhere(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    bob, _ = await person_elsewhere(database)
    async with database.transaction() as session:
        session.add(Follow(follower_id=bob.id or 0, followed_id=resident.id or 0))
    await filter_in(database, (neighbourhood, "idioot"))
    held = await write_post(database, resident, "idioot", visibility=Visibility.PUBLIC)
    async with database.transaction() as session:
        await posts.delete_post(session, resident, held.id or 0)
    assert await rows(database, Job) == []


async def test_the_warning_poll_answers_and_activity_text_are_read_too(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    await filter_in(database, (neighbourhood, "koop nu"))
    warned = await write_post(database, resident, "Kijk", summary="Koop nu!")
    poll = polls.PollDraft(("Ja", "Koop nu"), duration=timedelta(days=1))
    polled = await write_post(database, resident, "Vraag", poll=poll)
    async with database.transaction() as session:
        titled = await posts.create_post(
            session, resident, posts.Draft(source="Kom langs"), more_text=("Koop nu", "")
        )
    for post in (warned, polled, titled):
        assert (await row(database, Post, post.id)).moderation == ModerationState.HELD


async def test_private_posts_and_other_neighbourhoods_are_not_filtered(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    elsewhere = await second_neighbourhood(database)
    await filter_in(database, (elsewhere, "idioot"), (neighbourhood, "sukkel"))
    here = await write_post(database, resident, "idioot")
    direct = await write_post(database, resident, "sukkel @bram", visibility=Visibility.DIRECT)
    followers = await write_post(database, resident, "sukkel", visibility=Visibility.FOLLOWERS)
    for post in (here, direct, followers):
        assert (await row(database, Post, post.id)).moderation is None


# ------------------------------------------------------------------ through the browser


async def test_the_author_sees_a_held_post_with_its_label_and_nobody_else_does(
    app: Starlette,
    database: Database,
    resident: Account,
    neighbour: Account,
    neighbourhood: Neighbourhood,
) -> None:
    bob, _ = await person_elsewhere(database)
    async with database.transaction() as session:
        session.add(Follow(follower_id=bob.id or 0, followed_id=resident.id or 0))
    await filter_in(database, (neighbourhood, "oplichter"))
    async with browser_for(app) as anna, browser_for(app) as bram, browser_for(app) as visitor:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        fields = {"visibility": "public"}
        shown = await post_form(anna, "/", "/posts", {"source": "Gewoon hallo", **fields})
        sent = await post_form(anna, "/", "/posts", {"source": "Die Oplichter!", **fields})
        assert shown.status_code == sent.status_code == 303
        held_id = int(sent.headers["location"].split("#post-")[1])
        shown_id = int(shown.headers["location"].split("#post-")[1])
        for page in ("/", f"/posts/{held_id}", "/@anna"):
            text = (await anna.get(page)).text
            assert "Die Oplichter!" in text and "Wacht op een moderator" in text, page
        assert "Wacht op een moderator" not in (await anna.get(f"/posts/{shown_id}")).text
        for other in (bram, visitor):
            assert (await other.get(f"/posts/{shown_id}")).status_code == 200
            assert (await other.get(f"/posts/{held_id}")).status_code == 404
            for page in ("/", "/n/vogelwijk", "/@anna"):
                assert "Oplichter" not in (await other.get(page)).text, page
    jobs = await rows(database, Job, CREATED)
    assert [json.loads(job.payload) for job in jobs] == [{"post_id": shown_id}]
    logged = await rows(database, ModerationAction, col(ModerationAction.target_post_id) == held_id)
    assert [action.kind for action in logged] == [ActionKind.HOLD_POST]


async def test_moderators_edit_the_filters_of_their_neighbourhood_on_their_page(
    app: Starlette, database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    elsewhere = await second_neighbourhood(database)
    await moderator(database, "mila", neighbourhood)
    await moderator(database, "rivka", elsewhere)
    async with browser_for(app) as mila, browser_for(app) as rivka:
        await log_in(mila, "mila")
        await log_in(rivka, "rivka")
        page = "/moderation/filters"
        added = await post_form(mila, page, f"{page}/{neighbourhood.id}", {"phrase": "Sukkel!"})
        assert added.status_code == 303
        listed = (await mila.get(added.headers["location"])).text
        assert "Woordfilters" in listed and "Het woord of de zin is toegevoegd." in listed
        assert "sukkel" in listed and "Rivierenbuurt" not in listed
        again = await post_form(mila, page, f"{page}/{neighbourhood.id}", {"phrase": "sukkel"})
        assert again.status_code == 400
        assert "Dit woord of deze zin staat al op de lijst." in again.text
        assert 'aria-invalid="true"' in again.text

        assert "sukkel" not in (await rivka.get(page)).text
        refused = await post_form(rivka, page, f"{page}/{neighbourhood.id}", {"phrase": "x"})
        assert refused.status_code == 403
        stored = await rows(database, WordFilter)
        remove = f"{page}/remove/{stored[0].id}"
        assert (await post_form(rivka, page, remove, {})).status_code == 403
        assert len(await rows(database, WordFilter)) == 1
        removed = await post_form(mila, page, remove, {})
        assert removed.status_code == 303
        assert await rows(database, WordFilter) == []


async def test_residents_and_visitors_do_not_get_the_filters_page(
    client: httpx.AsyncClient, resident: Account, neighbourhood: Neighbourhood
) -> None:
    assert (await client.get("/moderation/filters")).status_code == 303  # to the login
    await log_in(client, "anna")
    assert (await client.get("/moderation/filters")).status_code == 403
    token = await csrf_token(client, "/")
    forbidden = await client.post(
        f"/moderation/filters/{neighbourhood.id}", data={"csrf_token": token, "phrase": "x"}
    )
    assert forbidden.status_code == 403
