"""Finding residents by name and hashtags by their beginning.

Plain `LIKE` with escaped wildcards, so a `%` or `_` that someone types is only that character,
and the same query runs on SQLite and PostgreSQL. Case is folded with `lower()`; SQLite folds only
ASCII letters that way, so on SQLite "émile" does not find "Émile" (PostgreSQL does).
"""

import functools
from dataclasses import dataclass

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
)
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

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
    pattern = escape_like(wanted)
    values: dict[str, object] = {
        "wanted": wanted,
        "prefix": f"{pattern}%",
        "contains": f"%{pattern}%",
    }
    if searcher is not None:
        values["searcher_id"] = searcher.id
    found = await session.exec(_people_statement(searcher is not None), params=values)
    return list(found.all())


async def search_hashtags(
    session: AsyncSession, query: str, searcher: Account | None = None
) -> list[str]:
    """Hashtags that begin with the query (which may start with #), on a post the searcher may
    see: a tag in a private message says something too."""
    wanted = normalise_query(query).lstrip("#")
    if not wanted:
        return []
    values: dict[str, object] = {"prefix": f"{escape_like(wanted)}%"}
    if searcher is not None:
        assert searcher.domain is None  # a resident
        values |= {"searcher_id": searcher.id, "neighbourhood_id": searcher.neighbourhood_id}
    found = await session.exec(_hashtags_statement(searcher is not None), params=values)
    return list(found.all())


# Built once (per searcher or nobody) with the values as parameters: building the visibility
# rule anew took longer than running the statement.


@functools.cache
def _people_statement(by_someone: bool) -> SelectOfScalar[Account]:
    """People by `wanted` (exact), `prefix` and `contains` (LIKE patterns), not blocking
    `searcher_id`. On PostgreSQL a trigram index serves `contains` (migration `b3d7f1a9c5e2`)."""
    display_name = func.lower(col(Account.display_name))
    username = col(Account.username_key)
    wanted = bindparam("wanted", type_=String)
    prefix = bindparam("prefix", type_=String)
    contains = bindparam("contains", type_=String)
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
    if by_someone:
        statement = statement.where(~_blocks_searcher(bindparam("searcher_id", type_=Integer)))
    return statement


@functools.cache
def _hashtags_statement(by_resident: bool) -> SelectOfScalar[str]:
    """Hashtags by `prefix` (a LIKE pattern) seen by the resident `searcher_id` of
    `neighbourhood_id`, or by nobody in particular.

    OFFSET 0 keeps PostgreSQL from making the EXISTS a join, which it planned for all of a tag's
    posts (hashing every account to check their authors, 2 ms); as a subquery it stops at the
    first post the searcher may see."""
    if by_resident:
        viewer_id = bindparam("searcher_id", type_=Integer)
        seen = visibility.visible_to_viewer(viewer_id, bindparam("neighbourhood_id", type_=Integer))
    else:
        seen = visibility.visible_to(None)
    seen_somewhere = exists(
        select(PostHashtag.post_id)
        .where(
            col(PostHashtag.hashtag_id) == col(Hashtag.id),
            col(Post.id) == col(PostHashtag.post_id),
            seen,
        )
        .offset(0)
    )
    return (
        select(Hashtag.name)
        .where(
            col(Hashtag.name).like(bindparam("prefix", type_=String), escape=ESCAPE),
            seen_somewhere,
        )
        .order_by(func.length(col(Hashtag.name)), col(Hashtag.name))
        .limit(RESULT_LIMIT)
    )


def _blocks_searcher(searcher_id: BindParameter[int]) -> ColumnElement[bool]:
    return exists().where(
        and_(col(Block.blocker_id) == col(Account.id), col(Block.blocked_id) == searcher_id)
    )
