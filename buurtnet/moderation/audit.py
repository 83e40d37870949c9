"""The audit log: every moderation action, who took it, when, why and on whom. Rows are only
added here, never changed or deleted; admins read and filter it, and each neighbourhood's public
log shows a part of it without naming anyone (`public_log`)."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.models import (
    Account,
    ActionKind,
    ModerationAction,
    utcnow,
)

PAGE_SIZE = 50

# What a resident may read about: removals and measures, never assignment or notes.
PUBLIC_KINDS = (
    ActionKind.REMOVE_POST,
    ActionKind.MARK_SENSITIVE,
    ActionKind.WARN,
    ActionKind.LIMIT,
    ActionKind.SUSPEND,
    ActionKind.RESTORE_POST,
    ActionKind.LIFT,
)


async def record(
    session: AsyncSession,
    kind: ActionKind,
    moderator: Account | None,
    *,
    target_account_id: int | None = None,
    target_post_id: int | None = None,
    target_domain: str | None = None,
    neighbourhood_id: int | None = None,
    report_id: int | None = None,
    category: str = "",
    reason: str = "",
    until: datetime | None = None,
) -> ModerationAction:
    """Write one entry (None as moderator: the instance itself, such as a word filter).

    An action in a neighbourhood of a kind residents may read about goes into its public log."""
    action = ModerationAction(
        kind=kind,
        moderator_id=None if moderator is None else moderator.id,
        moderator_name="" if moderator is None else moderator.handle,
        target_account_id=target_account_id,
        target_post_id=target_post_id,
        target_domain=target_domain,
        neighbourhood_id=neighbourhood_id,
        report_id=report_id,
        category=category,
        reason=reason,
        until=until,
        public=neighbourhood_id is not None and kind in PUBLIC_KINDS,
        created_at=utcnow(),
    )
    session.add(action)
    await session.flush()
    return action


@dataclass(frozen=True)
class AuditFilter:
    """What an admin narrows the log to; empty fields do not narrow."""

    kind: str = ""
    moderator: str = ""  # a handle, as the log keeps it
    neighbourhood_id: int | None = None
    target_account_id: int | None = None
    before_id: int | None = None  # paging: entries older than this one


async def entries(session: AsyncSession, wanted: AuditFilter) -> list[ModerationAction]:
    """The newest entries matching the filter, a page at a time (admins only: see web)."""
    query = select(ModerationAction)
    if wanted.kind:
        query = query.where(col(ModerationAction.kind) == wanted.kind)
    if wanted.moderator:
        query = query.where(col(ModerationAction.moderator_name) == wanted.moderator)
    if wanted.neighbourhood_id is not None:
        query = query.where(col(ModerationAction.neighbourhood_id) == wanted.neighbourhood_id)
    if wanted.target_account_id is not None:
        query = query.where(col(ModerationAction.target_account_id) == wanted.target_account_id)
    if wanted.before_id is not None:
        query = query.where(col(ModerationAction.id) < wanted.before_id)
    found = await session.exec(query.order_by(col(ModerationAction.id).desc()).limit(PAGE_SIZE))
    return list(found.all())


@dataclass(frozen=True)
class PublicEntry:
    """A line of a neighbourhood's public log: what kind of thing, what was done and why (the
    rule broken), and when. No person, no reporter, no quoted text."""

    kind: str
    category: str
    on_account: bool  # a measure on an account rather than on one post
    created_at: datetime


async def public_log(
    session: AsyncSession, neighbourhood_id: int, *, limit: int = PAGE_SIZE
) -> list[PublicEntry]:
    found = await session.exec(
        select(
            ModerationAction.kind,
            ModerationAction.category,
            ModerationAction.target_post_id,
            ModerationAction.created_at,
        )
        .where(
            col(ModerationAction.neighbourhood_id) == neighbourhood_id,
            col(ModerationAction.public),
        )
        .order_by(col(ModerationAction.id).desc())
        .limit(limit)
    )
    return [
        PublicEntry(kind, category, post_id is None, created_at)
        for kind, category, post_id, created_at in found.all()
    ]
