"""Reports: a resident (or another server, with a `Flag`) tells the moderators about a person and
some of their posts. The posts are kept as they were when reported, so an edit or a deletion
since does not change the evidence. The reported person never learns who reported.

A report goes to the moderators of the reported person's neighbourhood; about someone elsewhere,
to those of the reporter's neighbourhood; admins see every report."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import outbound, permissions, posting_budgets, posts
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.permissions import Roles
from buurtnet.core.text import clean_text
from buurtnet.db import insert_new
from buurtnet.models import (
    Account,
    AccountStatus,
    ActionKind,
    ModerationAction,
    NotificationKind,
    Post,
    Report,
    ReportCategory,
    ReportedPost,
    ReportNote,
    ReportStatus,
    utcnow,
)
from buurtnet.moderation import audit, notices

COMMENT_LENGTH = 1000
NOTE_LENGTH = 2000
OUTCOME_LENGTH = 1000
MAX_POSTS = 10  # the reported post and more of the same person's
QUEUE_LENGTH = 200
OPEN_STATUSES = (ReportStatus.OPEN, ReportStatus.IN_PROGRESS)
REPORTABLE = (AccountStatus.ACTIVE, AccountStatus.SUSPENDED)  # whom a resident may report


@dataclass(frozen=True)
class ReportDraft:
    category: str
    comment: str = ""
    post_ids: tuple[int, ...] = ()


def draft_problems(draft: ReportDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if draft.category not in set(ReportCategory):
        errors["category"] = "report_category_missing"
    if len(draft.comment) > COMMENT_LENGTH:
        errors["comment"] = "report_comment_too_long"
    if len(draft.post_ids) > MAX_POSTS:
        errors["post_ids"] = "report_too_many_posts"
    return errors


def handling_neighbourhood(reporter: Account, target: Account) -> int | None:
    """Whose moderators handle a report by `reporter` about `target`: the target's neighbourhood,
    or for someone elsewhere the reporter's."""
    return reporter.neighbourhood_id if target.is_remote else target.neighbourhood_id


async def file_report(
    session: AsyncSession, reporter: Account, target_id: int, draft: ReportDraft
) -> Report:
    """A resident reports a person, and perhaps some of their posts they can see.

    Something that does not exist, or that the reporter cannot see, is `NotFound`: a report
    must not tell whether a hidden post exists."""
    if errors := draft_problems(draft):
        raise InvalidInput(errors)
    target = await session.get(Account, target_id)
    if target is None or target.status not in REPORTABLE or target.id == reporter.id:
        raise NotFound(target_id)  # a pending or deleted account: as if there were none
    reported = []
    for post_id in dict.fromkeys(draft.post_ids):
        post = await posts.get_visible(session, reporter, post_id)
        if post.author_id != target.id:
            raise NotFound(post_id)
        reported.append(post)
    assert reporter.id is not None
    await posting_budgets.spend(session, posting_budgets.REPORTS, reporter.id)  # `TooMany`
    report = Report(
        reporter_id=reporter.id,
        target_account_id=target.id,
        neighbourhood_id=handling_neighbourhood(reporter, target),
        category=draft.category,
        comment=clean_text(draft.comment, COMMENT_LENGTH),
    )
    return await _store(session, report, reported)


async def file_flag(
    session: AsyncSession,
    *,
    uri: str,
    reporter_domain: str,
    target: Account,
    reported: Sequence[Post],
    comment: str,
) -> Report | None:
    """A report from another server (a `Flag`) about someone here: the server is the reporter.
    None when this Flag was taken in before."""
    if not await insert_new(session, Report, [_flag_row(uri, reporter_domain)], unique=["uri"]):
        return None
    report = (await session.exec(select(Report).where(col(Report.uri) == uri))).one()
    report.target_account_id = target.id
    report.neighbourhood_id = target.neighbourhood_id
    report.comment = clean_text(comment, COMMENT_LENGTH)
    return await _store(session, report, reported[:MAX_POSTS])


def _flag_row(uri: str, reporter_domain: str) -> dict[str, object]:
    return {
        "uri": uri,
        "reporter_domain": reporter_domain,
        "category": ReportCategory.OTHER.value,
        "comment": "",
        "status": ReportStatus.OPEN.value,
        "outcome": "",
        "created_at": utcnow(),
    }


async def _store(session: AsyncSession, report: Report, reported: Sequence[Post]) -> Report:
    session.add(report)
    await session.flush()
    assert report.id is not None
    session.add_all(snapshot(report.id, post) for post in reported)
    return report


def snapshot(report_id: int, post: Post) -> ReportedPost:
    """The post as it is now, kept with the report."""
    return ReportedPost(
        report_id=report_id,
        post_id=post.id,
        post_uri=post.uri,
        kind=post.kind,
        is_reply=post.in_reply_to_id is not None,
        summary=post.summary,
        content_html=post.content_html,
        written_at=post.edited_at or post.created_at,
    )


@dataclass(frozen=True)
class QueueItem:
    report: Report
    target: Account | None
    reporter: Account | None  # None: another server (`report.reporter_domain`) reported
    assigned_to: Account | None
    post_count: int


def handled_by(roles: Roles) -> ColumnElement[bool]:
    """The reports these roles handle: in their neighbourhoods, and not about themselves (a
    moderator who is reported does not read the report, its notes or who made it)."""
    target = col(Report.target_account_id)
    not_about_them = or_(target.is_(None), target != roles.account_id)
    in_scope = permissions.moderated(roles, col(Report.neighbourhood_id))
    return and_(in_scope, not_about_them) if roles.account_id is not None else in_scope


def may_handle(roles: Roles, report: Report) -> bool:
    """`handled_by`, for one report in hand."""
    about_them = roles.account_id is not None and report.target_account_id == roles.account_id
    return permissions.can_moderate(roles, report.neighbourhood_id) and not about_them


async def queue(
    session: AsyncSession, roles: Roles, status: ReportStatus | None = None
) -> list[QueueItem]:
    """Reports for these roles, the oldest open ones first; closed ones newest first."""
    target, reporter, assignee = aliased(Account), aliased(Account), aliased(Account)
    query = (
        select(Report, target, reporter, assignee)
        .outerjoin(target, col(target.id) == col(Report.target_account_id))
        .outerjoin(reporter, col(reporter.id) == col(Report.reporter_id))
        .outerjoin(assignee, col(assignee.id) == col(Report.assigned_to_id))
        .where(handled_by(roles))
    )
    if status is None:
        query = query.where(col(Report.status).in_(OPEN_STATUSES)).order_by(col(Report.id))
    else:
        query = query.where(col(Report.status) == status).order_by(col(Report.id).desc())
    rows = list((await session.exec(query.limit(QUEUE_LENGTH))).all())
    counts = await _post_counts(session, [row[0].id for row in rows if row[0].id is not None])
    return [QueueItem(*row, counts.get(row[0].id or 0, 0)) for row in rows]


async def _post_counts(session: AsyncSession, report_ids: list[int]) -> dict[int, int]:
    found = await session.exec(
        select(ReportedPost.report_id, func.count())
        .where(col(ReportedPost.report_id).in_(report_ids))
        .group_by(col(ReportedPost.report_id))
    )
    return {report_id: count for report_id, count in found.all()}


async def open_count(session: AsyncSession, roles: Roles) -> int:
    found = await session.exec(
        select(func.count())
        .select_from(Report)
        .where(handled_by(roles), col(Report.status).in_(OPEN_STATUSES))
    )
    return int(found.one())


@dataclass(frozen=True)
class ReportDetail:
    item: QueueItem
    posts: list[ReportedPost]
    current: dict[int, Post]  # the reported posts that still exist, by id, as they are now
    notes: list[tuple[ReportNote, Account | None]]
    actions: list[ModerationAction]
    other_reports: int  # earlier reports about the same person


async def detail(session: AsyncSession, roles: Roles, report_id: int) -> ReportDetail:
    report = await handled_report(session, roles, report_id)
    target = await _account(session, report.target_account_id)
    reporter = await _account(session, report.reporter_id)
    assignee = await _account(session, report.assigned_to_id)
    snapshots = list(
        (
            await session.exec(
                select(ReportedPost)
                .where(col(ReportedPost.report_id) == report_id)
                .order_by(col(ReportedPost.id))
            )
        ).all()
    )
    ids = [snap.post_id for snap in snapshots if snap.post_id is not None]
    current = {
        post.id: post
        for post in (await session.exec(select(Post).where(col(Post.id).in_(ids)))).all()
        if post.id is not None
    }
    notes = await session.exec(
        select(ReportNote, Account)
        .outerjoin(Account, col(Account.id) == col(ReportNote.author_id))
        .where(col(ReportNote.report_id) == report_id)
        .order_by(col(ReportNote.id))
    )
    actions = await session.exec(
        select(ModerationAction)
        .where(col(ModerationAction.report_id) == report_id)
        .order_by(col(ModerationAction.id))
    )
    others = await session.exec(
        select(func.count())
        .select_from(Report)
        .where(
            col(Report.target_account_id) == report.target_account_id,
            col(Report.id) != report_id,
        )
    )
    item = QueueItem(report, target, reporter, assignee, len(snapshots))
    return ReportDetail(
        item, snapshots, current, list(notes.all()), list(actions.all()), int(others.one())
    )


async def handled_report(
    session: AsyncSession, roles: Roles, report_id: int, *, for_update: bool = False
) -> Report:
    """A report these roles handle; `NotAllowed` for one of another neighbourhood."""
    report = await session.get(Report, report_id, with_for_update=for_update)
    about_them = report is not None and report.target_account_id == roles.account_id
    if report is None or (about_them and roles.account_id is not None):
        raise NotFound(report_id)  # about the moderator: as if it were not there
    if not may_handle(roles, report):
        raise NotAllowed
    return report


async def take(session: AsyncSession, moderator: Account, roles: Roles, report_id: int) -> None:
    """A moderator takes the report on: it is theirs, in progress."""
    report = await _workable(session, moderator, roles, report_id)
    report.assigned_to_id = moderator.id
    if report.status == ReportStatus.OPEN:
        report.status = ReportStatus.IN_PROGRESS
    report.responded_at = report.responded_at or utcnow()  # the first response, for the figures


async def add_note(
    session: AsyncSession, moderator: Account, roles: Roles, report_id: int, text: str
) -> None:
    text = clean_text(text, NOTE_LENGTH + 1)
    if not text:
        raise InvalidInput.single("note", "note_missing")
    if len(text) > NOTE_LENGTH:
        raise InvalidInput.single("note", "note_too_long")
    await handled_report(session, roles, report_id)
    session.add(ReportNote(report_id=report_id, author_id=moderator.id, text=text))


async def close(
    session: AsyncSession,
    moderator: Account,
    roles: Roles,
    report_id: int,
    *,
    resolved: bool,
    outcome: str,
) -> Report:
    """Afgehandeld (something was done) or afgewezen (nothing wrong found). The reporter here
    is told the outcome in their notifications; a server that reported is not."""
    outcome = clean_text(outcome, OUTCOME_LENGTH + 1)
    if len(outcome) > OUTCOME_LENGTH:
        raise InvalidInput.single("outcome", "outcome_too_long")
    report = await _workable(session, moderator, roles, report_id)
    report.status = ReportStatus.RESOLVED if resolved else ReportStatus.DISMISSED
    report.outcome = outcome
    report.closed_at = utcnow()
    report.responded_at = report.responded_at or report.closed_at
    report.assigned_to_id = report.assigned_to_id or moderator.id
    kind = ActionKind.RESOLVE_REPORT if resolved else ActionKind.DISMISS_REPORT
    await audit.record(
        session,
        kind,
        moderator,
        target_account_id=report.target_account_id,
        neighbourhood_id=report.neighbourhood_id,
        report_id=report.id,
        category=report.category,
        reason=outcome,
    )
    if report.reporter_id is not None:
        await notices.tell(
            session, report.reporter_id, NotificationKind.REPORT_CLOSED, report=report
        )
    return report


async def forward(session: AsyncSession, moderator: Account, roles: Roles, report_id: int) -> None:
    """Send the report on to the reported person's server as a `Flag` from the instance, without
    the reporter: as Mastodon does, so that their moderators can act too."""
    report = await _workable(session, moderator, roles, report_id, open_only=False)
    target = await _account(session, report.target_account_id)
    if target is None or not target.is_remote:
        raise InvalidInput.single("forward", "forward_not_remote")
    if report.forwarded_at is not None:
        return
    report.forwarded_at = utcnow()
    outbound.report_forwarded(session, report)
    await audit.record(
        session,
        ActionKind.FORWARD_REPORT,
        moderator,
        target_account_id=target.id,
        target_domain=target.domain,
        neighbourhood_id=report.neighbourhood_id,
        report_id=report.id,
        category=report.category,
    )


async def _workable(
    session: AsyncSession,
    moderator: Account,
    roles: Roles,
    report_id: int,
    *,
    open_only: bool = True,
) -> Report:
    """A report this moderator may work on: in their scope, not about themselves, and (unless
    `open_only` is off) not closed already, so that two moderators cannot close it twice."""
    report = await handled_report(session, roles, report_id, for_update=True)
    if report.target_account_id == moderator.id:
        raise NotAllowed
    if open_only and report.status not in OPEN_STATUSES:
        raise InvalidInput.single("report", "report_already_closed")
    return report


async def _account(session: AsyncSession, account_id: int | None) -> Account | None:
    return None if account_id is None else await session.get(Account, account_id)
