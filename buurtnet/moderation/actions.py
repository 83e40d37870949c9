"""What a moderator does to a post or an account, each with a reason the person sees.

Every action here is its own path, apart from what authors do themselves: it checks the
moderator's scope, changes the state that `core/visibility` and `core/feeds` read, tells other
servers where they keep a copy, writes the audit log and tells the person why. Undoing an action
(an appeal granted, a suspension run out, a held post let through) goes through here too.

Scope: a moderator acts in the neighbourhoods they moderate, on what belongs there; through a
report, on what the report is about (someone elsewhere, reported by one of their residents)."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import outbound, permissions, post_removal, posts, remote_accounts
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.permissions import Roles
from buurtnet.core.text import clean_text
from buurtnet.models import (
    Account,
    AccountStatus,
    ActionKind,
    ModerationAction,
    ModerationState,
    NotificationKind,
    Post,
    Report,
    ReportCategory,
    ReportedPost,
    Role,
    utcnow,
)
from buurtnet.moderation import audit, notices

REASON_LENGTH = 1000


@dataclass(frozen=True)
class Measure:
    """Why: the reason the person reads, the rule it falls under (a report category), and the
    report it answers, if any."""

    reason: str
    category: str = ReportCategory.OTHER
    report_id: int | None = None


def measure_problems(measure: Measure) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not clean_text(measure.reason, REASON_LENGTH + 1):
        errors["reason"] = "reason_missing"
    elif len(measure.reason) > REASON_LENGTH:
        errors["reason"] = "reason_too_long"
    if measure.category not in set(ReportCategory):
        errors["category"] = "report_category_missing"
    return errors


async def remove_post(
    session: AsyncSession, moderator: Account, roles: Roles, post_id: int, measure: Measure
) -> ModerationAction:
    """Hide the post with its reason (not deleted: the evidence stays for the appeal and the
    audit until `retention` purges it). Servers that have a copy get a `Delete`."""
    post = await _post_in_scope(session, roles, post_id, measure)
    if post.moderation == ModerationState.REMOVED:
        raise InvalidInput.single("post", "already_removed")
    if post.moderation is None:  # published: servers that have it delete it; uncounted here
        await outbound.post_deleted(session, post)
        assert post.id is not None
        await post_removal.uncount_replies(session, [post], [post.id])
    post.moderation = ModerationState.REMOVED
    post.moderated_at = utcnow()
    return await _act_on_post(session, ActionKind.REMOVE_POST, moderator, post, measure)


async def mark_sensitive(
    session: AsyncSession, moderator: Account, roles: Roles, post_id: int, measure: Measure
) -> ModerationAction:
    """Fold the post behind a warning, for everyone, here and elsewhere: an `Update` with a new
    `updated` (`as2/objects.changed_at`), since Mastodon applies no change without one."""
    post = await _post_in_scope(session, roles, post_id, measure)
    post.sensitive = True
    if post.moderation is None:
        post.moderated_at = utcnow()  # the change's time, for the Update (not an edit)
    if post.moderation is None:
        await outbound.post_edited(session, post)
    return await _act_on_post(session, ActionKind.MARK_SENSITIVE, moderator, post, measure)


async def approve_held(
    session: AsyncSession, moderator: Account, roles: Roles, post_id: int
) -> ModerationAction:
    """Let a post that a word filter held through: it is published as if written now."""
    post = await _post_in_scope(session, roles, post_id, None)
    if post.moderation != ModerationState.HELD:
        raise NotFound(post_id)
    if post.author_id == moderator.id:
        raise NotAllowed  # nobody judges themselves
    post.moderation = None
    post.moderated_at = None
    await posts.publish_held(session, post)  # mentions told, reply counted: as if written now
    return await _put_back(session, ActionKind.APPROVE_POST, moderator, post, "")


async def restore_post(
    session: AsyncSession, moderator: Account, post: Post, reason: str
) -> ModerationAction:
    """Undo a removal (an appeal granted): the post is back, also elsewhere. One that a word
    filter held before it was removed is published for the first time."""
    assert post.id is not None
    post.moderation = None
    post.moderated_at = None
    if await _was_held(session, post.id):
        await posts.publish_held(session, post)
    else:
        await posts.republish(session, post)
    return await _put_back(session, ActionKind.RESTORE_POST, moderator, post, reason)


async def _was_held(session: AsyncSession, post_id: int) -> bool:
    """Whether the post was held for review and never let through (the audit log tells)."""
    found = await session.exec(
        select(ModerationAction.kind)
        .where(
            col(ModerationAction.target_post_id) == post_id,
            col(ModerationAction.kind).in_([ActionKind.HOLD_POST, ActionKind.APPROVE_POST]),
        )
        .order_by(col(ModerationAction.id).desc())
    )
    return found.first() == ActionKind.HOLD_POST


async def _put_back(
    session: AsyncSession, kind: ActionKind, moderator: Account, post: Post, reason: str
) -> ModerationAction:
    return await audit.record(
        session,
        kind,
        moderator,
        target_account_id=post.author_id,
        target_post_id=post.id,
        neighbourhood_id=post.neighbourhood_id,
        reason=reason,
    )


async def warn(
    session: AsyncSession, moderator: Account, roles: Roles, account_id: int, measure: Measure
) -> ModerationAction:
    target = await _account_in_scope(session, moderator, roles, account_id, measure)
    return await _act_on_account(session, ActionKind.WARN, moderator, target, measure)


async def limit(
    session: AsyncSession, moderator: Account, roles: Roles, account_id: int, measure: Measure
) -> ModerationAction:
    """From now on the person's posts reach only their followers, not the neighbourhood's feeds
    (`core/feeds`)."""
    target = await _account_in_scope(session, moderator, roles, account_id, measure)
    target.limited = True
    return await _act_on_account(session, ActionKind.LIMIT, moderator, target, measure)


async def suspend(
    session: AsyncSession,
    moderator: Account,
    roles: Roles,
    account_id: int,
    measure: Measure,
    until: datetime | None,
) -> ModerationAction:
    """Until `until` (None: for good) the person cannot log in and nobody sees their posts;
    what they send from elsewhere is refused at the inbox. Followers elsewhere get an `Update`
    of the actor with `suspended`, as Mastodon sends."""
    if until is not None and until <= utcnow():
        raise InvalidInput.single("until", "suspension_end_in_past")
    target = await _account_in_scope(session, moderator, roles, account_id, measure)
    target.status = AccountStatus.SUSPENDED
    target.suspended_until = until
    await outbound.profile_updated(session, target)
    return await _act_on_account(
        session, ActionKind.SUSPEND, moderator, target, measure, until=until
    )


@dataclass(frozen=True)
class Lifting:
    """What ends, and what the log and the person are told about it."""

    limit: bool = True
    suspension: bool = True
    reason: str = ""
    category: str = ""
    report_id: int | None = None
    neighbourhood_id: int | None = None
    tell: bool = True  # an appeal granted tells the person through its own notice


async def lift(
    session: AsyncSession, moderator: Account | None, target: Account, lifting: Lifting
) -> ModerationAction:
    """End a limit, a suspension or both (a moderator's decision, an appeal, or the end date
    reached with `moderator` None). Callers check the scope: `lift_measures` for a moderator's
    page. What a block of the person's whole server does stays."""
    if lifting.limit:
        target.limited = False
    if lifting.suspension and target.status == AccountStatus.SUSPENDED:
        target.status = AccountStatus.ACTIVE
        target.suspended_until = None
        await outbound.profile_updated(session, target)
    if target.domain is not None:
        blocks = await remote_accounts.blocks_on(session, target.domain)
        remote_accounts.apply_block(target, remote_accounts.strongest_severity(blocks))
    action = await audit.record(
        session,
        ActionKind.LIFT,
        moderator,
        target_account_id=target.id,
        neighbourhood_id=lifting.neighbourhood_id or target.neighbourhood_id,
        report_id=lifting.report_id,
        category=lifting.category,
        reason=lifting.reason,
    )
    assert target.id is not None
    if lifting.tell:
        await notices.tell(session, target.id, NotificationKind.MODERATED, action=action)
    return action


async def lift_measures(
    session: AsyncSession, moderator: Account, roles: Roles, account_id: int, measure: Measure
) -> ModerationAction:
    """A moderator ends the person's limit and suspension, giving a reason."""
    target = await _account_in_scope(session, moderator, roles, account_id, measure)
    if not target.limited and target.status != AccountStatus.SUSPENDED:
        raise InvalidInput.single("account", "nothing_to_lift")
    lifting = Lifting(
        reason=clean_text(measure.reason, REASON_LENGTH),
        category=measure.category,
        report_id=measure.report_id,
        neighbourhood_id=await _report_neighbourhood(session, measure),
    )
    return await lift(session, moderator, target, lifting)


async def end_suspensions(session: AsyncSession, now: datetime | None = None) -> int:
    """Suspensions whose end has come are lifted (by the worker now and then); a limit stays."""
    found = await session.exec(
        select(Account)
        .where(
            col(Account.status) == AccountStatus.SUSPENDED,
            col(Account.suspended_until).is_not(None),
            col(Account.suspended_until) <= (now or utcnow()),
        )
        .with_for_update()
    )
    ended = list(found.all())
    for account in ended:
        await lift(session, None, account, Lifting(limit=False))
    return len(ended)


async def _post_in_scope(
    session: AsyncSession, roles: Roles, post_id: int, measure: Measure | None
) -> Post:
    """The post, if the moderator may act on it; then whether the measure is complete."""
    post = await session.get(Post, post_id, with_for_update=True)
    if post is None:
        raise NotFound(post_id)
    if not permissions.can_moderate(roles, post.neighbourhood_id):
        report = await _report_in_scope(session, roles, measure)
        reported = await session.exec(
            select(ReportedPost.id).where(
                col(ReportedPost.report_id) == report.id, col(ReportedPost.post_id) == post_id
            )
        )
        if reported.first() is None:
            raise NotAllowed
    if measure is not None and (errors := measure_problems(measure)):
        raise InvalidInput(errors)
    return post


async def _account_in_scope(
    session: AsyncSession, moderator: Account, roles: Roles, account_id: int, measure: Measure
) -> Account:
    target = await session.get(Account, account_id, with_for_update=True)
    if target is None or target.status in (AccountStatus.DELETED, AccountStatus.PENDING):
        raise NotFound(account_id)
    if target.id == moderator.id:
        raise NotAllowed  # nobody judges themselves
    if target.role == Role.ADMIN and not roles.admin:
        raise NotAllowed
    # Someone elsewhere belongs to no neighbourhood here: admins act on them, or a report does.
    home = None if target.is_remote else target.neighbourhood_id
    if not permissions.can_moderate(roles, home):
        report = await _report_in_scope(session, roles, measure)
        if report.target_account_id != target.id:
            raise NotAllowed
    if errors := measure_problems(measure):
        raise InvalidInput(errors)
    return target


async def _report_in_scope(session: AsyncSession, roles: Roles, measure: Measure | None) -> Report:
    """The report a measure answers, when the moderator's scope comes from it."""
    if measure is None or measure.report_id is None:
        raise NotAllowed
    report = await session.get(Report, measure.report_id)
    if report is None or not permissions.can_moderate(roles, report.neighbourhood_id):
        raise NotAllowed
    return report


async def _act_on_post(
    session: AsyncSession, kind: ActionKind, moderator: Account, post: Post, measure: Measure
) -> ModerationAction:
    action = await audit.record(
        session,
        kind,
        moderator,
        target_account_id=post.author_id,
        target_post_id=post.id,
        neighbourhood_id=post.neighbourhood_id or await _report_neighbourhood(session, measure),
        report_id=measure.report_id,
        category=measure.category,
        reason=clean_text(measure.reason, REASON_LENGTH),
    )
    await notices.tell(session, post.author_id, NotificationKind.MODERATED, action=action)
    return action


async def _act_on_account(
    session: AsyncSession,
    kind: ActionKind,
    moderator: Account,
    target: Account,
    measure: Measure,
    *,
    until: datetime | None = None,
) -> ModerationAction:
    assert target.id is not None
    neighbourhood_id = target.neighbourhood_id or await _report_neighbourhood(session, measure)
    action = await audit.record(
        session,
        kind,
        moderator,
        target_account_id=target.id,
        neighbourhood_id=neighbourhood_id,
        report_id=measure.report_id,
        category=measure.category,
        reason=clean_text(measure.reason, REASON_LENGTH),
        until=until,
    )
    await notices.tell(session, target.id, NotificationKind.MODERATED, action=action)
    return action


async def _report_neighbourhood(session: AsyncSession, measure: Measure) -> int | None:
    if measure.report_id is None:
        return None
    report = await session.get(Report, measure.report_id)
    return None if report is None else report.neighbourhood_id
