"""A question for help that its author marks "geholpen" (helped), and takes back.

A helped request stays where it is, with a badge, but leaves every list of open questions for
help (`still_open`). It is our own state: nothing is sent to other servers, whose copies of
the post do not know it.
"""

from sqlalchemy import ColumnElement, and_, literal
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import posts
from buurtnet.core.errors import NotFound
from buurtnet.models import Account, Post, PostKind, utcnow


def still_open() -> ColumnElement[bool]:
    """The condition on `Post` for a question for help that nobody has helped with yet. The kind
    is written into the statement, not sent as a parameter: the partial indexes of the open
    questions (`core/post_search`) must be seen to fit it, also by a plan made for any value."""
    kind = literal(PostKind.HELP_REQUEST.value, literal_execute=True)
    return and_(col(Post.kind) == kind, col(Post.helped_at).is_(None))


async def mark_helped(session: AsyncSession, author: Account, post_id: int) -> None:
    """The author says they were helped; marking it again keeps the first time."""
    post = await _own_request(session, author, post_id)
    post.helped_at = post.helped_at or utcnow()


async def mark_open(session: AsyncSession, author: Account, post_id: int) -> None:
    """The author still needs help after all: the request is open again."""
    post = await _own_request(session, author, post_id)
    post.helped_at = None


async def _own_request(session: AsyncSession, author: Account, post_id: int) -> Post:
    """NotFound for a post the person may not see (or that asks for no help); NotAllowed for
    someone else's request."""
    post = await posts.own_post(session, author, post_id)
    if post.kind != PostKind.HELP_REQUEST:
        raise NotFound(post_id)
    return post
