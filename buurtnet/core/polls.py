"""Polls on posts: a question with 2 to 10 answers, one choice or several, open until its end.

Every vote locks its poll's row first (`FOR UPDATE`; SQLite writes one at a time anyway), so two
votes of one person at once leave one, and the counts (`PollOption.votes`, `Poll.voters_count`)
change in the transaction of the votes: pages and the `Question` we send read them as they are.
A resident may change a vote in a poll of ours until it ends; a vote in a poll from elsewhere is
final (its server takes one vote per person), as is a vote that comes from elsewhere, one answer
per Note. A poll's author does not vote in it (as on Mastodon), but always sees its results.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import poll_news, visibility
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.local_times import utc
from buurtnet.core.text import clean_line
from buurtnet.models import Account, Poll, PollOption, PollVote, Post, utcnow

MIN_OPTIONS = 2
MAX_OPTIONS = 10
OPTION_LENGTH = 100  # what `PollOption.name` holds
SHORTEST = timedelta(minutes=5)
LONGEST = timedelta(days=30)
DEFAULT_DURATION = timedelta(days=3)
# A poll from elsewhere that names no end; shown as having none.
NO_END = datetime(9999, 1, 1, tzinfo=UTC)
VOTE = "vote"  # the form field that a vote's messages belong to


@dataclass(frozen=True)
class PollDraft:
    """The poll part of the composer: the answers as typed (empty ones do not count)."""

    options: tuple[str, ...]
    multiple: bool = False
    duration: timedelta = DEFAULT_DURATION


def option_names(draft: PollDraft) -> list[str]:
    """The answers as they would be stored: one line of visible text each, empty ones left out;
    one character too many is kept, so that `draft_problems` can tell it is too long."""
    cleaned = (clean_line(option, OPTION_LENGTH + 1) for option in draft.options)
    return [name for name in cleaned if name]


def draft_problems(draft: PollDraft) -> dict[str, str]:
    """What keeps a poll from being posted, as form field -> message code."""
    errors: dict[str, str] = {}
    names = option_names(draft)
    if len(names) < MIN_OPTIONS:
        errors["poll_options"] = "poll_too_few_options"
    elif len(names) > MAX_OPTIONS:
        errors["poll_options"] = "poll_too_many_options"
    elif any(len(name) > OPTION_LENGTH for name in names):
        errors["poll_options"] = "poll_option_too_long"
    elif len({name.casefold() for name in names}) < len(names):
        errors["poll_options"] = "poll_options_duplicate"
    if not SHORTEST <= draft.duration <= LONGEST:
        errors["poll_duration"] = "poll_duration_invalid"
    return errors


def attach(session: AsyncSession, post: Post, draft: PollDraft) -> None:
    """The poll of a new post, in the post's transaction (`posts.create_post` checked it)."""
    assert post.id is not None
    post.has_poll = True
    session.add(post)
    session.add(Poll(post_id=post.id, multiple=draft.multiple, ends_at=utcnow() + draft.duration))
    session.add_all(
        PollOption(post_id=post.id, position=position, name=name)
        for position, name in enumerate(option_names(draft))
    )


def has_ended(poll: Poll, now: datetime | None = None) -> bool:
    return utc(poll.ends_at) <= (now or utcnow())


# ---------------------------------------------------------------- voting


async def vote(
    session: AsyncSession, voter: Account, post_id: int, option_ids: Sequence[int]
) -> None:
    """A resident's vote: the chosen answers replace their earlier ones, until the poll ends."""
    assert voter.id is not None
    post, poll = await open_poll(session, voter, post_id)
    if post.author_id == voter.id:
        raise InvalidInput.single(VOTE, "poll_own")
    options = await options_of(session, post_id)
    chosen = set(option_ids)
    if not chosen:
        raise InvalidInput.single(VOTE, "poll_choose")
    if not chosen <= {option.id for option in options}:
        raise InvalidInput.single(VOTE, "poll_option_unknown")
    if len(chosen) > 1 and not poll.multiple:
        raise InvalidInput.single(VOTE, "poll_one_choice")
    earlier = await choices_of(session, post_id, voter.id)
    if earlier and post.uri is not None:
        raise InvalidInput.single(VOTE, "poll_vote_final")
    await _record(session, poll, voter.id, earlier, chosen)
    await poll_news.vote_cast(session, post, voter.id, sorted(chosen - earlier))


async def vote_from_elsewhere(
    session: AsyncSession, voter: Account, post_id: int, choice: str, uri: str
) -> None:
    """A vote from another server in a poll of ours: one answer, by its name. Refused after the
    end, for an answer the poll does not have, and when it would be a second vote (the same
    answer again, or another one in a poll of one choice): a vote from elsewhere is final."""
    assert voter.id is not None
    post, poll = await open_poll(session, voter, post_id)
    if post.uri is not None:
        raise NotAllowed  # a poll from elsewhere counts its votes at its own server
    option = next(
        (found for found in await options_of(session, post_id) if found.name == choice), None
    )
    if option is None or option.id is None:
        raise InvalidInput.single(VOTE, "poll_option_unknown")
    earlier = await choices_of(session, post_id, voter.id)
    if option.id in earlier or (earlier and not poll.multiple):
        raise InvalidInput.single(VOTE, "poll_already_voted")
    await _record(session, poll, voter.id, earlier, earlier | {option.id}, uri=uri)
    await poll_news.counts_changed(session, post)


async def forget_voter(session: AsyncSession, voter_id: int) -> None:
    """Someone leaves buurtnet: their votes go. In a poll still open the counts go down with
    them; an ended poll keeps its result, as it was when it ended."""
    voted = select(PollVote.post_id).where(col(PollVote.account_id) == voter_id).distinct()
    for post_id in (await session.exec(voted)).all():
        poll = await locked(session, post_id)
        if poll is not None and not has_ended(poll):
            await _record(
                session, poll, voter_id, await choices_of(session, post_id, voter_id), set()
            )
    await session.exec(delete(PollVote).where(col(PollVote.account_id) == voter_id))


async def open_poll(session: AsyncSession, voter: Account, post_id: int) -> tuple[Post, Poll]:
    """The post (if the voter may see it) and its poll, locked, while it is open."""
    query = select(Post).where(col(Post.id) == post_id, visibility.visible_to(voter))
    post = (await session.exec(query)).first()
    if post is None:
        raise NotFound(post_id)
    poll = await locked(session, post_id)
    if poll is None:
        raise InvalidInput.single(VOTE, "poll_missing")
    if has_ended(poll):
        raise InvalidInput.single(VOTE, "poll_ended")
    return post, poll


async def locked(session: AsyncSession, post_id: int) -> Poll | None:
    """The poll, read afresh and locked until the transaction ends: its votes are taken one at a
    time."""
    query = (
        select(Poll)
        .where(col(Poll.post_id) == post_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).first()


async def options_of(session: AsyncSession, post_id: int) -> list[PollOption]:
    query = (
        select(PollOption)
        .where(col(PollOption.post_id) == post_id)
        .order_by(col(PollOption.position), col(PollOption.id))
    )
    return list((await session.exec(query)).all())


async def choices_of(session: AsyncSession, post_id: int, voter_id: int) -> set[int]:
    """The answers someone chose in a poll."""
    query = select(PollVote.option_id).where(
        col(PollVote.post_id) == post_id, col(PollVote.account_id) == voter_id
    )
    return set((await session.exec(query)).all())


async def _record(
    session: AsyncSession,
    poll: Poll,
    voter_id: int,
    earlier: set[int],
    chosen: set[int],
    *,
    uri: str | None = None,
) -> None:
    """Votes from `earlier` to `chosen`, with the counts in step."""
    dropped, added = earlier - chosen, chosen - earlier
    if dropped:
        await session.exec(
            delete(PollVote).where(
                col(PollVote.account_id) == voter_id, col(PollVote.option_id).in_(dropped)
            )
        )
        await _count(session, dropped, -1)
    if added:
        session.add_all(
            PollVote(option_id=option_id, account_id=voter_id, post_id=poll.post_id, uri=uri)
            for option_id in sorted(added)
        )
        await _count(session, added, 1)
    if bool(earlier) != bool(chosen):
        poll.voters_count += 1 if chosen else -1
    await session.flush()


async def _count(session: AsyncSession, option_ids: set[int], change: int) -> None:
    votes = col(PollOption.votes)
    await session.exec(
        update(PollOption).where(col(PollOption.id).in_(option_ids)).values(votes=votes + change)
    )


async def voter_ids(session: AsyncSession, post_id: int) -> list[int]:
    """Everyone who voted in a poll, once each."""
    query = select(PollVote.account_id).where(col(PollVote.post_id) == post_id).distinct()
    return sorted((await session.exec(query)).all())


async def names_of(
    session: AsyncSession, post_id: int, option_ids: Sequence[int]
) -> list[tuple[int, str]]:
    """The answers of a poll with these ids, as (id, name), in their order."""
    return [
        (option.id, option.name)
        for option in await options_of(session, post_id)
        if option.id is not None and option.id in option_ids
    ]
