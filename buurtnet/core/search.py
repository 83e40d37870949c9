"""Finding residents by name and hashtags by their beginning.

Plain `LIKE` with escaped wildcards, so a `%` or `_` that someone types is only that character,
and the same query runs on SQLite and PostgreSQL. Case is folded with `lower()`; SQLite folds only
ASCII letters that way, so on SQLite "émile" does not find "Émile" (PostgreSQL does).
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import visibility
from buurtnet.models import Account, AccountStatus, Block, Hashtag, Post, PostHashtag

MAX_QUERY_LENGTH = 100
RESULT_LIMIT = 20
ESCAPE = "\\"


@dataclass(frozen=True)
class Results:
    people: list[Account]
    hashtags: list[str]  # names without the #


def normalise_query(query: str) -> str:
    """What is searched for: trimmed, lower case and cut to a sane length."""
    return query.strip().lower()[:MAX_QUERY_LENGTH]


def escape_like(text: str) -> str:
    """Make `%`, `_` and the escape character itself stand for themselves in a LIKE pattern."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


async def search(session: AsyncSession, query: str, searcher: Account | None) -> Results:
    """People and hashtags for one search box; an empty query finds nothing."""
    return Results(
        people=await search_people(session, query, searcher),
        hashtags=await search_hashtags(session, query, searcher),
    )


async def search_people(
    session: AsyncSession, query: str, searcher: Account | None
) -> list[Account]:
    """Active people whose username or display name contains the query; exact and prefix
    matches first. People who block the searcher are left out."""
    wanted = normalise_query(query).lstrip("@")
    if not wanted:
        return []
    display_name = func.lower(col(Account.display_name))
    username = col(Account.username_key)
    contains = f"%{escape_like(wanted)}%"
    prefix = f"{escape_like(wanted)}%"
    rank = case(
        (or_(username == wanted, display_name == wanted), 0),
        (or_(username.like(prefix, escape=ESCAPE), display_name.like(prefix, escape=ESCAPE)), 1),
        else_=2,
    )
    statement = (
        select(Account)
        .where(
            col(Account.status) == AccountStatus.ACTIVE,
            or_(username.like(contains, escape=ESCAPE), display_name.like(contains, escape=ESCAPE)),
        )
        .order_by(rank, username)
        .limit(RESULT_LIMIT)
    )
    if searcher is not None:
        statement = statement.where(~_blocks_searcher(searcher))
    return list((await session.exec(statement)).all())


async def search_hashtags(
    session: AsyncSession, query: str, searcher: Account | None = None
) -> list[str]:
    """Hashtags that begin with the query (which may start with #), on a post the searcher may
    see: a tag in a private message says something too."""
    wanted = normalise_query(query).lstrip("#")
    if not wanted:
        return []
    seen_somewhere = exists().where(
        col(PostHashtag.hashtag_id) == col(Hashtag.id),
        col(Post.id) == col(PostHashtag.post_id),
        visibility.visible_to(searcher),
    )
    statement = (
        select(Hashtag.name)
        .where(col(Hashtag.name).like(f"{escape_like(wanted)}%", escape=ESCAPE), seen_somewhere)
        .order_by(func.length(col(Hashtag.name)), col(Hashtag.name))
        .limit(RESULT_LIMIT)
    )
    return list((await session.exec(statement)).all())


def _blocks_searcher(searcher: Account) -> ColumnElement[bool]:
    return exists().where(
        and_(col(Block.blocker_id) == col(Account.id), col(Block.blocked_id) == searcher.id)
    )
