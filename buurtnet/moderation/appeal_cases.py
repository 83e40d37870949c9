"""What a person is shown of a measure taken against them, to appeal it: the action with its
reason, the removed post as it was (to its own author only), and their appeal once made. A
suspended person cannot log in, so their latest suspension is found by account instead."""

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.errors import NotFound
from buurtnet.models import (
    Account,
    AccountStatus,
    ActionKind,
    Appeal,
    ModerationAction,
    Post,
)
from buurtnet.moderation import appeals


@dataclass(frozen=True)
class AppealCase:
    action: ModerationAction
    appeal: Appeal | None
    removed_post: Post | None  # while kept after a removal, and only for its author


@dataclass(frozen=True)
class Suspension:
    account: Account
    case: AppealCase | None  # None: suspended without a recorded action (from the command line)


async def case_of(session: AsyncSession, account: Account, action_id: int) -> AppealCase:
    """An action on this person that they may appeal; `NotFound` for anyone else's."""
    action, appeal = await appeals.appealable_action(session, account, action_id)
    return AppealCase(action, appeal, await _removed_post(session, account, action))


async def suspension_of(session: AsyncSession, account_id: int) -> Suspension | None:
    """The suspension in force (None when the account is not suspended), with the latest
    suspending action and its appeal."""
    account = await session.get(Account, account_id)
    if account is None or account.status != AccountStatus.SUSPENDED:
        return None
    found = await session.exec(
        select(ModerationAction.id)
        .where(
            col(ModerationAction.target_account_id) == account_id,
            col(ModerationAction.kind) == ActionKind.SUSPEND,
        )
        .order_by(col(ModerationAction.id).desc())
        .limit(1)
    )
    action_id = found.first()
    case = None if action_id is None else await case_of(session, account, action_id)
    return Suspension(account, case)


async def appeal_suspension(
    session: AsyncSession, account_id: int, action_id: int, text: str
) -> Appeal:
    """The appeal of someone who cannot log in: the caller vouches (a signed token) that the
    account and the action belong together; `appeals.file_appeal` checks it once more."""
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound(account_id)
    return await appeals.file_appeal(session, account, action_id, text)


async def _removed_post(
    session: AsyncSession, account: Account, action: ModerationAction
) -> Post | None:
    if action.kind != ActionKind.REMOVE_POST or action.target_post_id is None:
        return None
    post = await session.get(Post, action.target_post_id)
    return post if post is not None and post.author_id == account.id else None
