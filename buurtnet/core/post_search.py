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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy
from sqlalchemy import (
    Boolean,
    ColumnElement,
    FromClause,
    Integer,
    Select,
    String,
    bindparam,
    func,
    inspect,
    literal,
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


class Show(StrEnum):
    """Which posts among the matches: all of them, open questions for help, or offers."""

    ALL = "all"
    HELP = "help"
    OFFERS = "offers"


@dataclass(frozen=True)
class Walk:
    """PostgreSQL: how many posts (by id) are walked newest first before the index is asked.

    The first window holds a page of a word in one post of 200 (for a searcher who may see 40%
    of them). More are walked only while the matches found so far say that the page is complete
    within `at_most` posts (0.25-0.4 µs a post). A filter walks its own index, which holds only
    its posts (a few per cent), so its windows of ids are wider for the same time."""

    first: int
    at_most: int


WALKS = {
    Show.ALL: Walk(first=10_000, at_most=200_000),
    Show.HELP: Walk(first=50_000, at_most=250_000),
    Show.OFFERS: Walk(first=50_000, at_most=250_000),
}
# Which of several words is rarest is counted in this part of the first window (its newest
# posts): a word in one post of 120 is there about 17 times (0.4 µs a post and word).
COUNTED_PART = 5

SHOWN: dict[Show, ColumnElement[bool]] = {
    Show.ALL: true(),
    Show.HELP: help_requests.still_open(),
    # Written into the statement, as in `still_open`: the offers' partial indexes must fit it.
    Show.OFFERS: col(Post.kind) == literal(PostKind.OFFER.value, literal_execute=True),
}
POSTS: FromClause = inspect(Post).local_table
FTS = table(SQLITE_TABLE, column("rowid"))
SEARCH_VECTOR: ColumnElement[object] = literal_column(f"post.{POSTGRESQL_COLUMN}")
DUTCH: ColumnElement[str] = literal_column("'dutch'")  # the configuration of `search_vector`
BEFORE = bindparam("before", type_=Integer)
LOWEST = bindparam("lowest", type_=Integer)


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
    first on the primary key, or with a filter on its own index of ids (offers, open questions
    for help)."""
    matches = _matches(range(words))
    return _page(POSTS, matches, POSTS.c.id, SHOWN[show], POSTS.c.id >= LOWEST, POSTS.c.id < BEFORE)


@functools.cache
def counts_statement(show: Show, words: int) -> Select[*tuple[int, ...]]:
    """PostgreSQL: for each word, how many posts from `lowest` up to `before` hold it (seen by
    the searcher or not), and its number of nodes (none for a stop word, which no index has)."""
    columns: list[ColumnElement[int]] = []
    for number in range(words):
        columns += [func.count().filter(_matches([number])), func.numnode(_tsquery([number]))]
    window = (POSTS.c.id >= LOWEST, POSTS.c.id < BEFORE)
    return sqlalchemy.select(*columns).select_from(POSTS).where(SHOWN[show], *window)


@functools.cache
def index_statement(show: Show, words: int, indexed: tuple[int, ...]) -> feeds.FeedQuery:
    """PostgreSQL: a page of matches before `before`, found by the GIN index for the `indexed`
    words (`index_words`), checked for the others, and then sorted.

    Ordered by `id + 0`, which the primary key cannot give, so that the planner never walks all
    posts for words it guesses to be common ("zebra:*" is guessed at 2%). All values are written
    into the statement (`literal`): run a sixth time with parameters, PostgreSQL may give it a
    generic plan, made for no searcher and no `before` in particular (a search of 33 ms took 80)."""
    everything = range(words)
    matches: ColumnElement[bool] = SEARCH_VECTOR.bool_op("@@")(_tsquery(indexed))
    if len(indexed) < words:
        matches &= _matches(everything)
    newest_first = POSTS.c.id + literal_column("0")
    before = bindparam("before", type_=Integer, literal_execute=True)
    return _page(POSTS, matches, newest_first, SHOWN[show], POSTS.c.id < before, literal=True)


async def _walked_rows(
    session: AsyncSession, show: Show, terms: Terms, values: dict[str, object], before: int | None
) -> Sequence[feeds.FeedRow]:
    """PostgreSQL's page: the newest posts walked in windows while they promise a full page,
    then the index for the older rest."""
    top = before if before is not None else await _newest(session) + 1
    walk, words = WALKS[show], len(terms.words)
    rows: list[feeds.FeedRow] = []
    upper, walked, window = top, 0, walk.first
    while window and upper > 1:
        lowest = max(upper - window, 1)
        in_window = values | {"lowest": lowest, "before": upper}
        rows += (await session.exec(walk_statement(show, words), params=in_window)).all()
        walked, upper = walked + upper - lowest, lowest
        window = next_window(len(rows), walked, walk)
    if len(rows) <= feeds.PAGE_SIZE and upper > 1:
        indexed = tuple(range(words))  # whole words: the index intersects them cheaply
        if terms.prefix and words > 1:  # ask for the beginning only if it is the rarest
            bottom = max(top - max(walk.first // COUNTED_PART, 1), 1)
            sample = values | {"lowest": bottom, "before": top}
            indexed = index_words(terms, await _word_counts(session, show, words, sample))
        index = index_statement(show, words, indexed)
        rows += (await session.exec(index, params=values | {"before": upper})).all()
    return rows[: feeds.PAGE_SIZE + 1]


async def _word_counts(
    session: AsyncSession, show: Show, words: int, in_window: dict[str, object]
) -> list[int | None]:
    """Each word's posts in the window (`counts_statement`); None for a stop word. On the
    connection, with SQLAlchemy's own select: SQLModel's takes at most four columns."""
    connection = await session.connection()
    row = (await connection.execute(counts_statement(show, words), in_window)).one()
    return [posts if nodes else None for posts, nodes in zip(row[::2], row[1::2], strict=True)]


def index_words(terms: Terms, counts: Sequence[int | None]) -> tuple[int, ...]:
    """What to ask the GIN index for, by how many of the newest posts held each word: the rarest
    word, and every other whole word (the index skips through those cheaply). The beginning of a
    word only when it is the rarest: for it the index collects the posts of every word that
    begins so ("fiet:*" is 390,000 posts), where checking the rows found is cheap; but a common
    word with a rare beginning ("samen zebra") would read all of the common word's. A stop word
    (None) is in no index; with only those, nothing is found either way."""
    beginning = len(counts) - 1 if terms.prefix else None
    known = {number: posts for number, posts in enumerate(counts) if posts is not None}
    if not known:
        return tuple(range(len(counts)))
    rarest = min(known, key=lambda number: (known[number], number == beginning))
    whole = {number for number in known if number != beginning}
    return tuple(sorted(whole | {rarest}))


def next_window(found: int, walked: int, walk: Walk) -> int:
    """How many more posts to walk after finding `found` rows in `walked` posts: none once the
    page (and one more) is there, or when none was found, or when at this rate the rest lies
    further back than `walk.at_most` posts in all; else what this rate says and half as much
    again, and no less than a first window (one statement more costs more than that walk)."""
    if found > feeds.PAGE_SIZE or found == 0:
        return 0
    wanted = max((feeds.PAGE_SIZE + 1 - found) * walked * 3 // (found * 2), walk.first)
    return wanted if walked + wanted <= walk.at_most else 0


async def _newest(session: AsyncSession) -> int:
    return (await session.exec(select(func.max(col(Post.id))))).one() or 0


def _page(
    found: FromClause,
    matches: ColumnElement[bool],
    newest_first: ColumnElement[int],
    shown: ColumnElement[bool],
    *more: ColumnElement[bool],
    literal: bool = False,
) -> feeds.FeedQuery:
    """The posts of `found` that match, with their authors, that the searcher (a resident, by
    the parameters `viewer_id` and `neighbourhood_id`, `literal` or not) may see, as a
    hashtag's page lists them."""
    viewer_id = bindparam("viewer_id", type_=Integer, literal_execute=literal)
    neighbourhood_id = bindparam("neighbourhood_id", type_=Integer, literal_execute=literal)
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


def _matches(numbers: Iterable[int]) -> ColumnElement[bool]:
    """That a post holds all these words, by `ts_match_vq` (what `@@` calls), which no index
    serves: the planner is never led to the GIN index by it."""
    return func.ts_match_vq(SEARCH_VECTOR, _tsquery(numbers), type_=Boolean)


def _tsquery(numbers: Iterable[int]) -> ColumnElement[object]:
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
