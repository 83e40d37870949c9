"""The SQL of the liveability indicators: every stored indicator (`indicators.STORED`) of one
neighbourhood over one period, as scalar subqueries of one statement. Counts are made in the
database (COUNT, COUNT over DISTINCT, EXISTS, SUM, a median by ROW_NUMBER); no person or post is
ever loaded into Python.

"In the period" is from the period's first midnight up to the next period's, on the instance's
calendar (`metric_periods.bounds`). A *member* is a local account (no domain) of the
neighbourhood, active or suspended (`departures.MEMBER_STATUSES`), by its current neighbourhood.
Whatever moderation removed or holds (`Post.moderation` set) does not count: not the post, nor a
reply, like, vote or sign-up on it.

- members: members created before the period's end, plus those who had joined by then and left
  after it. new_members: members who joined in the period (those who have left since included),
  so that members at an end = members at the start + new - left. members_left: departures in
  the period. homes: the neighbourhood's number of homes (None when not given).
- active_residents: members who in the period wrote a post or reply, liked, voted, or signed up
  for an activity (going, maybe or on the waiting list).
- interacting_pairs: unordered pairs of two different members of whom one replied to, or liked,
  a post of the other in the period.
- replies_per_post: the members' replies in the period over their posts that start a
  conversation (None without any such post).
- events_held, clean_ups_held: activities of the neighbourhood by a local organiser that start
  in the period and were not cancelled (clean-ups: of that category); attendance,
  clean_up_participants, clean_up_bags: the organisers' figures of those, added up.
- sign_ups: sign-ups (going, maybe, waiting) made in the period for the neighbourhood's
  activities.
- polls_held: polls in posts of the neighbourhood written in the period; votes: distinct
  (poll, voter) pairs voted in the period on the neighbourhood's polls.
- help_asked, help_offered: requests for help and offers of the neighbourhood written in the
  period (not replies); help_answered: those requests that someone other than the asker replied
  to before the period ended.
- reports: reports handled by the neighbourhood filed in the period; reports_responded and
  first_response_hours: reports first responded to in the period (`Report.responded_at`), and
  the median hours from filing to that response; reports_resolved and resolution_hours:
  reports closed in the period, and the median hours from filing to closing.

What happened after a period's end never counts in it (a reply or first response then counts
in a later period, if at all), so a period's figures do not depend on when they are computed;
what can still change them is a deletion or moderation, which reaches a published period only
through an admin's rebuild (`metric_rollups`).
- care_signals: care signals raised in the neighbourhood in the period.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, ScalarSelect, Select, case, exists, func, literal, or_, text
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import metric_activity_sql as activities
from buurtnet.core.indicators import STORED
from buurtnet.core.metric_periods import bounds, next_start
from buurtnet.core.metric_sql import (
    END,
    FIRST_DAY,
    NEIGHBOURHOOD,
    NEXT_DAY,
    START,
    is_member,
    median,
    member_ids,
    on_shown_post,
    shown,
    total,
    within,
)
from buurtnet.models import (
    Account,
    Event,
    Like,
    Neighbourhood,
    NeighbourhoodDeparture,
    Participation,
    PeriodKind,
    PollVote,
    Post,
    PostKind,
    Report,
)

# How PostgreSQL plans the statement, for the rest of the transaction only (bench/README.md):
# - no JIT: compiling this many subqueries to machine code took seconds, several times as long
#   as running them;
# - a plan for the given neighbourhood and period, never one generic plan for all, which would
#   read a big neighbourhood's rows as if it were a small one's, or the other way round;
# - index look-ups priced as on an SSD with the rows cached (1.1, not the default 4, which
#   assumes spinning disks): otherwise PostgreSQL reads every post of the site to find the
#   authors of a week's few thousand likes and replies.
PLANNING = (
    "SELECT set_config('jit', 'off', true),"
    " set_config('plan_cache_mode', 'force_custom_plan', true),"
    " set_config('random_page_cost', '1.1', true)"
)
# Replies per post is worked out from these two counts, which are not stored themselves.
REPLIES, STARTED = "_replies", "_started"


@dataclass(frozen=True)
class Span:
    """One neighbourhood over one period: the UTC moments from `start` up to `end`, and the
    calendar days from `first_day` up to `next_day` (for departures, which are kept by day)."""

    neighbourhood_id: int
    start: datetime
    end: datetime
    first_day: date
    next_day: date

    def parameters(self) -> dict[str, object]:
        return {
            NEIGHBOURHOOD.key: self.neighbourhood_id,
            START.key: self.start,
            END.key: self.end,
            FIRST_DAY.key: self.first_day,
            NEXT_DAY.key: self.next_day,
        }


def span_of(neighbourhood_id: int, period: PeriodKind, starts_on: date, zone: ZoneInfo) -> Span:
    start, end = bounds(starts_on, period, zone)
    return Span(neighbourhood_id, start, end, starts_on, next_start(starts_on, period))


async def indicator_values(session: AsyncSession, span: Span) -> dict[str, float | None]:
    """Every stored indicator of the span, as computed (before any disclosure control)."""
    await session.flush()  # the statement goes by the connection, past the session's autoflush
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(text(PLANNING))
    found = await connection.execute(statement(connection.dialect.name), span.parameters())
    row: Mapping[str, object] = found.one()._mapping
    values = {key: _number(row[key]) for key in STORED if key in row}
    replies, started = _number(row[REPLIES]), _number(row[STARTED])
    values["replies_per_post"] = replies / started if started and replies is not None else None
    return values


@cache
def statement(dialect: str) -> Select[Any]:
    """All of them in one row. Built once: building it costs more than running it does on a
    neighbourhood of a few hundred people."""
    return select_columns(*(query.label(key) for key, query in statements(dialect).items()))


def statements(dialect: str) -> dict[str, ColumnElement[Any]]:
    """A scalar subquery per indicator (with `REPLIES` and `STARTED` for replies per post)."""
    return {
        "members": members(),
        "new_members": new_members(),
        "members_left": members_left(),
        "homes": select(col(Neighbourhood.homes))
        .where(col(Neighbourhood.id) == NEIGHBOURHOOD)
        .scalar_subquery(),
        "active_residents": active_residents(),
        "interacting_pairs": interacting_pairs(),
        REPLIES: members_posts(replies=True),
        STARTED: members_posts(replies=False),
        "events_held": activities.events_held(func.count()),
        "clean_ups_held": activities.events_held(func.count(), clean_ups=True),
        "attendance": activities.events_held(total(col(Event.attendance))),
        "clean_up_participants": activities.events_held(
            total(col(Event.attendance)), clean_ups=True
        ),
        "clean_up_bags": activities.events_held(total(col(Event.litter_bags)), clean_ups=True),
        "sign_ups": activities.sign_ups(),
        "polls_held": activities.polls_held(),
        "votes": activities.votes(),
        "help_asked": activities.help_posts(PostKind.HELP_REQUEST),
        "help_offered": activities.help_posts(PostKind.OFFER),
        "help_answered": activities.help_answered(),
        "reports": activities.reports(col(Report.created_at)),
        "reports_responded": activities.reports(col(Report.responded_at)),
        "first_response_hours": median(
            activities.report_hours(col(Report.responded_at), col(Report.responded_at), dialect)
        ),
        "reports_resolved": activities.reports(col(Report.closed_at)),
        "resolution_hours": median(
            activities.report_hours(col(Report.closed_at), col(Report.closed_at), dialect)
        ),
        "care_signals": activities.care_signals(),
    }


# Growth


def members() -> ColumnElement[Any]:
    """Members now who joined before the period's end, and those who have left since."""
    joined_before = (
        select(func.count())
        .select_from(Account)
        .where(*is_member(), col(Account.created_at) < END)
        .scalar_subquery()
    )
    left_since = (
        select(func.count())
        .select_from(NeighbourhoodDeparture)
        .where(
            col(NeighbourhoodDeparture.neighbourhood_id) == NEIGHBOURHOOD,
            col(NeighbourhoodDeparture.joined_on) < NEXT_DAY,
            col(NeighbourhoodDeparture.left_on) >= NEXT_DAY,
        )
        .scalar_subquery()
    )
    return joined_before + left_since


def new_members() -> ColumnElement[Any]:
    """Members who joined in the period, those who have left since included."""
    stayed = (
        select(func.count())
        .select_from(Account)
        .where(*is_member(), *within(col(Account.created_at)))
        .scalar_subquery()
    )
    joined_on = col(NeighbourhoodDeparture.joined_on)
    left_since = (
        select(func.count())
        .select_from(NeighbourhoodDeparture)
        .where(
            col(NeighbourhoodDeparture.neighbourhood_id) == NEIGHBOURHOOD,
            joined_on >= FIRST_DAY,
            joined_on < NEXT_DAY,
        )
        .scalar_subquery()
    )
    return stayed + left_since


def members_left() -> ScalarSelect[Any]:
    left_on = col(NeighbourhoodDeparture.left_on)
    return (
        select(func.count())
        .select_from(NeighbourhoodDeparture)
        .where(
            col(NeighbourhoodDeparture.neighbourhood_id) == NEIGHBOURHOOD,
            left_on >= FIRST_DAY,
            left_on < NEXT_DAY,
        )
        .scalar_subquery()
    )


# Connection


def active_residents() -> ScalarSelect[Any]:
    """Members for whom any of four kinds of act exists: each an index look-up per member."""
    who = col(Account.id)
    acts = [
        select(literal(1)).where(
            col(Post.author_id) == who, *within(col(Post.created_at)), shown(Post)
        ),
        on_shown_post(Like, col(Like.post_id)).where(
            col(Like.account_id) == who, *within(col(Like.created_at))
        ),
        on_shown_post(PollVote, col(PollVote.post_id)).where(
            col(PollVote.account_id) == who, *within(col(PollVote.created_at))
        ),
        on_shown_post(Participation, col(Participation.post_id)).where(
            col(Participation.account_id) == who,
            col(Participation.status).in_(activities.SIGNED_UP),
            *within(col(Participation.created_at)),
        ),
    ]
    return (
        select(func.count())
        .select_from(Account)
        .where(*is_member(), or_(*(exists(act) for act in acts)))
        .scalar_subquery()
    )


def interacting_pairs() -> ScalarSelect[Any]:
    """Who replied to or liked whose post, both members and not the same, as unordered pairs."""
    reply, answered, liked = aliased(Post), aliased(Post), aliased(Post)
    replied: Select[Any, Any] = (
        select_columns(col(reply.author_id).label("one"), col(answered.author_id).label("other"))
        .join(answered, col(answered.id) == col(reply.in_reply_to_id))
        .where(
            col(reply.author_id).in_(member_ids()),
            *within(col(reply.created_at)),
            shown(reply),
            shown(answered),
            col(answered.author_id).in_(member_ids()),
            col(answered.author_id) != col(reply.author_id),
        )
    )
    likes: Select[Any, Any] = (
        select_columns(col(Like.account_id).label("one"), col(liked.author_id).label("other"))
        .join(liked, col(liked.id) == col(Like.post_id))
        .where(
            col(Like.account_id).in_(member_ids()),
            *within(col(Like.created_at)),
            shown(liked),
            col(liked.author_id).in_(member_ids()),
            col(liked.author_id) != col(Like.account_id),
        )
    )
    both = replied.union_all(likes).subquery()
    one, other = both.c.one, both.c.other
    pairs = select_columns(
        case((one < other, one), else_=other).label("low"),
        case((one < other, other), else_=one).label("high"),
    ).distinct()
    return select(func.count()).select_from(pairs.subquery()).scalar_subquery()


def members_posts(*, replies: bool) -> ScalarSelect[Any]:
    """Counted per member and added up: an index range per member, which PostgreSQL would
    otherwise trade for reading every reply of the site."""
    reply_to = col(Post.in_reply_to_id)
    theirs = (
        select(func.count())
        .where(
            col(Post.author_id) == col(Account.id),
            *within(col(Post.created_at)),
            shown(Post),
            reply_to.is_not(None) if replies else reply_to.is_(None),
        )
        .scalar_subquery()
    )
    return select(total(theirs)).select_from(Account).where(*is_member()).scalar_subquery()


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
