"""Deleting one's own account: nothing personal stays, other people's counts stay right."""

import json

import httpx
from sqlmodel import col, func, or_, select
from starlette.applications import Starlette

from buurtnet.core import (
    account_deletion,
    interactions,
    login,
    login_sessions,
    names,
    password_checks,
    permissions,
    relations,
    search,
)
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    Block,
    Duty,
    Follow,
    Job,
    Like,
    LoginSession,
    MediaAttachment,
    Mention,
    Mute,
    Neighbourhood,
    Notification,
    Post,
    RoleGrant,
    Share,
    Visibility,
)
from buurtnet.web.auth import SESSION_COOKIE
from tests.conftest import PASSWORD, csrf_token, log_in, make_account, write_post


async def write(database: Database, author: Account, source: str, **choices: object) -> Post:
    choices = {"visibility": Visibility.PUBLIC} | choices
    return await write_post(database, author, source, **choices)


async def fill_a_life(database: Database, anna: Account, bram: Account) -> tuple[Post, Post]:
    """Anna posts, replies, likes, shares, follows, blocks, mutes, has photos and logins."""
    assert anna.id is not None and bram.id is not None
    bram_post = await write(database, bram, "Wie helpt met de tuin?")
    anna_post = await write(database, anna, "Ik heb een ladder, @bram #delen")
    await write(database, anna, "Ik help!", in_reply_to_id=bram_post.id)
    await write(database, bram, "Dank je", in_reply_to_id=anna_post.id)
    third = await make_account(database, "cees")
    async with database.transaction() as session:
        await interactions.like(session, anna, bram_post.id or 0)
        await interactions.share(session, anna, bram_post.id or 0)
        await interactions.like(session, bram, anna_post.id or 0)
        await relations.follow(session, anna, bram.id)
        if anna.neighbourhood_id is not None:  # she moderates her neighbourhood
            await permissions.grant(session, anna.id, anna.neighbourhood_id, Duty.MODERATOR)
        await relations.follow(session, bram, anna.id)
        await relations.block(session, anna, third.id or 0)
        await relations.mute(session, bram, anna.id)
        await login_sessions.start_session(session, anna)
        stored = await session.get(Account, anna.id)
        assert stored is not None
        stored.avatar_key = "avatar.png"
        stored.bio = "Ik woon op nummer 12"
        stored.display_name = "Anna de Vries"
        stored.locale = "en"
        for post_id, key in ((anna_post.id, "photo"), (None, "draft")):
            session.add(
                MediaAttachment(
                    owner_id=anna.id,
                    post_id=post_id,
                    storage_key=f"{key}.jpg",
                    thumbnail_key=f"{key}_small.jpg",
                    content_type="image/jpeg",
                    width=10,
                    height=10,
                )
            )
    return bram_post, anna_post


async def rows_about(database: Database, account_id: int) -> dict[str, int]:
    """How many rows of each kind still name the account."""
    conditions = {
        "posts": (Post, col(Post.author_id) == account_id),
        "likes": (Like, col(Like.account_id) == account_id),
        "shares": (Share, col(Share.account_id) == account_id),
        "follows": (
            Follow,
            or_(col(Follow.follower_id) == account_id, col(Follow.followed_id) == account_id),
        ),
        "blocks": (
            Block,
            or_(col(Block.blocker_id) == account_id, col(Block.blocked_id) == account_id),
        ),
        "mutes": (Mute, or_(col(Mute.muter_id) == account_id, col(Mute.muted_id) == account_id)),
        "mentions": (Mention, col(Mention.account_id) == account_id),
        "notifications": (
            Notification,
            or_(
                col(Notification.recipient_id) == account_id,
                col(Notification.actor_id) == account_id,
            ),
        ),
        "logins": (LoginSession, col(LoginSession.account_id) == account_id),
        "duties": (RoleGrant, col(RoleGrant.account_id) == account_id),
        "media": (MediaAttachment, col(MediaAttachment.owner_id) == account_id),
    }
    counts = {}
    async with database.reading() as session:
        for name, (table, condition) in conditions.items():
            query = select(func.count()).select_from(table).where(condition)
            counts[name] = (await session.exec(query)).one()
    return counts


async def test_deleting_removes_everything_personal_and_keeps_a_tombstone(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    bram = await make_account(database, "bram", neighbourhood=neighbourhood)
    bram_post, _anna_post = await fill_a_life(database, resident, bram)
    assert resident.id is not None
    before = await rows_about(database, resident.id)
    assert [name for name, count in before.items() if count == 0] == []

    async with database.transaction() as session:
        await account_deletion.delete_account(session, resident)

    assert set((await rows_about(database, resident.id)).values()) == {0}
    async with database.reading() as session:
        tombstone = await session.get(Account, resident.id)
        others_post = await session.get(Post, bram_post.id)
        jobs = (await session.exec(select(Job))).all()
        assert await names.name_is_taken(session, "Anna")
        assert await search.search_people(session, "anna", None) == []
    assert tombstone is not None
    assert tombstone.status == AccountStatus.DELETED
    assert tombstone.username == "anna"
    assert tombstone.email == f"deleted-{resident.id}@invalid"
    assert (tombstone.password_hash, tombstone.display_name, tombstone.bio) == ("", "", "")
    assert (tombstone.avatar_key, tombstone.locale, tombstone.neighbourhood_id) == (
        None,
        None,
        None,
    )
    assert others_post is not None
    assert (others_post.like_count, others_post.share_count, others_post.reply_count) == (0, 0, 0)
    removed = sorted(key for job in jobs for key in json.loads(job.payload)["keys"])
    assert removed == sorted(
        ["avatar.png", "draft.jpg", "draft_small.jpg", "photo.jpg", "photo_small.jpg"]
    )


async def test_a_deleted_person_cannot_log_in(database: Database, resident: Account) -> None:
    async with database.transaction() as session:
        await account_deletion.delete_account(session, resident)
    async with database.reading() as session:
        check = await login.check_password(session, "anna", PASSWORD, client_address="x")
    async with database.transaction() as session:
        outcome = await login.finish_login(session, check)
    assert outcome.account is None


async def test_a_wrong_password_deletes_nothing_and_counts_as_a_guess(
    database: Database, resident: Account
) -> None:
    for _ in range(login.WRONG_PASSWORDS_PER_ACCOUNT):
        async with database.reading() as session:
            check = await password_checks.check(
                session, resident, "niet het wachtwoord", client_address="1"
            )
        async with database.transaction() as session:
            assert await account_deletion.delete_if_confirmed(session, check) == {
                "password": "password_current_wrong"
            }
    async with database.reading() as session:
        check = await password_checks.check(session, resident, PASSWORD, client_address="2")
    async with database.transaction() as session:
        problems = await account_deletion.delete_if_confirmed(session, check)
    assert problems == {"password": "login_too_many"}  # for the account, from any address
    async with database.reading() as session:
        same_address = await login.check_password(session, "anna", PASSWORD, client_address="1")
    assert same_address.too_many  # the guesses count as failed logins from their address
    async with database.reading() as session:
        stored = await session.get(Account, resident.id)
    assert stored is not None and stored.status == AccountStatus.ACTIVE


async def test_deleting_on_the_web_asks_the_password_and_logs_out(
    app: Starlette, client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await write(database, resident, "Mijn laatste bericht")
    await log_in(client, "anna")
    page = await client.get("/settings/delete")
    assert page.status_code == 200 and 'type="password"' in page.text
    token = await csrf_token(client, "/settings/delete")

    wrong = await client.post("/settings/delete", data={"csrf_token": token, "password": "nee"})
    assert wrong.status_code == 400
    assert (await client.get("/@anna")).status_code == 200

    done = await client.post("/settings/delete", data={"csrf_token": token, "password": PASSWORD})
    assert (done.status_code, done.headers["location"]) == (303, "/goodbye")
    assert f'{SESSION_COOKIE}=""' in done.headers["set-cookie"]
    assert (await client.get("/goodbye")).status_code == 200
    assert (await client.get("/@anna")).status_code == 404
    assert (await client.get("/settings")).status_code == 303  # logged out
    search_page = await client.get("/search", params={"q": "anna"})
    assert 'href="/@anna"' not in search_page.text
