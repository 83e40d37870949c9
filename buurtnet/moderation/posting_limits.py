"""What a person may post now: the budgets everyone has (`posting_budgets`), and the tighter
limits of an account in its first days, which the admin sets.

A spammer signs up and posts at once, many posts full of links; a neighbour who just joined
writes a few. So for `days` after sign-up an account may write `posts_per_day` posts and replies
and `links_per_day` links in them, counted over the last 24 hours. Admins and people with a duty
(moderators, directors) are trusted from the start. Setting `days` to 0 turns the limits off.

The composer and the activity forms call `check` (reading, before photos are decoded) and
`admit` (in the transaction that writes the post). Writing through `posts.create_post` directly,
as the demo data and tests do, is not limited.
"""

from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import typed_text
from buurtnet.core import permissions, posting_budgets
from buurtnet.core.errors import InvalidInput
from buurtnet.core.local_times import utc
from buurtnet.models import Account, ActionKind, Post, SiteSetting, utcnow
from buurtnet.moderation import audit

DAY = timedelta(days=1)
POST_LIMIT_REACHED = "new_account_post_limit"
LINK_LIMIT_REACHED = "new_account_link_limit"


@dataclass(frozen=True)
class NewAccountLimits:
    days: int = 3  # how long an account counts as new
    posts_per_day: int = 10
    links_per_day: int = 5


DEFAULTS = NewAccountLimits()
# The setting's key for each field, and the values an admin may choose.
SETTING_PREFIX = "new_account_"
BOUNDS = {"days": (0, 90), "posts_per_day": (1, 1000), "links_per_day": (0, 1000)}


def setting_key(field: str) -> str:
    return SETTING_PREFIX + field


async def new_account_limits(session: AsyncSession) -> NewAccountLimits:
    """The admin's choice; a field never set (or no longer valid) keeps its default."""
    chosen: dict[str, int] = {}
    for field, (low, high) in BOUNDS.items():
        setting = await session.get(SiteSetting, setting_key(field))
        if setting is not None and setting.value.isdecimal() and low <= int(setting.value) <= high:
            chosen[field] = int(setting.value)
    return NewAccountLimits(**chosen)


def limits_problems(values: dict[str, str]) -> dict[str, str]:
    """What is wrong with the admin's form, as field -> message code."""
    errors = {}
    for field, (low, high) in BOUNDS.items():
        value = values.get(field, "").strip()
        if not (value.isascii() and value.isdecimal()) or not low <= int(value) <= high:
            errors[field] = f"new_account_{field}_invalid"
    return errors


async def set_new_account_limits(
    session: AsyncSession, admin: Account, values: dict[str, str]
) -> NewAccountLimits:
    """Save the admin's choice (the fields of `NewAccountLimits`, as typed); in the audit log."""
    if errors := limits_problems(values):
        raise InvalidInput(errors)
    limits = NewAccountLimits(**{field: int(values[field].strip()) for field in BOUNDS})
    for field, value in asdict(limits).items():
        setting = await session.get(SiteSetting, setting_key(field))
        if setting is None:
            session.add(SiteSetting(key=setting_key(field), value=str(value)))
        else:
            setting.value = str(value)
    reason = ", ".join(f"{setting_key(field)}={value}" for field, value in asdict(limits).items())
    await audit.record(session, ActionKind.CHANGE_SETTING, admin, reason=reason)
    return limits


def count_links(text: str) -> int:
    """The links a text makes: the web addresses that the rendering turns into links."""
    return len(typed_text.URL.findall(text))


async def check_new_account(session: AsyncSession, author: Account, source: str) -> None:
    """`InvalidInput` (for the composer's text field) when an account in its first days has
    written its posts or links for the last 24 hours; nothing for everyone else."""
    limits = await new_account_limits(session)
    if author.id is None or author.is_remote or limits.days == 0:
        return
    if utc(author.created_at) <= utcnow() - timedelta(days=limits.days):
        return
    if (await permissions.roles_of(session, author)).any_duty:
        return
    recent = await session.exec(
        select(Post.source).where(
            col(Post.author_id) == author.id, col(Post.created_at) > utcnow() - DAY
        )
    )
    sources = list(recent.all())
    if len(sources) >= limits.posts_per_day:
        raise InvalidInput.single("source", POST_LIMIT_REACHED)
    links = count_links(source)
    if links and sum(map(count_links, sources)) + links > limits.links_per_day:
        raise InvalidInput.single("source", LINK_LIMIT_REACHED)


async def check(session: AsyncSession, author: Account, source: str, *, is_reply: bool) -> None:
    """Before the costly part of writing a post (photos), in a read session: refuse early."""
    assert author.id is not None
    await check_new_account(session, author, source)
    what = posting_budgets.posting(is_reply=is_reply)
    await posting_budgets.refuse_when_spent(session, what, author.id)


async def admit(session: AsyncSession, author: Account, source: str, *, is_reply: bool) -> None:
    """In the transaction that writes the post: count it on the budget, then check the limits.
    Spending first serialises the account's posts (`ratelimit.lock`), so parallel ones are
    counted one after another; a refusal rolls the spending back with the transaction."""
    assert author.id is not None
    await posting_budgets.spend(session, posting_budgets.posting(is_reply=is_reply), author.id)
    await check_new_account(session, author, source)
