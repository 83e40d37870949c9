"""A post with the conversation around it: the posts above it, and the replies below in order."""

from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import feeds, posts, visibility
from buurtnet.models import Account, Post

MAX_THREAD_POSTS = 500


@dataclass(frozen=True)
class Thread:
    ancestors: list[feeds.PostView]  # from the start of the conversation down to the parent
    focus: feeds.PostView
    replies: list[feeds.PostView]  # depth first, oldest first; `depth` 1 answers the focus
    parent_unavailable: bool  # the post this one answers is deleted, or hidden from the viewer


async def thread_of(session: AsyncSession, viewer: Account | None, post_id: int) -> Thread:
    """The thread around a post, read in one query however long it is (up to a bound)."""
    focus = await posts.get_visible(session, viewer, post_id)
    root_id = focus.thread_root_id or focus.id
    query = (
        select(Post, Account, *feeds.reaction_columns(viewer.id if viewer else None))
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(
            or_(col(Post.id) == root_id, col(Post.thread_root_id) == root_id),
            visibility.visible_to(viewer),
        )
        .order_by(col(Post.id))
        .limit(MAX_THREAD_POSTS)
    )
    rows = list((await session.exec(query)).all())
    viewer_id = viewer.id if viewer is not None else None
    views = {view.post.id: view for view in await feeds.views_of(session, rows, viewer_id)}
    if focus.id not in views:  # beyond the bound: show it alone
        author = await session.get(Account, focus.author_id)
        assert author is not None
        views[focus.id] = feeds.PostView(focus, author)
    return Thread(
        ancestors=_ancestors(views, focus),
        focus=views[focus.id],
        replies=_replies_below(views, focus.id),
        parent_unavailable=focus.in_reply_to_id is not None and focus.in_reply_to_id not in views,
    )


def _ancestors(views: dict[int | None, feeds.PostView], focus: Post) -> list[feeds.PostView]:
    chain: list[feeds.PostView] = []
    parent_id = focus.in_reply_to_id
    while parent_id in views and len(chain) < MAX_THREAD_POSTS:
        chain.append(views[parent_id])
        parent_id = views[parent_id].post.in_reply_to_id
    return chain[::-1]


def _replies_below(
    views: dict[int | None, feeds.PostView], focus_id: int | None
) -> list[feeds.PostView]:
    children: dict[int | None, list[feeds.PostView]] = defaultdict(list)
    for view in views.values():
        children[view.post.in_reply_to_id].append(view)
    ordered: list[feeds.PostView] = []
    waiting = [(reply, 1) for reply in reversed(children[focus_id])]
    while waiting:
        view, depth = waiting.pop()
        ordered.append(replace(view, depth=depth))
        waiting.extend((reply, depth + 1) for reply in reversed(children[view.post.id]))
    return ordered
