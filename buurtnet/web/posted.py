"""After posting, the page with the new post says that it is there and puts the keyboard focus
on it (without JavaScript: the post is the target of the address and has `autofocus`).

The way there names the post in the query, `?posted=12#post-12`; a page believes it only for a
post of the viewer's own that it shows, so a shared link cannot make it claim anything.
"""

from collections.abc import Iterable

from starlette.requests import Request

from buurtnet.core.feeds import PostView
from buurtnet.models import Account, Post
from buurtnet.web.ids import parse_id

POSTED = "posted"


def address_after_posting(post: Post) -> str:
    """A new post on the home page, a reply in its conversation."""
    page = "/" if post.in_reply_to_id is None else f"/posts/{post.in_reply_to_id}"
    return f"{page}?{POSTED}={post.id}#post-{post.id}"


def just_posted(
    request: Request, viewer: Account | None, views: Iterable[PostView]
) -> PostView | None:
    """The viewer's post that the address names, if this page shows it."""
    wanted = parse_id(request.query_params.get(POSTED, ""))
    if wanted is None or viewer is None:
        return None
    return next(
        (view for view in views if view.post.id == wanted and view.post.author_id == viewer.id),
        None,
    )
