"""Who a post addresses by name, and telling them: one path for posts written here and posts from
elsewhere, when they are written and when they change.

A `Mention` row lets its person see the post, whatever its visibility (`visibility`), and makes
the post reach them (`audience`). After an edit the rows are made to match the post as it is
now: someone no longer named loses access to a private post, and only the newly named are told.
"""

from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import notifications
from buurtnet.db import insert_new
from buurtnet.models import (
    Account,
    AccountStatus,
    Mention,
    Notification,
    NotificationKind,
    Post,
    Visibility,
)

PRIVATE = (Visibility.FOLLOWERS, Visibility.DIRECT)


async def address(
    session: AsyncSession,
    post_id: int,
    author_id: int,
    addressed: Iterable[int],
    *,
    answered: int | None = None,
    tell: bool = True,
) -> None:
    """Make the post address exactly these people (its author left out): rows added and removed,
    and everyone newly addressed told, except `answered`, the author of the post it answers (who
    is told of the reply instead), and except whoever was told of this post before.

    Without `tell` (a post held for review) nobody is told yet: addressing it again once it is
    published tells them."""
    wanted = set(addressed) - {author_id}
    gone = col(Mention.account_id).not_in(wanted)
    await session.exec(delete(Mention).where(col(Mention.post_id) == post_id, gone))
    rows = [{"post_id": post_id, "account_id": account_id} for account_id in sorted(wanted)]
    await insert_new(session, Mention, rows, unique=["post_id", "account_id"])
    if not tell:
        return
    told = await session.exec(
        select(Notification.recipient_id).where(
            Notification.post_id == post_id, Notification.kind == NotificationKind.MENTION
        )
    )
    for account_id in sorted(wanted - set(told.all()) - {answered}):
        await notifications.notify(
            session, account_id, author_id, NotificationKind.MENTION, post_id
        )


async def conversation_of(session: AsyncSession, parent: Post) -> set[int]:
    """Whom a reply written here addresses besides those it names: the author of the post it
    answers, and in a private conversation everyone that post addressed."""
    people = {parent.author_id}
    if parent.visibility in PRIVATE:
        named = await session.exec(select(Mention.account_id).where(Mention.post_id == parent.id))
        people |= set(named.all())
    return people


async def local_ids_by_username(session: AsyncSession, usernames: Iterable[str]) -> list[int]:
    """The active residents with these names (any case): whom a post from elsewhere names here."""
    keys = sorted({name.lower() for name in usernames})
    if not keys:
        return []
    found = await session.exec(
        select(Account.id).where(
            col(Account.username_key).in_(keys),
            col(Account.domain).is_(None),
            col(Account.status) == AccountStatus.ACTIVE,
        )
    )
    return [account_id for account_id in found.all() if account_id is not None]
