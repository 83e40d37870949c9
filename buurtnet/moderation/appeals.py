"""Appeals: a person whose post was removed, or whose account was limited or suspended, asks once
for another look. Another moderator than the one who acted decides; granting undoes the action.
The decision is logged and the person is told."""

from dataclasses import dataclass

from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import permissions
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.permissions import Roles
from buurtnet.core.text import clean_text
from buurtnet.db import insert_new
from buurtnet.models import (
    Account,
    ActionKind,
    Appeal,
    AppealStatus,
    ModerationAction,
    ModerationState,
    NotificationKind,
    Post,
    utcnow,
)
from buurtnet.moderation import actions, audit, notices

APPEALABLE = (ActionKind.REMOVE_POST, ActionKind.LIMIT, ActionKind.SUSPEND)
TEXT_LENGTH = 2000


def is_appealable(action: ModerationAction) -> bool:
    return action.kind in APPEALABLE


async def appealable_action(
    session: AsyncSession, account: Account, action_id: int
) -> tuple[ModerationAction, Appeal | None]:
    """An action on this person that they may appeal (or did), with their appeal if any."""
    action = await session.get(ModerationAction, action_id)
    if action is None or action.target_account_id != account.id or not is_appealable(action):
        raise NotFound(action_id)
    found = await session.exec(select(Appeal).where(col(Appeal.action_id) == action_id))
    return action, found.first()


async def file_appeal(session: AsyncSession, account: Account, action_id: int, text: str) -> Appeal:
    """Once per action: a second appeal is refused (`appeal_already_made`)."""
    text = clean_text(text, TEXT_LENGTH + 1)
    if not text:
        raise InvalidInput.single("text", "appeal_text_missing")
    if len(text) > TEXT_LENGTH:
        raise InvalidInput.single("text", "appeal_text_too_long")
    action, earlier = await appealable_action(session, account, action_id)
    row: dict[str, object] = {"action_id": action.id, "account_id": account.id, "text": text}
    row |= {"status": AppealStatus.OPEN.value, "decision_reason": "", "created_at": utcnow()}
    # Two submits at once: the database keeps one (the action's appeal is unique).
    if earlier is not None or not await insert_new(session, Appeal, [row], unique=["action_id"]):
        raise InvalidInput.single("text", "appeal_already_made")
    found = await session.exec(select(Appeal).where(col(Appeal.action_id) == action_id))
    return found.one()


@dataclass(frozen=True)
class AppealView:
    appeal: Appeal
    action: ModerationAction
    person: Account
    post: Post | None  # the removed post, while it is kept


async def open_appeals(session: AsyncSession, roles: Roles) -> list[AppealView]:
    """The open appeals in the neighbourhoods these roles moderate, oldest first."""
    person = aliased(Account)
    found = await session.exec(
        select(Appeal, ModerationAction, person, Post)
        .join(ModerationAction, col(ModerationAction.id) == col(Appeal.action_id))
        .join(person, col(person.id) == col(Appeal.account_id))
        .outerjoin(Post, col(Post.id) == col(ModerationAction.target_post_id))
        .where(
            col(Appeal.status) == AppealStatus.OPEN,
            permissions.moderated(roles, col(ModerationAction.neighbourhood_id)),
        )
        .order_by(col(Appeal.id))
    )
    return [AppealView(*row) for row in found.all()]


async def decide(
    session: AsyncSession,
    moderator: Account,
    roles: Roles,
    appeal_id: int,
    *,
    grant: bool,
    reason: str,
) -> Appeal:
    """Grant (undo the action) or refuse (it stands). Never by the moderator who acted."""
    reason = clean_text(reason, actions.REASON_LENGTH + 1)
    if not reason:
        raise InvalidInput.single("reason", "reason_missing")
    if len(reason) > actions.REASON_LENGTH:
        raise InvalidInput.single("reason", "reason_too_long")
    appeal = await session.get(Appeal, appeal_id, with_for_update=True)
    if appeal is None or appeal.status != AppealStatus.OPEN:
        raise NotFound(appeal_id)
    action = await session.get(ModerationAction, appeal.action_id)
    assert action is not None
    if not permissions.can_moderate(roles, action.neighbourhood_id):
        raise NotAllowed
    if action.moderator_id == moderator.id or appeal.account_id == moderator.id:
        raise InvalidInput.single("appeal", "appeal_needs_another_moderator")
    appeal.status = AppealStatus.GRANTED if grant else AppealStatus.REFUSED
    appeal.decided_by_id = moderator.id
    appeal.decision_reason = reason
    appeal.decided_at = utcnow()
    if grant:
        await _undo(session, moderator, action, reason)
    await audit.record(
        session,
        ActionKind.DECIDE_APPEAL,
        moderator,
        target_account_id=appeal.account_id,
        target_post_id=action.target_post_id,
        neighbourhood_id=action.neighbourhood_id,
        report_id=action.report_id,
        category=action.category,
        reason=f"{appeal.status}: {reason}",
    )
    await notices.tell(session, appeal.account_id, NotificationKind.APPEAL_DECIDED, action=action)
    return appeal


async def _undo(
    session: AsyncSession, moderator: Account, action: ModerationAction, reason: str
) -> None:
    if action.kind == ActionKind.REMOVE_POST and action.target_post_id is not None:
        post = await session.get(Post, action.target_post_id, with_for_update=True)
        if post is not None and post.moderation == ModerationState.REMOVED:
            await actions.restore_post(session, moderator, post, reason)
        return
    person = await session.get(Account, action.target_account_id, with_for_update=True)
    if person is not None:
        lifting = actions.Lifting(
            limit=action.kind == ActionKind.LIMIT,
            suspension=action.kind == ActionKind.SUSPEND,
            reason=reason,
            category=action.category,
            report_id=action.report_id,
            neighbourhood_id=action.neighbourhood_id,
            tell=False,  # the decision on the appeal says it
        )
        await actions.lift(session, moderator, person, lifting)
