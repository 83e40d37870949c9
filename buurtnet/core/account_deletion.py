"""Deleting one's own account: everything personal goes, a tombstone keeps the name taken.

The username stays with a DELETED row, so nobody can take it over and be mistaken on the
fediverse for the person who left. The password is checked first, while only reading (argon2 is
slow); the short write that follows counts a wrong password as the password-change form does
(see `login`), so a borrowed session cannot be used to guess.
"""

from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, or_, update
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.config import DEFAULT_TIME_ZONE
from buurtnet.core import (
    departures,
    login,
    media,
    outbound,
    participation,
    password_checks,
    polls,
    post_removal,
)
from buurtnet.models import (
    Account,
    AccountStatus,
    Block,
    CalendarFeed,
    CareSignal,
    CareSignalNote,
    Follow,
    FollowRequest,
    Like,
    LoginSession,
    MailToken,
    MediaAttachment,
    Mention,
    Mute,
    NeighbourhoodFollower,
    Notification,
    Post,
    Role,
    RoleGrant,
    Share,
)

PASSWORD_WRONG = "password_current_wrong"


def placeholder_email(account_id: int) -> str:
    """Unique (e-mail addresses are) and nobody's; `.invalid` can never be a real domain."""
    return f"deleted-{account_id}@invalid"


async def delete_if_confirmed(
    session: AsyncSession, check: password_checks.PasswordCheck, *, zone: ZoneInfo | None = None
) -> dict[str, str]:
    """The short write: count a wrong password, or delete the account.

    Returns the problems rather than raising, so the transaction commits a counted failure.
    """
    verdict = await password_checks.settle(session, check)
    if verdict == password_checks.Verdict.TOO_MANY:
        return {"password": login.LoginRefusal.TOO_MANY.value}
    if verdict == password_checks.Verdict.WRONG:
        return {"password": PASSWORD_WRONG}
    account = await session.get(Account, check.account_id)
    assert account is not None
    await delete_account(session, account, zone=zone)
    return {}


async def delete_account(
    session: AsyncSession, account: Account, *, zone: ZoneInfo | None = None
) -> None:
    """Remove a person's posts, images, reactions, sign-ups, votes, relations, notifications,
    logins and calendar feed, and turn the account into a tombstone. Counts on other people's
    posts, activities and polls are kept right. A member's leaving is counted, on the day it
    is on `zone`'s calendar (the instance's), for the liveability figures."""
    assert account.id is not None
    account_id = account.id
    # Locked, as `posts.create_post` locks its author: no post can slip in while this runs.
    stored = await session.get(Account, account_id, with_for_update=True)
    assert stored is not None
    await outbound.account_deleted(session, stored)  # while its follows are still there
    await _remove_reactions(session, account_id, Like, col(Post.like_count))
    await _remove_reactions(session, account_id, Share, col(Post.share_count))
    own_posts = (await session.exec(select(Post).where(col(Post.author_id) == account_id))).all()
    await post_removal.remove_posts(session, own_posts)  # also queues the removal of their images
    await participation.withdraw_everywhere(session, stored)  # places go to who waits
    await polls.forget_voter(session, account_id)
    await _remove_other_media(session, account_id, stored.avatar_key)
    await _remove_relations(session, account_id)
    await _untie_care_signals(session, account_id)
    # While it still has its status and neighbourhood:
    departures.record(session, stored, zone or ZoneInfo(DEFAULT_TIME_ZONE))
    stored.status = AccountStatus.DELETED
    stored.role = Role.RESIDENT
    stored.email = placeholder_email(account_id)
    stored.password_hash = ""
    stored.display_name = ""
    stored.bio = ""
    stored.place = ""  # where they lived: not kept (core/welcome)
    stored.avatar_key = None
    stored.locale = None
    stored.neighbourhood_id = None


async def _untie_care_signals(session: AsyncSession, account_id: int) -> None:
    """Signals they raised stay with the director, no longer tied to them (the tombstone keeps
    the row, so the foreign key's SET NULL never fires); so do notes they wrote as director."""
    await session.exec(
        update(CareSignal)
        .where(col(CareSignal.raised_by_id) == account_id)
        .values(raised_by_id=None, may_contact=False)
    )
    await session.exec(
        update(CareSignalNote)
        .where(col(CareSignalNote.author_id) == account_id)
        .values(author_id=None)
    )


async def _remove_reactions(
    session: AsyncSession,
    account_id: int,
    table: type[Like] | type[Share],
    counter: Mapped[int],
) -> None:
    """Take back their likes (or shares): one less on each post, in one statement."""
    reacted = select(table.post_id).where(col(table.account_id) == account_id)
    lowered = case((counter > 0, counter - 1), else_=0)
    await session.exec(update(Post).where(col(Post.id).in_(reacted)).values({counter: lowered}))
    await session.exec(delete(table).where(col(table.account_id) == account_id))


async def _remove_other_media(
    session: AsyncSession, account_id: int, avatar_key: str | None
) -> None:
    """Images not (or no longer) in a post, and the avatar: their files go by a job too."""
    found = await session.exec(
        select(MediaAttachment.storage_key, MediaAttachment.thumbnail_key).where(
            col(MediaAttachment.owner_id) == account_id
        )
    )
    keys = [key for pair in found.all() for key in pair]
    if avatar_key:
        keys.append(avatar_key)
    if keys:
        media.enqueue_removal(session, keys)
    await session.exec(delete(MediaAttachment).where(col(MediaAttachment.owner_id) == account_id))


async def _remove_relations(session: AsyncSession, account_id: int) -> None:
    for statement in (
        delete(Follow).where(
            or_(col(Follow.follower_id) == account_id, col(Follow.followed_id) == account_id)
        ),
        delete(FollowRequest).where(
            or_(
                col(FollowRequest.follower_id) == account_id,
                col(FollowRequest.followed_id) == account_id,
            )
        ),
        delete(NeighbourhoodFollower).where(col(NeighbourhoodFollower.account_id) == account_id),
        delete(RoleGrant).where(col(RoleGrant.account_id) == account_id),  # duties end too
        delete(Block).where(
            or_(col(Block.blocker_id) == account_id, col(Block.blocked_id) == account_id)
        ),
        delete(Mute).where(or_(col(Mute.muter_id) == account_id, col(Mute.muted_id) == account_id)),
        delete(Mention).where(col(Mention.account_id) == account_id),
        delete(Notification).where(
            or_(
                col(Notification.recipient_id) == account_id,
                col(Notification.actor_id) == account_id,
            )
        ),
        delete(LoginSession).where(col(LoginSession.account_id) == account_id),
        delete(MailToken).where(col(MailToken.account_id) == account_id),  # links mailed to them
        delete(CalendarFeed).where(col(CalendarFeed.account_id) == account_id),
    ):
        await session.exec(statement)
