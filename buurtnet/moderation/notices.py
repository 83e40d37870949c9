"""Telling people what moderation decided: the person acted upon (with the reason), the reporter
(the outcome), the one who appealed (the decision).

Unlike other notifications these reach the person even when they mute or block the moderator:
a measure must never go unexplained. They name no moderator: the notice is the recipient's own
(its actor is the recipient), so it also outlives a moderator's account."""

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.models import Account, ModerationAction, Notification, NotificationKind, Report


async def tell(
    session: AsyncSession,
    recipient_id: int,
    kind: NotificationKind,
    *,
    action: ModerationAction | None = None,
    report: Report | None = None,
) -> None:
    """A notification for someone here; someone elsewhere hears from their own server."""
    recipient = await session.get(Account, recipient_id)
    if recipient is None or recipient.is_remote:
        return
    session.add(
        Notification(
            recipient_id=recipient_id,
            actor_id=recipient_id,
            kind=kind,
            action_id=None if action is None else action.id,
            report_id=None if report is None else report.id,
            post_id=None,
        )
    )
