"""Posts a word filter held for review (`Post.moderation == "held"`), for the moderators of their
neighbourhood: each waits for "let through" (`actions.approve_held`) or "remove"
(`actions.remove_post`)."""

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import permissions
from buurtnet.core.permissions import Roles
from buurtnet.models import Account, ModerationState, Post

HELD_LIST_LENGTH = 100


@dataclass(frozen=True)
class HeldPost:
    post: Post
    author: Account


async def held_posts(session: AsyncSession, roles: Roles) -> list[HeldPost]:
    """The held posts these roles moderate, the longest waiting first."""
    found = await session.exec(
        select(Post, Account)
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(
            col(Post.moderation) == ModerationState.HELD,
            permissions.moderated(roles, col(Post.neighbourhood_id)),
        )
        .order_by(col(Post.id))
        .limit(HELD_LIST_LENGTH)
    )
    return [HeldPost(post, author) for post, author in found.all()]
