"""What a resident gets by e-mail: their notifications by kind, grouped as people think of them,
and the weekly digest of their neighbourhood; and who may get such mail at all.

`Account.mail_kinds` stores the chosen `NotificationKind`s (comma-separated); the settings page
offers them in `GROUPS`, so that "activities" is one choice, not five. Turning mail off, from the
settings or from the unsubscribe link in a mail, only ever clears these columns.
"""

from collections.abc import Collection

from sqlalchemy import ColumnElement, and_
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.errors import NotFound
from buurtnet.models import Account, AccountStatus, NotificationKind

K = NotificationKind
# The choices on the settings page, in their order; every kind is in exactly one.
GROUPS: dict[str, tuple[NotificationKind, ...]] = {
    "mentions": (K.MENTION,),
    "replies": (K.REPLY,),
    "followers": (K.FOLLOW,),
    "reactions": (K.LIKE, K.SHARE),
    "activities": (K.EVENT_CHANGED, K.EVENT_CANCELLED, K.MOVED_UP, K.JOIN_REFUSED, K.REMINDER),
    "polls": (K.POLL_ENDED,),
    "moderation": (K.MODERATED, K.REPORT_CLOSED, K.APPEAL_DECIDED),
    "neighbours": (K.NEW_NEIGHBOUR,),
}


def chosen_kinds(account: Account) -> frozenset[str]:
    """The notification kinds the account gets by e-mail (unknown words in the column ignored)."""
    return frozenset(account.mail_kinds.split(",")) & frozenset(NotificationKind)


def chosen_groups(account: Account) -> frozenset[str]:
    """The groups of which every kind is chosen: what the settings page shows as ticked."""
    kinds = chosen_kinds(account)
    return frozenset(name for name, members in GROUPS.items() if kinds.issuperset(members))


def kinds_of(groups: Collection[str]) -> str:
    """The `mail_kinds` value for the chosen groups (unknown names ignored), in a fixed order."""
    return ",".join(kind for name, members in GROUPS.items() if name in groups for kind in members)


def may_get_news_by_mail() -> ColumnElement[bool]:
    """The condition on `Account` for mail other than about the account's security: an active
    account here with an address the person confirmed (a typo must not send a stranger news)."""
    return and_(
        col(Account.domain).is_(None),
        col(Account.status) == AccountStatus.ACTIVE,
        col(Account.email).is_not(None),
        col(Account.email_confirmed_at).is_not(None),
    )


async def save_choices(
    session: AsyncSession, account: Account, *, groups: Collection[str], weekly_digest: bool
) -> None:
    """The settings page's one form: which notifications by e-mail, and the digest on or off."""
    assert account.id is not None
    stored = await local_account(session, account.id)
    stored.mail_kinds = kinds_of(groups)
    stored.weekly_digest = weekly_digest


async def stop_notifications(session: AsyncSession, account_id: int) -> None:
    (await local_account(session, account_id)).mail_kinds = ""


async def stop_digest(session: AsyncSession, account_id: int) -> None:
    (await local_account(session, account_id)).weekly_digest = False


async def local_account(session: AsyncSession, account_id: int) -> Account:
    """The account here that mail is about; NotFound when it is gone (the link of an old mail,
    after the account was deleted)."""
    stored = await session.get(Account, account_id)
    if stored is None or stored.domain is not None:
        raise NotFound(account_id)
    return stored
