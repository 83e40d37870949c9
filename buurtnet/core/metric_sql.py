"""The building blocks of the liveability SQL (`core/metric_queries`): the period's parameters,
what counts (posts that moderation left alone, members), a median, and the one difference
between SQLite and PostgreSQL, a time difference in hours."""

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Integer,
    ScalarSelect,
    Select,
    SQLColumnExpression,
    bindparam,
    extract,
    func,
    literal,
    select,
)
from sqlmodel import col

from buurtnet.core.departures import MEMBER_STATUSES
from buurtnet.models import Account, Like, Participation, PollVote, Post

Column = SQLColumnExpression[Any]

# The statement is built once per database, with these parameters for the period it counts.
NEIGHBOURHOOD = bindparam("neighbourhood_id", type_=Integer)
START = bindparam("start", type_=DateTime(timezone=True))  # UTC, included
END = bindparam("end", type_=DateTime(timezone=True))  # UTC, not included
FIRST_DAY = bindparam("first_day", type_=Date)  # the period's first calendar day
NEXT_DAY = bindparam("next_day", type_=Date)  # the next period's first day


def within(moment: Column) -> list[ColumnElement[bool]]:
    """In the period."""
    return [moment >= START, moment < END]


def shown(post: type[Post]) -> ColumnElement[bool]:
    """Not removed, not held: what moderation took out of view does not count."""
    return col(post.moderation).is_(None)


def on_shown_post(
    table: type[Like] | type[PollVote] | type[Participation], post_id: Column
) -> Select[Any]:
    """An act (a like, vote or sign-up) on a post that moderation left alone."""
    on = select(literal(1)).select_from(table).join(Post, col(Post.id) == post_id)
    return on.where(shown(Post))


def is_member(account: type[Account] = Account) -> list[ColumnElement[bool]]:
    """A member of the neighbourhood: a local account there, let in (active or suspended)."""
    return [
        col(account.neighbourhood_id) == NEIGHBOURHOOD,
        col(account.domain).is_(None),
        col(account.status).in_(MEMBER_STATUSES),
    ]


def member_ids() -> Select[Any]:
    return select(col(Account.id)).where(*is_member())


def total(column: Column) -> ColumnElement[Any]:
    """A sum that is 0, not NULL, over no rows."""
    return func.coalesce(func.sum(column), 0)


def hours_between(start: Column, end: Column, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return extract("epoch", end - start) / 3600.0
    # julianday is a double of about 2.5 million days: rounded to a microhour, 4 hours is 4.
    return func.round((func.julianday(end) - func.julianday(start)) * 24.0, 6)


def median(values: Select[Any]) -> ScalarSelect[Any]:
    """The median of a query of one column named `hours` (None when it has no rows): the
    middle value, or the mean of the two middle ones, found by numbering the ordered values."""
    found = values.subquery()
    value = found.c.hours
    ordered = select(
        value,
        func.row_number().over(order_by=value).label("position"),
        func.count().over().label("total"),
    ).subquery()
    position, count = ordered.c.position, ordered.c.total
    # Position p is a middle one when 2p lies from the count to the count + 2: one p for an odd
    # count (2p = count + 1), two for an even one (2p = count, and count + 2).
    return (
        select(func.avg(ordered.c.hours))
        .where(2 * position >= count, 2 * position <= count + 2)
        .scalar_subquery()
    )
