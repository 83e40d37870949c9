"""Finding posts and replies by their words: a page at a time, newest first, of what the
searcher may see (`visibility`) and would find listed on a hashtag's page (`feeds`).

The words come from `search_terms` (never the engines' syntax). SQLite looks them up in its FTS5
table, PostgreSQL in the posts' `search_vector` (Dutch stems: "fietsen" finds "fiets"); the rest
of the statement is the same, built once per shape and run with the searcher's values.

Neither may sort all matches to show the newest 20: a word in one post of five matches 200,000 of
a million. SQLite's FTS5 table drives the statement in id order (`ORDER BY rowid DESC`, which it
reads backwards without sorting) and stops at a page. PostgreSQL's GIN index cannot give its
matches in order, and collecting 200,000 of them costs more than a page may; so `_walked_rows`
first walks the newest posts on the primary key, checking each against its stored vector, which
finds a page of a common word in a few thousand posts, and asks the index only for what is rarer.
docs/search.md has the plans and the figures.
"""

import functools
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ColumnElement,
    FromClause,
    Integer,
    String,
    bindparam,
    false,
    func,
    inspect,
    literal_column,
    true,
)
from sqlalchemy.sql import column, table
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import feeds, help_requests, visibility
from buurtnet.core.search_terms import Terms, fts5_match, tsquery_words
from buurtnet.db import is_postgresql
from buurtnet.models import Account, Post, PostKind
from buurtnet.models.post_search import POSTGRESQL_COLUMN, SQLITE_TABLE

# PostgreSQL: posts walked newest first before the index is asked. The first window holds a page
# of a word in one post of 200 (for a searcher who may see 40% of them); more are walked only
# while the matches found so far say that the page is complete within WALK_AT_MOST posts (0.5 µs
# a post), or fewer with a filter, whose own GIN index holds only its few posts.
FIRST_WINDOW = 10_000
WALK_AT_MOST = 200_000
WALK_AT_MOST_FILTERED = 80_000


class Show(StrEnum):
    """Which posts among the matches: all of them, open questions for help, or offers."""

    ALL = "all"
    HELP = "help"
    OFFERS = "offers"


SHOWN: dict[Show, ColumnElement[bool]] = {
    Show.ALL: true(),
    Show.HELP: help_requests.still_open(),
    Show.OFFERS: col(Post.kind) == PostKind.OFFER,
}
POSTS: FromClause = inspect(Post).local_table
FTS = table(SQLITE_TABLE, column("rowid"))
SEARCH_VECTOR: ColumnElement[object] = literal_column(f"post.{POSTGRESQL_COLUMN}")
DUTCH: ColumnElement[str] = literal_column("'dutch'")  # the configuration of `search_vector`
BEFORE = bindparam("before", type_=Integer)


async def search_posts(
    session: AsyncSession,
    searcher: Account,
    terms: Terms,
    show: Show = Show.ALL,
    before: int | None = None,
) -> feeds.Page:
    """A page of the posts that hold all the words; none when there are no words."""
    if not terms.words:
        return feeds.Page([], None)
    postgresql = await is_postgresql(session)
    values = parameters(postgresql, searcher, terms, before)
    if postgresql:
        rows = await _walked_rows(session, show, terms, values, before)
    else:
        found = await session.exec(sqlite_statement(show, before is not None), params=values)
        rows = list(found.all())
    return await feeds.page_of(session, rows, searcher)


def parameters(
    postgresql: bool, searcher: Account, terms: Terms, before: int | None
) -> dict[str, object]:
    """The searcher's values and the words, for the statements below."""
    assert searcher.id is not None and searcher.domain is None  # a resident
    values: dict[str, object] = {
        "viewer_id": searcher.id,
        "neighbourhood_id": searcher.neighbourhood_id,
    }
    if postgresql:
        values |= {f"word{number}": word for number, word in enumerate(tsquery_words(terms))}
    else:
        values["match"] = fts5_match(terms)
    return values | ({"before": before} if before is not None else {})


@functools.cache
def sqlite_statement(show: Show, paged: bool) -> feeds.FeedQuery:
    """A page of matches, read from the FTS5 table newest first."""
    matches = column(SQLITE_TABLE).op("MATCH", is_comparison=True)(bindparam("match", type_=String))
    older = [FTS.c.rowid < BEFORE] if paged else []
    found = FTS.join(POSTS, col(Post.id) == FTS.c.rowid)
    return _page(found, matches, FTS.c.rowid, SHOWN[show], *older)


@functools.cache
def walk_statement(show: Show, words: int) -> feeds.FeedQuery:
    """PostgreSQL: a page of matches among the posts from `lowest` up to `before`, read newest
    first on the primary key. Neither the words nor the filter may lead the planner to an index
    instead (it took the offers' GIN index to list all offers, 50 ms): the words are matched by
    `ts_match_vq` (what `@@` calls), which no index serves, and the filter is wrapped in
    `coalesce`, which keeps its meaning but implies no index's condition."""
    matches = func.ts_match_vq(SEARCH_VECTOR, _tsquery(range(words)), type_=Boolean)
    shown = func.coalesce(SHOWN[show], false(), type_=Boolean)
    window = (POSTS.c.id >= bindparam("lowest", type_=Integer), POSTS.c.id < BEFORE)
    return _page(POSTS, matches, POSTS.c.id, shown, *window)


@functools.cache
def index_statement(show: Show, words: int, prefix: bool) -> feeds.FeedQuery:
    """PostgreSQL: a page of matches before `before`, found by the GIN index and then sorted.

    Ordered by `id + 0`, which the primary key cannot give, so that the planner never walks all
    posts for words it guesses to be common ("zebra:*" is guessed at 2%). The index is asked for
    the whole words only when there are any: for the beginning of a word it must collect the
    matches of every word that begins so ("boom:*" is 190,000 posts), which the rows it finds
    are cheaply checked for instead."""
    everything = range(words)
    whole = range(words - 1) if prefix and words > 1 else everything
    matches: ColumnElement[bool] = SEARCH_VECTOR.bool_op("@@")(_tsquery(whole))
    if whole != everything:
        matches &= func.ts_match_vq(SEARCH_VECTOR, _tsquery(everything), type_=Boolean)
    newest_first = POSTS.c.id + literal_column("0")
    return _page(POSTS, matches, newest_first, SHOWN[show], POSTS.c.id < BEFORE)


async def _walked_rows(
    session: AsyncSession, show: Show, terms: Terms, values: dict[str, object], before: int | None
) -> Sequence[feeds.FeedRow]:
    """PostgreSQL's page: the newest posts walked in windows while they promise a full page,
    then the index for the older rest."""
    upper = before if before is not None else await _newest(session) + 1
    rows: list[feeds.FeedRow] = []
    walked, window = 0, FIRST_WINDOW
    while window and upper > 1:
        lowest = max(upper - window, 1)
        found = await session.exec(
            walk_statement(show, len(terms.words)),
            params=values | {"lowest": lowest, "before": upper},
        )
        rows += found.all()
        walked, upper = walked + upper - lowest, lowest
        at_most = WALK_AT_MOST if show == Show.ALL else WALK_AT_MOST_FILTERED
        window = next_window(len(rows), walked, at_most)
    if len(rows) <= feeds.PAGE_SIZE and upper > 1:
        index = index_statement(show, len(terms.words), terms.prefix)
        found = await session.exec(index, params=values | {"before": upper})
        rows += found.all()
    return rows[: feeds.PAGE_SIZE + 1]


def next_window(found: int, walked: int, at_most: int) -> int:
    """How many more posts to walk after finding `found` rows in `walked` posts: none once the
    page (and one more) is there, or when none was found, or when at this rate the rest lies
    further back than `at_most` posts in all; else what this rate says, and half as much again."""
    if found > feeds.PAGE_SIZE or found == 0:
        return 0
    wanted = (feeds.PAGE_SIZE + 1 - found) * walked * 3 // (found * 2)
    return wanted if walked + wanted <= at_most else 0


async def _newest(session: AsyncSession) -> int:
    return (await session.exec(select(func.max(col(Post.id))))).one() or 0


def _page(
    found: FromClause,
    matches: ColumnElement[bool],
    newest_first: ColumnElement[int],
    shown: ColumnElement[bool],
    *more: ColumnElement[bool],
) -> feeds.FeedQuery:
    """The posts of `found` that match, with their authors, that the searcher (a resident, by
    the parameters `viewer_id` and `neighbourhood_id`) may see, as a hashtag's page lists them."""
    viewer_id = bindparam("viewer_id", type_=Integer)
    neighbourhood_id = bindparam("neighbourhood_id", type_=Integer)
    return (
        select(Post, Account, *feeds.reaction_columns(viewer_id))
        .select_from(found)
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(
            matches,
            visibility.visible_to_viewer(viewer_id, neighbourhood_id),
            visibility.not_muted_by_id(viewer_id),
            feeds.NOT_UNLISTED,
            feeds.listed_in_neighbourhood(viewer_id),
            shown,
            *more,
        )
        .order_by(newest_first.desc())
        .limit(feeds.PAGE_LIMIT)
    )


def _tsquery(numbers: range) -> ColumnElement[object]:
    """The words of these numbers (`word0`, `word1`, …), all of them, as PostgreSQL stems them.
    Each is also stemmed a second time: the Dutch stemmer makes "fiets" of "fietsen" but "fiet"
    of "fiets", so a post saying "fiets" is only found for "fietsen" by that second stem. The
    words are written into the statement when it runs (they are letters and digits only): a
    statement prepared once would be planned for no word in particular."""
    stems = []
    for number in numbers:
        word = bindparam(f"word{number}", type_=String, literal_execute=True)
        stem = func.to_tsquery(DUTCH, word)
        stems.append(stem.op("||")(func.to_tsquery(DUTCH, func.querytree(stem))))
    return functools.reduce(lambda all_of, next_one: all_of.op("&&")(next_one), stems)
