"""Polls as pages and documents show them: a viewer's view (results once they voted, to
everyone once the poll has ended, always to its author; their own choices marked), and the facts
of the `Question` we send. Each is read for many posts at once, in one statement.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.local_times import utc
from buurtnet.core.polls import NO_END, has_ended
from buurtnet.models import Poll, PollOption, PollVote, Post, utcnow


@dataclass(frozen=True)
class PollFacts:
    """A poll as other servers are told of it (`Question`)."""

    poll: Poll
    options: list[PollOption]
    ended: bool


@dataclass(frozen=True)
class OptionView:
    id: int
    name: str
    votes: int
    percent: int  # of the votes (one choice) or of the voters (several), rounded
    chosen: bool  # by the viewer
    leading: bool  # no answer has more votes (and it has some)


@dataclass(frozen=True)
class PollView:
    """A poll as one viewer sees it."""

    multiple: bool
    ends_at: datetime | None  # None: a poll from elsewhere without an end
    ended: bool
    voters_count: int
    options: list[OptionView]
    voted: bool
    by_viewer: bool  # the viewer wrote it
    from_elsewhere: bool

    @property
    def shows_results(self) -> bool:
        return self.voted or self.ended or self.by_viewer

    @property
    def takes_votes(self) -> bool:
        """Whether the viewer (logged in) may vote now, or change their vote."""
        return not self.ended and not self.by_viewer and not (self.voted and self.from_elsewhere)


async def facts_of(session: AsyncSession, post_ids: Sequence[int]) -> dict[int, PollFacts]:
    """The polls of these posts with their answers, in one statement."""
    rows = await _polls_with_options(session, post_ids, None)
    now = utcnow()
    found: dict[int, PollFacts] = {}
    for poll, option, _chosen in rows:
        if poll.post_id not in found:
            found[poll.post_id] = PollFacts(poll, [], has_ended(poll, now))
        found[poll.post_id].options.append(option)
    return found


async def polls_of(
    session: AsyncSession, posts: Sequence[Post], viewer_id: int | None
) -> dict[int, PollView]:
    """The polls of these posts as the viewer (None: a visitor) sees them, in one statement
    however many there are, and none when no post has one."""
    ids = [post.id for post in posts if post.id is not None and post.has_poll]
    if not ids:
        return {}
    rows = await _polls_with_options(session, ids, viewer_id)
    facts: dict[int, tuple[Poll, list[tuple[PollOption, bool]]]] = {}
    for poll, option, chosen in rows:
        facts.setdefault(poll.post_id, (poll, []))[1].append((option, chosen is not None))
    authors = {post.id: post for post in posts}
    now = utcnow()
    return {
        post_id: _view(poll, options, authors[post_id], viewer_id, now)
        for post_id, (poll, options) in facts.items()
    }


async def _polls_with_options(
    session: AsyncSession, post_ids: Sequence[int], voter_id: int | None
) -> list[tuple[Poll, PollOption, int | None]]:
    """Each answer of the polls, with its poll, and whether `voter_id` chose it."""
    if not post_ids:
        return []
    parameters = {"post_ids": list(post_ids), "voter_id": voter_id}
    return list((await session.exec(_POLLS_WITH_OPTIONS, params=parameters)).all())


# Built once, run with parameters: every page of posts asks it (a feed's page is hot).
_POLLS_WITH_OPTIONS = (
    select(Poll, PollOption, col(PollVote.option_id))
    .join(PollOption, col(PollOption.post_id) == col(Poll.post_id))
    .outerjoin(
        PollVote,
        and_(
            col(PollVote.option_id) == col(PollOption.id),
            col(PollVote.account_id) == bindparam("voter_id", type_=Integer),
        ),
    )
    .where(col(Poll.post_id).in_(bindparam("post_ids", expanding=True)))
    .order_by(col(Poll.post_id), col(PollOption.position), col(PollOption.id))
)


def _view(
    poll: Poll,
    options: list[tuple[PollOption, bool]],
    post: Post,
    viewer_id: int | None,
    now: datetime,
) -> PollView:
    total = sum(option.votes for option, _chosen in options)
    # Of several choices each answer is a share of the voters, as Mastodon counts it.
    whole = poll.voters_count if poll.multiple and poll.voters_count else total
    most = max((option.votes for option, _chosen in options), default=0)
    ends_at = utc(poll.ends_at)
    return PollView(
        multiple=poll.multiple,
        ends_at=None if ends_at >= NO_END else ends_at,
        ended=ends_at <= now,
        voters_count=poll.voters_count,
        options=[
            OptionView(
                id=option.id or 0,
                name=option.name,
                votes=option.votes,
                percent=round(100 * option.votes / whole) if whole else 0,
                chosen=chosen,
                leading=0 < most == option.votes,
            )
            for option, chosen in options
        ],
        voted=any(chosen for _option, chosen in options),
        by_viewer=viewer_id is not None and post.author_id == viewer_id,
        from_elsewhere=post.uri is not None,
    )
