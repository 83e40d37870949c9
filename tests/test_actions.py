"""A moderator's measures: each in its scope, each with a reason the person is told, each in the
audit log; and what each changes for who sees what and who may log in."""

from datetime import timedelta

import httpx
import pytest
from sqlmodel import col

from buurtnet.core import account_deletion, feeds, posts
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    ActionKind,
    Follow,
    Job,
    ModerationAction,
    ModerationState,
    Neighbourhood,
    Notification,
    NotificationKind,
    Post,
    Visibility,
    utcnow,
)
from buurtnet.moderation import actions, appeals
from tests.conftest import PASSWORD, csrf_token, write_post
from tests.moderation_kit import (
    file,
    moderator,
    person_elsewhere,
    row,
    rows,
    second_neighbourhood,
)

SPAM = actions.Measure("Dit is reclame.", "spam")


async def visible(database: Database, viewer: Account | None, post: Post) -> bool:
    async with database.reading() as session:
        try:
            await posts.get_visible(session, viewer, post.id or 0)
        except NotFound:
            return False
    return True


async def in_neighbourhood_feed(
    database: Database, neighbourhood: Neighbourhood, viewer: Account | None, post: Post
) -> bool:
    async with database.reading() as session:
        page = await feeds.neighbourhood_feed(session, neighbourhood, viewer)
    return post.id in {view.post.id for view in page.items}


async def test_a_removed_post_is_hidden_logged_and_explained(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    bob, _note = await person_elsewhere(database)
    async with database.transaction() as session:
        session.add(Follow(follower_id=bob.id or 0, followed_id=neighbour.id or 0))
    post = await write_post(database, neighbour, "Koop nu", visibility=Visibility.PUBLIC)
    assert await visible(database, resident, post) and await visible(database, None, post)
    mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.transaction() as session:
        action = await actions.remove_post(session, mila, roles, post.id or 0, SPAM)
    assert not await visible(database, resident, post)
    assert not await visible(database, None, post)
    assert not await in_neighbourhood_feed(database, neighbourhood, resident, post)
    kept = await row(database, Post, post.id)
    assert kept.moderation == ModerationState.REMOVED  # hidden, not deleted
    logged = await row(database, ModerationAction, action.id)
    assert (logged.kind, logged.reason, logged.moderator_id) == (
        ActionKind.REMOVE_POST,
        "Dit is reclame.",
        mila.id,
    )
    assert (logged.target_post_id, logged.target_account_id) == (post.id, neighbour.id)
    told = await rows(database, Notification, col(Notification.recipient_id) == neighbour.id)
    assert [(n.kind, n.action_id) for n in told] == [(NotificationKind.MODERATED, action.id)]
    deletes = await rows(database, Job, col(Job.name) == "outbox.post_deleted")
    assert len(deletes) == 1
    with pytest.raises(InvalidInput):
        async with database.transaction() as session:
            await actions.remove_post(session, mila, roles, post.id or 0, SPAM)


async def test_marking_sensitive_folds_the_post_but_keeps_it_visible(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await write_post(database, neighbour, "Een naar plaatje")
    mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.transaction() as session:
        await actions.mark_sensitive(session, mila, roles, post.id or 0, SPAM)
    assert (await row(database, Post, post.id)).sensitive
    assert await visible(database, resident, post)


async def test_a_limited_person_reaches_only_their_followers(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await write_post(database, neighbour, "Weer ik", visibility=Visibility.PUBLIC)
    mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.transaction() as session:
        await actions.limit(session, mila, roles, neighbour.id or 0, SPAM)
    assert (await row(database, Account, neighbour.id)).limited
    assert not await in_neighbourhood_feed(database, neighbourhood, resident, post)
    assert await in_neighbourhood_feed(database, neighbourhood, neighbour, post)
    async with database.transaction() as session:
        session.add(Follow(follower_id=resident.id or 0, followed_id=neighbour.id or 0))
    assert await in_neighbourhood_feed(database, neighbourhood, resident, post)
    async with database.transaction() as session:
        await actions.lift_measures(session, mila, roles, neighbour.id or 0, SPAM)
    assert not (await row(database, Account, neighbour.id)).limited
    with pytest.raises(InvalidInput):
        async with database.transaction() as session:
            await actions.lift_measures(session, mila, roles, neighbour.id or 0, SPAM)


async def test_a_suspended_person_cannot_log_in_and_their_posts_are_hidden(
    database: Database,
    client: httpx.AsyncClient,
    resident: Account,
    neighbour: Account,
    neighbourhood: Neighbourhood,
) -> None:
    post = await write_post(database, neighbour, "Hallo", visibility=Visibility.PUBLIC)
    mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.transaction() as session:
        await actions.suspend(session, mila, roles, neighbour.id or 0, SPAM, None)
    assert (await row(database, Account, neighbour.id)).status == AccountStatus.SUSPENDED
    assert not await visible(database, resident, post)
    assert not await visible(database, None, post)
    token = await csrf_token(client, "/login")
    refused = await client.post(
        "/login",
        data={"csrf_token": token, "login_name": "bram", "password": PASSWORD, "next": "/"},
    )
    assert refused.status_code != 303
    assert "geschorst" in refused.text
    async with database.transaction() as session:
        await actions.lift_measures(session, mila, roles, neighbour.id or 0, SPAM)
    assert await visible(database, resident, post)


async def test_a_suspension_with_an_end_ends_by_itself(
    database: Database, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    mila, roles = await moderator(database, "mila", neighbourhood)
    with pytest.raises(InvalidInput):
        async with database.transaction() as session:
            await actions.suspend(
                session, mila, roles, neighbour.id or 0, SPAM, utcnow() - timedelta(days=1)
            )
    async with database.transaction() as session:
        await actions.suspend(
            session, mila, roles, neighbour.id or 0, SPAM, utcnow() + timedelta(days=7)
        )
    async with database.transaction() as session:
        assert await actions.end_suspensions(session) == 0
    async with database.transaction() as session:
        assert await actions.end_suspensions(session, utcnow() + timedelta(days=8)) == 1
    back = await row(database, Account, neighbour.id)
    assert (back.status, back.suspended_until) == (AccountStatus.ACTIVE, None)
    lifted = await rows(database, ModerationAction, col(ModerationAction.kind) == ActionKind.LIFT)
    assert [entry.moderator_id for entry in lifted] == [None]


async def test_a_moderator_acts_only_in_their_neighbourhood_never_on_themselves(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await write_post(database, neighbour, "Hallo")
    otto, others = await moderator(database, "otto", await second_neighbourhood(database))
    mila, roles = await moderator(database, "mila", neighbourhood)
    own = await write_post(database, mila, "Van mij")
    with pytest.raises(NotAllowed):
        async with database.transaction() as session:
            await actions.remove_post(session, otto, others, post.id or 0, SPAM)
    for measure in (actions.warn, actions.limit, actions.lift_measures):
        with pytest.raises(NotAllowed):
            async with database.transaction() as session:
                await measure(session, otto, others, neighbour.id or 0, SPAM)
        with pytest.raises(NotAllowed):
            async with database.transaction() as session:
                await measure(session, mila, roles, mila.id or 0, SPAM)
    async with database.transaction() as session:  # a post of one's own is in scope
        await actions.mark_sensitive(session, mila, roles, own.id or 0, SPAM)
    assert await rows(database, ModerationAction, col(ModerationAction.kind) == "warn") == []


@pytest.mark.parametrize(
    ("measure", "field"),
    [(actions.Measure("  "), "reason"), (actions.Measure("x" * 1001), "reason"),
     (actions.Measure("Reden", "rude"), "category")],
)  # fmt: skip
async def test_a_measure_needs_a_reason_and_a_rule(
    database: Database,
    neighbour: Account,
    neighbourhood: Neighbourhood,
    measure: actions.Measure,
    field: str,
) -> None:
    post = await write_post(database, neighbour, "Hallo")
    mila, roles = await moderator(database, "mila", neighbourhood)
    with pytest.raises(InvalidInput) as refused:
        async with database.transaction() as session:
            await actions.remove_post(session, mila, roles, post.id or 0, measure)
    assert field in refused.value.errors
    with pytest.raises(InvalidInput):
        async with database.transaction() as session:
            await actions.warn(session, mila, roles, neighbour.id or 0, measure)
    assert (await row(database, Post, post.id)).moderation is None


async def test_someone_elsewhere_is_in_scope_through_a_report_only(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    bob, note = await person_elsewhere(database)
    mila, roles = await moderator(database, "mila", neighbourhood)
    with pytest.raises(NotAllowed):
        async with database.transaction() as session:
            await actions.remove_post(session, mila, roles, note.id or 0, SPAM)
    report_id = await file(database, resident, bob, note)
    through = actions.Measure("Reclame", "spam", report_id)
    async with database.transaction() as session:
        await actions.remove_post(session, mila, roles, note.id or 0, through)
        await actions.limit(session, mila, roles, bob.id or 0, through)
    assert (await row(database, Post, note.id)).moderation == ModerationState.REMOVED
    assert (await row(database, Account, bob.id)).limited


async def test_the_notice_outlives_the_moderators_account(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    mila, roles = await moderator(database, "mila", neighbourhood)
    post = await write_post(database, resident, "Koop nu", visibility=Visibility.PUBLIC)
    async with database.transaction() as session:
        await actions.remove_post(session, mila, roles, post.id or 0, SPAM)
    async with database.transaction() as session:
        await account_deletion.delete_account(session, mila)
    told = col(Notification.recipient_id) == resident.id
    [notice] = await rows(database, Notification, told)
    assert notice.kind == NotificationKind.MODERATED and notice.action_id is not None


async def test_a_removed_reply_is_not_counted_and_counts_again_when_restored(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    mila, roles = await moderator(database, "mila", neighbourhood)
    kees, others = await moderator(database, "kees", neighbourhood)
    question = await write_post(database, resident, "Wie helpt?", visibility=Visibility.PUBLIC)
    reply = await write_post(database, neighbour, "Koop nu", in_reply_to_id=question.id)
    async with database.transaction() as session:
        removal = await actions.remove_post(session, mila, roles, reply.id or 0, SPAM)
    assert (await row(database, Post, question.id)).reply_count == 0
    async with database.transaction() as session:
        appeal = await appeals.file_appeal(session, neighbour, removal.id or 0, "Het was een grap")
        await appeals.decide(session, kees, others, appeal.id or 0, grant=True, reason="Goed")
    assert (await row(database, Post, question.id)).reply_count == 1
    async with database.transaction() as session:
        await posts.delete_post(session, neighbour, reply.id or 0)
    assert (await row(database, Post, question.id)).reply_count == 0


async def test_nobody_lets_their_own_held_post_through(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    mila, roles = await moderator(database, "mila", neighbourhood)
    held = await write_post(database, mila, "Wacht even", visibility=Visibility.PUBLIC)
    async with database.transaction() as session:
        stored = await session.get(Post, held.id)
        assert stored is not None
        stored.moderation = ModerationState.HELD
    with pytest.raises(NotAllowed):
        async with database.transaction() as session:
            await actions.approve_held(session, mila, roles, held.id or 0)
