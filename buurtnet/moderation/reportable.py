"""What a resident is offered to report: the person, and their recent posts that the resident can
see (through the one visibility rule), so that the report form never shows a post the reporter
could not open. `reports.file_report` checks the same again when the form comes back."""

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import posts, visibility
from buurtnet.core.errors import NotFound
from buurtnet.models import Account, Post
from buurtnet.moderation.reports import MAX_POSTS, REPORTABLE

# People who are gone or not yet let in cannot be reported: their profiles do not exist either.


@dataclass(frozen=True)
class Reportable:
    person: Account
    posts: list[Post]  # newest first; the chosen post first of all
    chosen: Post | None  # the post the resident clicked "Report" on


async def reportable(
    session: AsyncSession, reporter: Account, person_id: int, post_id: int | None = None
) -> Reportable:
    """The person and up to `MAX_POSTS` of their posts the reporter can see; `NotFound` for
    someone not there (or oneself), and for a post the reporter cannot see or of someone else."""
    person = await session.get(Account, person_id)
    if person is None or person.status not in REPORTABLE or person.id == reporter.id:
        raise NotFound(person_id)
    chosen = None
    if post_id is not None:
        chosen = await posts.get_visible(session, reporter, post_id)
        if chosen.author_id != person.id:
            raise NotFound(post_id)
    found = await session.exec(
        select(Post)
        .where(col(Post.author_id) == person.id, visibility.visible_to(reporter))
        .order_by(col(Post.id).desc())
        .limit(MAX_POSTS)
    )
    recent = [post for post in found.all() if chosen is None or post.id != chosen.id]
    shown = recent if chosen is None else [chosen, *recent[: MAX_POSTS - 1]]
    return Reportable(person, shown, chosen)
