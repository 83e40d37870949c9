"""Our posts as `Note`s, and the `Create`s that published them: one builder (`objects.note_to_as2`
on `core.post_details`) for what other servers fetch, what they are sent, and what a resident's
export holds, so that the three are the same document.

Only our own posts are served (a post from elsewhere is its own server's to serve), and each only
to whom may see it (`core.visibility`): a public post to anyone, a followers-only or direct post
to a fetch signed by one of its readers, a neighbourhood post to nobody elsewhere at all.
"""

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import names, visibility
from buurtnet.core.errors import NotFound
from buurtnet.core.post_details import Authored, details_of
from buurtnet.federation.as2 import activities, objects
from buurtnet.federation.uris import Uris
from buurtnet.models import Account, Neighbourhood, Post


async def served_post(
    session: AsyncSession, fetcher: Account | None, post_id: int, username: str | None = None
) -> Authored:
    """A post of ours with its author, if `fetcher` (None: a fetch without a signature) may see
    it; NotFound for anything else, and under another author's URL."""
    query = (
        select(Post, Account)
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(col(Post.id) == post_id, col(Post.uri).is_(None), visibility.visible_to(fetcher))
    )
    found = (await session.exec(query)).first()
    if found is None:
        raise NotFound(post_id)
    if username is not None and found[1].username_key != names.name_key(username):
        raise NotFound(post_id)
    return found


async def notes_of(
    session: AsyncSession, rows: Sequence[Authored], uris: Uris, host: str
) -> list[objects.JsonObject]:
    """The posts as `Note`s, in the order given."""
    return [
        objects.note_to_as2(details, uris, host=host) for details in await details_of(session, rows)
    ]


def create_of(
    note: objects.JsonObject, post: Post, author: Account, uris: Uris
) -> objects.JsonObject:
    """The `Create` that published a post, with the note inside."""
    assert post.id is not None
    activity_id = uris.post_activity(author.username, post.id)
    return objects.create_to_as2(note, uris.actor(author.username), activity_id)


async def creates_of(
    session: AsyncSession, rows: Sequence[Authored], uris: Uris, host: str
) -> list[objects.JsonObject]:
    notes = await notes_of(session, rows, uris, host)
    return [
        create_of(note, post, author, uris)
        for note, (post, author) in zip(notes, rows, strict=True)
    ]


def group_announce(
    group: Neighbourhood, shared: objects.JsonObject, post_id: int, uris: Uris
) -> objects.JsonObject:
    """The neighbourhood's group passing a member's public post on (FEP-1b12): its `Create`, as
    Lemmy and others read it, or its `Note`, which Mastodon shows as a share."""
    group_id = uris.neighbourhood(group.slug)
    kind = "create" if shared["type"] == "Create" else "note"
    note = shared["object"] if kind == "create" else shared
    return activities.announce_to_as2(
        uris.activity(group_id, "announces", f"{kind}-{post_id}"),
        group_id,
        shared,
        followers=uris.neighbourhood_followers(group.slug),
        author=note["attributedTo"],
        published=note["published"],
    )
