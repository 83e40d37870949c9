"""The liveability SQL of what happened, rather than of who took part: activities held and their
results, sign-ups, polls and votes, help asked and offered, reports and how fast moderators
answered them, and care signals (definitions: `core/metric_queries`)."""

from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, func, literal
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from buurtnet.core.metric_sql import END, NEIGHBOURHOOD, Column, hours_between, shown, within
from buurtnet.models import (
    Account,
    CareSignal,
    Event,
    EventCategory,
    Participation,
    ParticipationStatus,
    Poll,
    PollVote,
    Post,
    PostKind,
    Report,
)

SIGNED_UP = (ParticipationStatus.GOING, ParticipationStatus.MAYBE, ParticipationStatus.WAITING)


# Participation


def events_held(value: ColumnElement[Any], *, clean_ups: bool = False) -> ScalarSelect[Any]:
    held = (
        select_columns(value)
        .select_from(Event)
        .join(Post, col(Post.id) == col(Event.post_id))
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(
            col(Post.neighbourhood_id) == NEIGHBOURHOOD,
            col(Account.domain).is_(None),
            shown(Post),
            col(Event.cancelled_at).is_(None),
            *within(col(Event.starts_at)),
        )
    )
    if clean_ups:
        held = held.where(col(Event.category) == EventCategory.CLEAN_UP)
    return held.scalar_subquery()


def sign_ups() -> ScalarSelect[Any]:
    return (
        select(func.count())
        .select_from(Participation)
        .join(Post, col(Post.id) == col(Participation.post_id))
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(
            col(Post.neighbourhood_id) == NEIGHBOURHOOD,
            col(Post.kind) == PostKind.EVENT,
            col(Account.domain).is_(None),
            shown(Post),
            col(Participation.status).in_(SIGNED_UP),
            *within(col(Participation.created_at)),
        )
        .scalar_subquery()
    )


def polls_held() -> ScalarSelect[Any]:
    return (
        select(func.count())
        .select_from(Poll)
        .join(Post, col(Post.id) == col(Poll.post_id))
        .where(
            col(Post.neighbourhood_id) == NEIGHBOURHOOD,
            col(Post.has_poll),  # kept with the poll: lets the index find the few poll posts
            shown(Post),
            *within(col(Post.created_at)),
        )
        .scalar_subquery()
    )


def votes() -> ScalarSelect[Any]:
    """A vote for two answers of one poll is one vote."""
    voted = (
        select(col(PollVote.post_id), col(PollVote.account_id))
        .join(Post, col(Post.id) == col(PollVote.post_id))
        .where(
            col(Post.neighbourhood_id) == NEIGHBOURHOOD,
            col(Post.has_poll),
            shown(Post),
            *within(col(PollVote.created_at)),
        )
        .distinct()
    )
    return select(func.count()).select_from(voted.subquery()).scalar_subquery()


def help_posts(kind: PostKind) -> ScalarSelect[Any]:
    return select(func.count()).where(*_help_of(kind, Post)).scalar_subquery()


def help_answered() -> ScalarSelect[Any]:
    """Requests of the period answered by someone else before the period ended: a reply that
    comes later does not change a period that is over."""
    request, reply = aliased(Post), aliased(Post)
    # One reply looked up per request, as a scalar subquery: as EXISTS, PostgreSQL would walk
    # every reply of the site to join them.
    an_answer = (
        select(literal(1))
        .where(
            col(reply.in_reply_to_id) == col(request.id),
            col(reply.author_id) != col(request.author_id),
            col(reply.created_at) < END,
            shown(reply),
        )
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(func.count())
        .select_from(request)
        .where(*_help_of(PostKind.HELP_REQUEST, request), an_answer.is_not(None))
        .scalar_subquery()
    )


def _help_of(kind: PostKind, post: type[Post]) -> list[ColumnElement[bool]]:
    return [
        col(post.neighbourhood_id) == NEIGHBOURHOOD,
        col(post.kind) == kind,
        col(post.in_reply_to_id).is_(None),
        shown(post),
        *within(col(post.created_at)),
    ]


# Signals


def reports(moment: Column) -> ScalarSelect[Any]:
    """The reports whose `moment` (filed, first responded to, closed) is in the period."""
    return (
        select(func.count())
        .select_from(Report)
        .where(col(Report.neighbourhood_id) == NEIGHBOURHOOD, *within(moment))
        .scalar_subquery()
    )


def report_hours(moment: Column, until: Column, dialect: str) -> Select[Any]:
    """The hours from filing to `until`, of the reports whose `moment` is in the period (and
    whose `until` is set)."""
    hours = hours_between(col(Report.created_at), until, dialect).label("hours")
    return select_columns(hours).where(
        col(Report.neighbourhood_id) == NEIGHBOURHOOD, *within(moment), until.is_not(None)
    )


def care_signals() -> ScalarSelect[Any]:
    return (
        select(func.count())
        .select_from(CareSignal)
        .where(
            col(CareSignal.neighbourhood_id) == NEIGHBOURHOOD, *within(col(CareSignal.created_at))
        )
        .scalar_subquery()
    )
