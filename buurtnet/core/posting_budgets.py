"""How often anyone may post, reply and report: budgets per account and hour, for everyone.

They stop a script or a runaway hand, not a person: a neighbour who writes a lot stays well under
them. Posts and replies are counted apart, since a lively conversation takes more replies than
anyone writes posts. A used-up budget is `TooMany`, which the web answers with 429 and the time
until there is room again.
"""

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import ratelimit
from buurtnet.core.errors import TooMany

WINDOW = timedelta(hours=1)
POSTS_PER_HOUR = 30  # posts that start a conversation, activities and organisers' messages
REPLIES_PER_HOUR = 60
REPORTS_PER_HOUR = 10

POSTS = "posts"
REPLIES = "replies"
REPORTS = "reports"
LIMITS = {POSTS: POSTS_PER_HOUR, REPLIES: REPLIES_PER_HOUR, REPORTS: REPORTS_PER_HOUR}


def budget(what: str, account_id: int) -> ratelimit.Budget:
    """The budget of one account for one kind of thing (`POSTS`, `REPLIES`, `REPORTS`)."""
    return ratelimit.Budget(ratelimit.rate_key(what, str(account_id)), LIMITS[what], WINDOW)


def posting(*, is_reply: bool) -> str:
    """Which budget a post spends."""
    return REPLIES if is_reply else POSTS


async def refuse_when_spent(session: AsyncSession, what: str, account_id: int) -> None:
    """`TooMany` when the budget is used up; a hint for a read session, before costly work
    (decoding photos), as nothing is locked or counted."""
    found = budget(what, account_id)
    if await ratelimit.any_spent(session, [found]):
        raise TooMany(what, await ratelimit.seconds_until_room(session, found))


async def spend(session: AsyncSession, what: str, account_id: int) -> None:
    """Count one, in the write transaction of what it is for; `TooMany` when used up (then
    nothing is counted, and the transaction's rollback takes back nothing of the budget)."""
    found = budget(what, account_id)
    if not await ratelimit.spend(session, [found]):
        raise TooMany(what, await ratelimit.seconds_until_room(session, found))
