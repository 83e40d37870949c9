"""Polls from elsewhere: kept as their server last described them (its `Question` in a Create or
an Update), with the counts it gave, which overrule ours. A vote cast here counts here at once,
until the next Update brings the count with it.

When the answers themselves change (or one choice becomes several), the votes here no longer fit
them and start afresh, as Mastodon resets them.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import polls, posts
from buurtnet.core.remote_posts import IncomingPost
from buurtnet.core.text import clean_line
from buurtnet.models import Poll, PollOption, PollVote, Post


@dataclass(frozen=True)
class PollFromElsewhere:
    multiple: bool
    answers: tuple[tuple[str, int], ...]  # each answer's name and count
    ends_at: datetime | None  # None: no end given
    closed_at: datetime | None  # when its server closed it, if it has
    voters_count: int | None  # None: not given


async def keep(session: AsyncSession, post_id: int, found: PollFromElsewhere) -> None:
    """Store a post's poll, or bring it up to date."""
    poll = await polls.locked(session, post_id)
    names = [name for name, _votes in found.answers]
    if poll is None:
        poll = Poll(post_id=post_id, multiple=found.multiple, ends_at=polls.NO_END)
        session.add(poll)
        await session.exec(update(Post).where(col(Post.id) == post_id).values(has_poll=True))
        options = []
    else:
        options = await polls.options_of(session, post_id)
    if [option.name for option in options] != names or poll.multiple != found.multiple:
        await _start_afresh(session, post_id)
        options = [
            PollOption(post_id=post_id, position=position, name=name)
            for position, name in enumerate(names)
        ]
        session.add_all(options)
    for option, (_name, votes) in zip(options, found.answers, strict=True):
        option.votes = votes
    poll.multiple = found.multiple
    poll.ends_at = _end_of(found)
    poll.voters_count = (
        found.voters_count
        if found.voters_count is not None
        else sum(votes for _name, votes in found.answers)
    )
    await session.flush()


async def _start_afresh(session: AsyncSession, post_id: int) -> None:
    await session.exec(delete(PollVote).where(col(PollVote.post_id) == post_id))
    await session.exec(delete(PollOption).where(col(PollOption.post_id) == post_id))


def _end_of(found: PollFromElsewhere) -> datetime:
    """A closed poll ended when it closed, or at its end if that came first (of one that comes
    closed without saying when, `questions.poll_from_elsewhere` takes the moment it came); an
    open one ends at its end, or never (`NO_END`)."""
    if found.closed_at is not None:
        return min(found.closed_at, found.ends_at) if found.ends_at else found.closed_at
    return found.ends_at or polls.NO_END


def only_counts_changed(post: Post, incoming: IncomingPost) -> bool:
    """Whether an Update of a post with a poll leaves its text and warning as they are, as an
    Update of the counts does: then it is no edit (no earlier version is kept)."""
    summary = clean_line(incoming.summary, posts.SUMMARY_LENGTH)
    return post.content_html == incoming.content_html and post.summary == summary
