"""What the worker does for moderation now and then: suspensions whose end has come are lifted,
and the evidence of removed posts and closed reports is purged once it is kept long enough.

A removed post stays (seen by nobody) for the appeal and the audit; after `EVIDENCE_KEPT` it is
deleted for good, unless an appeal against its removal is still open. The snapshots of a report
go the same time after the report was closed. The audit log itself stays: it names no text."""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import post_removal
from buurtnet.job_queue import Registry
from buurtnet.models import (
    ActionKind,
    Appeal,
    AppealStatus,
    ModerationAction,
    ModerationState,
    Post,
    Report,
    ReportedPost,
    utcnow,
)
from buurtnet.moderation import actions

INTERVAL = timedelta(minutes=10)
EVIDENCE_KEPT = timedelta(days=180)
BATCH = 200


async def tidy(session: AsyncSession) -> None:
    now = utcnow()
    await actions.end_suspensions(session, now)
    await purge_evidence(session, now)


async def purge_evidence(session: AsyncSession, now: datetime) -> int:
    """Delete removed posts and closed reports' snapshots older than `EVIDENCE_KEPT`; how many
    posts went."""
    cutoff = now - EVIDENCE_KEPT
    appealed = (
        select(ModerationAction.target_post_id)
        .join(Appeal, col(Appeal.action_id) == col(ModerationAction.id))
        .where(
            col(ModerationAction.kind) == ActionKind.REMOVE_POST,
            col(Appeal.status) == AppealStatus.OPEN,
            col(ModerationAction.target_post_id).is_not(None),
        )
    )
    found = await session.exec(
        select(Post)
        .where(
            col(Post.moderation) == ModerationState.REMOVED,
            col(Post.moderated_at) < cutoff,
            col(Post.id).not_in(appealed),
        )
        .limit(BATCH)
    )
    expired = list(found.all())
    await post_removal.remove_posts(session, expired)
    closed_long_ago = select(Report.id).where(col(Report.closed_at) < cutoff)
    await session.exec(delete(ReportedPost).where(col(ReportedPost.report_id).in_(closed_long_ago)))
    return len(expired)


def register(registry: Registry) -> None:
    registry.every(INTERVAL, tidy)
