"""Gathering everything that belongs to one person, for the download of their own data.

Plain rows and values in a fixed number of queries, however many posts there are (one per kind of
thing, never one per post): the posts with the same details (`post_details`) that their Notes are
built from when they are served and sent, so that the export holds the same documents. How it is
written down (ActivityStreams in a zip) is for `federation.archive` to decide.
"""

from dataclasses import dataclass, field

from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import accounts, visibility
from buurtnet.core.post_details import Authored, PostDetails, details_of
from buurtnet.models import (
    Account,
    Follow,
    Like,
    Neighbourhood,
    Participation,
    PollOption,
    PollVote,
    Post,
    SurveyParticipation,
    SurveyPeriod,
)


@dataclass(frozen=True)
class AccountExport:
    account: Account
    neighbourhood: Neighbourhood | None
    posts: list[PostDetails]  # newest first
    likes: list[Authored]  # the posts liked, with their authors, here or elsewhere
    following: list[Account]
    followers: list[Account]
    answers: list[tuple[str, Post, Account]] = field(default_factory=list)  # sign-ups
    votes: list[tuple[str, Post, Account]] = field(default_factory=list)  # answer chosen, poll
    # The surveys they took part in, never what they answered: nothing links it to them.
    surveys: list[tuple[SurveyPeriod, Neighbourhood]] = field(default_factory=list)

    @property
    def media_keys(self) -> list[str]:
        """Every file to put in the archive: the avatar and the original of each image."""
        keys = [self.account.avatar_key] if self.account.avatar_key else []
        keys += [image.storage_key for post in self.posts for image in post.images]
        return list(dict.fromkeys(keys))


async def gather_export(session: AsyncSession, account: Account) -> AccountExport:
    """One person's profile, posts (with tags, mentions, images and what they answer), likes
    and follows, in a fixed number of queries."""
    assert account.id is not None
    stored = await session.get(Account, account.id)
    assert stored is not None
    own = select(Post).where(col(Post.author_id) == account.id, visibility.visible_to(stored))
    posts = (await session.exec(own.order_by(col(Post.id).desc()))).all()
    return AccountExport(
        account=stored,
        neighbourhood=await accounts.home_neighbourhood(session, stored),
        posts=await details_of(session, [(post, stored) for post in posts]),
        likes=await _likes(session, account.id),
        following=await _people(session, account.id, following=True),
        followers=await _people(session, account.id, following=False),
        answers=await _answers(session, account.id),
        votes=await _votes(session, account.id),
        surveys=await _surveys(session, account.id),
    )


async def _answers(session: AsyncSession, account_id: int) -> list[tuple[str, Post, Account]]:
    """Their answer to each activity (going, maybe, …), with the activity and its organiser."""
    author = aliased(Account)
    query = (
        select(Participation.status, Post, author)
        .join(Post, col(Post.id) == col(Participation.post_id))
        .join(author, col(author.id) == col(Post.author_id))
        .where(col(Participation.account_id) == account_id)
        .order_by(col(Participation.created_at).desc())
    )
    return list((await session.exec(query)).all())


async def _votes(session: AsyncSession, account_id: int) -> list[tuple[str, Post, Account]]:
    """The answers they chose in polls, with the poll's post and its author."""
    author = aliased(Account)
    query = (
        select(PollOption.name, Post, author)
        .select_from(PollVote)
        .join(PollOption, col(PollOption.id) == col(PollVote.option_id))
        .join(Post, col(Post.id) == col(PollVote.post_id))
        .join(author, col(author.id) == col(Post.author_id))
        .where(col(PollVote.account_id) == account_id)
        .order_by(col(PollVote.post_id).desc(), col(PollOption.position))
    )
    return list((await session.exec(query)).all())


async def _surveys(
    session: AsyncSession, account_id: int
) -> list[tuple[SurveyPeriod, Neighbourhood]]:
    """The survey periods they took part in, with the neighbourhood; the answers are stored
    without a link to anyone (models/surveys.py), so they cannot be and are not here."""
    query = (
        select(SurveyPeriod, Neighbourhood)
        .select_from(SurveyParticipation)
        .join(SurveyPeriod, col(SurveyPeriod.id) == col(SurveyParticipation.period_id))
        .join(Neighbourhood, col(Neighbourhood.id) == col(SurveyPeriod.neighbourhood_id))
        .where(col(SurveyParticipation.account_id) == account_id)
        .order_by(col(SurveyPeriod.opens_on).desc())
    )
    return list((await session.exec(query)).all())


async def _likes(session: AsyncSession, account_id: int) -> list[Authored]:
    author = aliased(Account)
    query = (
        select(Post, author)
        .select_from(Like)
        .join(Post, col(Post.id) == col(Like.post_id))
        .join(author, col(author.id) == col(Post.author_id))
        .where(col(Like.account_id) == account_id)
        .order_by(col(Like.created_at).desc())
    )
    return list((await session.exec(query)).all())


async def _people(session: AsyncSession, account_id: int, *, following: bool) -> list[Account]:
    """The people someone follows (following=True) or who follow them."""
    mine, theirs = (
        (Follow.follower_id, Follow.followed_id)
        if following
        else (Follow.followed_id, Follow.follower_id)
    )
    query = (
        select(Account)
        .select_from(Follow)
        .join(Account, col(Account.id) == col(theirs))
        .where(col(mine) == account_id)
        .order_by(col(Follow.created_at).desc())
    )
    return list((await session.exec(query)).all())
