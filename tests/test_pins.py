"""Pinned announcements in core: who may pin and unpin (`permissions.can_pin`, `can_unpin`),
which posts and dates (`pins`), and what `feeds.pinned_posts` shows: while the date lasts, only
what the viewer may see, at most three, newest first."""

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from buurtnet.core import feeds, permissions, pins
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ActionKind,
    Duty,
    ModerationAction,
    ModerationState,
    Neighbourhood,
    Post,
    Role,
    Visibility,
)
from buurtnet.moderation import actions, roles
from tests.conftest import make_account, write_post
from tests.kit.databases import on_postgresql
from tests.moderation_kit import moderator, second_neighbourhood

TODAY = date(2026, 12, 4)
NEXT_WEEK = TODAY + timedelta(days=7)


async def director(database: Database, neighbourhood: Neighbourhood, name: str = "dirk") -> Account:
    return await make_account(database, name, neighbourhood=neighbourhood, duty=Duty.DIRECTOR)


async def pin(
    database: Database, actor: Account, post: Post, until: date | None = NEXT_WEEK
) -> Post:
    assert post.id is not None
    async with database.transaction() as session:
        held = await permissions.roles_of(session, actor)
        return await pins.pin(session, actor, held, post.id, until, TODAY)


async def unpin(database: Database, actor: Account, post: Post) -> Post:
    assert post.id is not None
    async with database.transaction() as session:
        held = await permissions.roles_of(session, actor)
        return await pins.unpin(session, actor, held, post.id)


async def shown(
    database: Database, neighbourhood: Neighbourhood, viewer: Account | None, today: date = TODAY
) -> list[int | None]:
    async with database.reading() as session:
        found = await feeds.pinned_posts(session, neighbourhood.id, viewer, today)
    return [view.post.id for view in found]


async def pinned_until(database: Database, post: Post, day: date) -> None:
    """A pin's day set directly: pinned long ago, or by two directors at the same moment."""
    async with database.transaction() as session:
        found = await session.get(Post, post.id)
        assert found is not None
        found.pinned_until = day


async def removed_by_a_moderator(database: Database, place: Neighbourhood, post: Post) -> None:
    mees, mees_roles = await moderator(database, "mees", place)
    async with database.transaction() as session:
        measure = actions.Measure("Dit hoort hier niet.", "other")
        await actions.remove_post(session, mees, mees_roles, post.id or 0, measure)


async def logged(database: Database) -> list[tuple[str, int | None, str]]:
    async with database.reading() as session:
        found = await session.exec(select(ModerationAction).order_by(col(ModerationAction.id)))
        return [
            (entry.kind, entry.target_post_id, entry.reason)
            for entry in found.all()
            if entry.kind in (ActionKind.PIN_POST, ActionKind.UNPIN_POST)
        ]


async def test_a_director_pins_their_post_until_a_day_and_that_day_is_included(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    dirk = await director(database, neighbourhood)
    post = await write_post(database, dirk, "Zaterdag buurtschoonmaak, doet u mee?")
    pinned = await pin(database, dirk, post)
    assert pinned.pinned_until == NEXT_WEEK
    assert await shown(database, neighbourhood, resident) == [post.id]
    assert await shown(database, neighbourhood, resident, NEXT_WEEK) == [post.id]
    assert await shown(database, neighbourhood, resident, NEXT_WEEK + timedelta(days=1)) == []
    assert await logged(database) == [
        (ActionKind.PIN_POST, post.id, f"pinned_until={NEXT_WEEK.isoformat()}")
    ]


async def test_only_a_director_there_or_an_admin_pins_and_only_their_own_post(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    there = await second_neighbourhood(database)
    dirk = await director(database, neighbourhood)
    dora = await make_account(database, "dora", neighbourhood=there, duty=Duty.DIRECTOR)
    # A director of another neighbourhood who lives here writes here as a neighbour.
    dora_here = await make_account(database, "doortje", neighbourhood=neighbourhood)
    async with database.transaction() as session:
        assert there.id is not None and dora_here.id is not None
        await permissions.grant(session, dora_here.id, there.id, Duty.DIRECTOR)
    mees, _ = await moderator(database, "mees", neighbourhood)
    admin = await make_account(database, "beheer", neighbourhood=neighbourhood, role=Role.ADMIN)
    for person in (resident, mees, dora_here):
        own = await write_post(database, person, "Mag dit bovenaan?")
        with pytest.raises(NotAllowed):
            await pin(database, person, own)
    dirks = await write_post(database, dirk, "Van de buurtregisseur")
    for person in (resident, dora, admin):
        with pytest.raises((NotAllowed, NotFound)):
            await pin(database, person, dirks)
    admins = await write_post(database, admin, "Onderhoud zondag")
    assert (await pin(database, admin, admins)).pinned_until == NEXT_WEEK


@pytest.mark.parametrize(
    ("until", "problem"),
    [
        (None, "pin_date_invalid"),
        (TODAY - timedelta(days=1), "pin_date_past"),
        (TODAY + timedelta(days=pins.MAX_DAYS_AHEAD + 1), "pin_date_too_far"),
    ],
)
async def test_a_wrong_day_is_refused_with_its_reason(
    database: Database, neighbourhood: Neighbourhood, until: date | None, problem: str
) -> None:
    dirk = await director(database, neighbourhood)
    post = await write_post(database, dirk, "Mededeling")
    with pytest.raises(InvalidInput) as refused:
        await pin(database, dirk, post, until)
    assert refused.value.errors == {pins.FIELD: problem}


async def test_today_and_the_last_day_allowed_are_fine(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    dirk = await director(database, neighbourhood)
    post = await write_post(database, dirk, "Mededeling")
    for until in (TODAY, TODAY + timedelta(days=pins.MAX_DAYS_AHEAD)):
        assert (await pin(database, dirk, post, until)).pinned_until == until


async def test_replies_posts_for_fewer_people_and_held_posts_are_not_announcements(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    dirk = await director(database, neighbourhood)
    parent = await write_post(database, resident, "Wie helpt mee?")
    cases = {
        "pin_reply": await write_post(database, dirk, "Ik!", in_reply_to_id=parent.id),
        "pin_not_for_neighbourhood": await write_post(
            database, dirk, "Alleen volgers", visibility=Visibility.FOLLOWERS
        ),
    }
    held = await write_post(database, dirk, "Even wachten")
    async with database.transaction() as session:
        found = await session.get(Post, held.id)
        assert found is not None
        found.moderation = ModerationState.HELD
    cases["pin_held"] = held
    for problem, post in cases.items():
        with pytest.raises(InvalidInput) as refused:
            await pin(database, dirk, post)
        assert refused.value.errors == {pins.FIELD: problem}
    public = await write_post(database, dirk, "Voor iedereen", visibility=Visibility.PUBLIC)
    assert (await pin(database, dirk, public)).pinned_until == NEXT_WEEK


async def test_three_at_a_time_but_ended_and_removed_pins_take_no_place(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    dirk = await director(database, neighbourhood)
    first, second, third, fourth = [
        await write_post(database, dirk, f"Mededeling {n}") for n in range(4)
    ]
    for post in (first, second, third):
        await pin(database, dirk, post)
    with pytest.raises(InvalidInput) as refused:
        await pin(database, dirk, fourth)
    assert refused.value.errors == {pins.FIELD: "pin_too_many"}
    await pin(database, dirk, third, NEXT_WEEK + timedelta(days=1))  # a new day for a pinned one
    await pinned_until(database, first, TODAY - timedelta(days=1))
    await pin(database, dirk, fourth)
    await removed_by_a_moderator(database, neighbourhood, second)
    assert await shown(database, neighbourhood, resident) == [fourth.id, third.id]
    await pin(database, dirk, await write_post(database, dirk, "Nog een"))


async def test_at_most_three_are_shown_newest_first(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    """Two directors pinning at once might pass the count together: the page stays short."""
    dirk = await director(database, neighbourhood)
    written = [await write_post(database, dirk, f"Mededeling {n}") for n in range(4)]
    for post in written:
        await pinned_until(database, post, NEXT_WEEK)
    newest = [post.id for post in reversed(written)][: feeds.PINNED_AT_MOST]
    assert await shown(database, neighbourhood, resident) == newest


async def test_only_who_may_see_a_pinned_post_sees_it(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    there = await second_neighbourhood(database)
    elsewhere = await make_account(database, "olga", neighbourhood=there)
    dirk = await director(database, neighbourhood)
    for_here = await write_post(database, dirk, "Voor de buurt")
    for_all = await write_post(database, dirk, "Voor iedereen", visibility=Visibility.PUBLIC)
    for post in (for_here, for_all):
        await pin(database, dirk, post)
    assert await shown(database, neighbourhood, resident) == [for_all.id, for_here.id]
    assert await shown(database, neighbourhood, elsewhere) == [for_all.id]
    assert await shown(database, neighbourhood, None) == [for_all.id]
    assert await shown(database, there, elsewhere) == []
    await removed_by_a_moderator(database, neighbourhood, for_all)
    assert await shown(database, neighbourhood, resident) == [for_here.id]
    assert await shown(database, neighbourhood, None) == []


async def test_the_author_directors_there_and_admins_take_a_pin_down(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    dirk = await director(database, neighbourhood)
    dana = await director(database, neighbourhood, "dana")
    mees, _ = await moderator(database, "mees", neighbourhood)
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    post = await write_post(database, dirk, "Mededeling", visibility=Visibility.PUBLIC)
    for person in (resident, mees):
        await pin(database, dirk, post)
        with pytest.raises(NotAllowed):
            await unpin(database, person, post)
    for person in (dirk, dana, admin):
        await pin(database, dirk, post)
        assert (await unpin(database, person, post)).pinned_until is None
        assert await shown(database, neighbourhood, resident) == []
    await unpin(database, dirk, post)  # not pinned: nothing happens, nothing is logged
    kinds = [kind for kind, _post, _reason in await logged(database)]
    assert kinds == [ActionKind.PIN_POST] * 2 + [ActionKind.PIN_POST, ActionKind.UNPIN_POST] * 3


async def test_a_directors_announcements_end_with_their_duty(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    dirk = await director(database, neighbourhood)
    post = await write_post(database, dirk, "Mededeling")
    await pin(database, dirk, post)
    wanted = roles.Appointment("dirk", neighbourhood.id, Duty.DIRECTOR)
    async with database.transaction() as session:
        assert await roles.take_back(session, None, roles.COMMAND_LINE, wanted)
    assert await shown(database, neighbourhood, resident) == []
    async with database.reading() as session:
        found = await session.get(Post, post.id)
    assert found is not None and found.pinned_until is None


async def test_the_pinned_posts_are_read_on_their_partial_index(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    """Not by walking all of the neighbourhood's posts newest first in search of a few pinned
    ones. PostgreSQL, on a table this small, rightly prefers a scan: it is told not to."""
    assert neighbourhood.id is not None
    async with database.reading() as session:
        query = feeds.pinned_query(neighbourhood.id, resident, TODAY)
        connection = await session.connection()
        literal = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        if on_postgresql():
            await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = await connection.exec_driver_sql(f"EXPLAIN {literal}")
        else:
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {literal}")
        lines = [str(row) for row in plan.all()]
    assert any("ix_post_pinned" in line for line in lines), lines
