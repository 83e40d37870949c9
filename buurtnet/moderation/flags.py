"""Reports from other servers (a `Flag`): which of the people and posts named here it is about.

A Flag may name several things; a report is about one person. It is the first person named,
else the author of the first post named (Mastodon names the person first, and one only). Posts
by someone else are left out, and so are posts for the neighbourhood: they never leave the
instance, so no server elsewhere can have seen them. A server whose reports are rejected
(`domain_blocks.rejects_reports`) files nothing, as Mastodon does; nor does a Flag about
someone no longer here.

Each server has a budget of Flags an hour (`spend_flag_budget`, its size a setting): one that
sends many, each with a new id, would otherwise fill the moderators' queue.
"""

from collections.abc import Sequence
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import ratelimit, relations
from buurtnet.core.errors import NotFound
from buurtnet.models import Account, AccountStatus, Post, Report, Visibility
from buurtnet.moderation import domain_blocks, reports

FLAG_WINDOW = timedelta(hours=1)


def flag_budget(reporter_domain: str, limit: int) -> ratelimit.Budget:
    """The `limit` Flags a server may send us in a sliding hour."""
    key = ratelimit.rate_key("flag", reporter_domain.lower())
    return ratelimit.Budget(key, limit, FLAG_WINDOW)


async def spend_flag_budget(session: AsyncSession, reporter_domain: str, limit: int) -> bool:
    """Count one Flag of the server; False (counting nothing) when its budget is spent (a
    `limit` of 0: no budget). In a write transaction, before the Flag is taken in."""
    if limit <= 0:
        return True
    return await ratelimit.spend(session, [flag_budget(reporter_domain, limit)])


async def take_flag(
    session: AsyncSession,
    *,
    uri: str,
    reporter_domain: str,
    usernames: Sequence[str],
    post_ids: Sequence[int],
    comment: str,
) -> Report | None:
    """The report a Flag makes about people (by username) and posts (by id) here; None when it
    makes none: reports of that server rejected, nothing named here, or taken in before."""
    if await domain_blocks.rejects_reports(session, reporter_domain):
        return None
    people = [person for name in usernames if (person := await _person(session, name))]
    named_posts = [post for post_id in post_ids if (post := await _post(session, post_id))]
    target = people[0] if people else None
    if target is None and named_posts:
        target = await _active_local(session, named_posts[0].author_id)
    if target is None:
        return None
    reported = [post for post in named_posts if post.author_id == target.id]
    return await reports.file_flag(
        session,
        uri=uri,
        reporter_domain=reporter_domain,
        target=target,
        reported=reported,
        comment=comment,
    )


async def _person(session: AsyncSession, username: str) -> Account | None:
    try:
        return await relations.active_account_by_username(session, username)
    except NotFound:
        return None


async def _post(session: AsyncSession, post_id: int) -> Post | None:
    """A post of ours that may have left the instance."""
    post = await session.get(Post, post_id)
    if post is None or post.uri is not None or post.visibility == Visibility.NEIGHBOURHOOD:
        return None
    return post


async def _active_local(session: AsyncSession, account_id: int) -> Account | None:
    account = await session.get(Account, account_id)
    if account is None or account.is_remote or account.status != AccountStatus.ACTIVE:
        return None
    return account
