"""Server time of searching posts, through the real app in one process, per kind of search.

    .venv/bin/python -m bench.search [--database-url postgresql://…] [--data-dir data/bench]
        [--requests 200] [--explain]

Give a database filled by `bench.fill` (by default its SQLite file in the data folder) and its
logins file. Every word of the made-up posts (`bench.plan.WORDS`) is in about one post in five, a
hashtag's word in one in 120: a search for one common word matches about 190,000 of a million
posts. Per kind of search (one word, several, rare ones, the beginning of a word, the filters,
older pages, syntax), `--requests` searches one after another by random residents of the logins,
each with a random query of its kind, as `GET /search` through the whole app (the page with its
neighbours, hashtags and 20 post cards), and the same searches as the one statement of
`core.post_search` alone. `--explain` prints the database's plan of a few of them.
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlmodel import col, select

from bench.fill import DEFAULT_DATA_DIR, tokens_path
from bench.home_feed import POST_MARKER, refresh_logins
from bench.plan import HASHTAGS, WORDS
from buurtnet.app import create_app
from buurtnet.asgi import ready_to_serve
from buurtnet.config import Settings, normalise_database_url
from buurtnet.core import login_sessions, post_search
from buurtnet.core.post_search import Show
from buurtnet.core.search_terms import terms_of
from buurtnet.db import Database
from buurtnet.models import Account, LoginSession, Post
from buurtnet.web.auth import SESSION_COOKIE

BASE_URL = "http://127.0.0.1:8000"
COMMON = [word for word in WORDS.split() if len(word) >= 4]
SHORT_COMMON = ["de", "het", "een", "en", "van"]  # stop words on PostgreSQL
NOT_THERE = ["zebra", "olifant", "xylofoon", "kameel", "pinguin"]
HOSTILE = ['"fiets', "fiets NEAR(boom", "(ladder) OR", "-soep ^taart", "hond:* & !kat", "'*'"]


@dataclass(frozen=True)
class Kind:
    """A kind of search: how its queries are made, which posts it shows, and from where."""

    name: str
    queries: Sequence[str]
    show: Show = Show.ALL
    older: bool = False  # a page further down: `before` a random id in the older nine tenths


def kinds() -> list[Kind]:
    rng = random.Random(5)

    def some(count: int, make: Callable[[], str]) -> list[str]:
        return [make() for _ in range(count)]

    def words(count: int) -> str:
        return " ".join(rng.sample(COMMON, count))

    return [
        Kind("one common word", COMMON),
        Kind("two common words", some(50, lambda: words(2))),
        Kind("three common words", some(50, lambda: words(3))),
        Kind("a hashtag's word (rare)", HASHTAGS),
        Kind("a rare and a common word", some(50, lambda: f"{rng.choice(HASHTAGS)} {words(1)}")),
        Kind("words found nowhere", NOT_THERE),
        Kind("a stop word", SHORT_COMMON),
        Kind("a word's beginning, 3-5 letters", some(50, lambda: words(1)[: rng.randint(3, 5)])),
        Kind("a word's beginning, 6-8 letters", [word[:-1] for word in COMMON if len(word) >= 7]),
        Kind("open questions for help: a common word", COMMON, Show.HELP),
        Kind("offers: a common word", COMMON, Show.OFFERS),
        Kind("offers: a rare word", HASHTAGS, Show.OFFERS),
        Kind("offers: two common words", some(50, lambda: words(2)), Show.OFFERS),
        Kind("an older page: a common word", COMMON, older=True),
        Kind("an older page: a rare word", HASHTAGS, older=True),
        Kind("syntax of the engines", HOSTILE),
    ]


@dataclass
class Timings:
    page: list[float]
    statement: list[float]
    posts: list[int]


def milliseconds(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = statistics.quantiles(ordered, n=100)[98] if len(ordered) > 1 else ordered[0]
    return f"{statistics.median(ordered) * 1000:.1f} | {p99 * 1000:.1f} | {ordered[-1] * 1000:.1f}"


async def searchers(database: Database, tokens: list[str]) -> list[tuple[str, Account]]:
    """The logged-in residents: each cookie token with its account."""
    hashes = {login_sessions.hash_token(token): token for token in tokens}
    query = (
        select(LoginSession.token_hash, Account)
        .join(Account, col(Account.id) == col(LoginSession.account_id))
        .where(col(LoginSession.token_hash).in_(list(hashes)))
    )
    async with database.reading() as session:
        rows = (await session.exec(query)).all()
    return [(hashes[token_hash], account) for token_hash, account in rows]


async def one_search(
    client: httpx.AsyncClient,
    database: Database,
    who: tuple[str, Account],
    query: str,
    kind: Kind,
    before: int | None,
) -> tuple[float, float, int]:
    """The page's time, the statement's time and the posts on the page."""
    token, account = who
    params = {"q": query, "show": kind.show.value} | ({"before": str(before)} if before else {})
    started = time.perf_counter()
    response = await client.get("/search", params=params, cookies={SESSION_COOKIE: token})
    page_seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{kind.name}: {query!r} answered {response.status_code}")
    started = time.perf_counter()
    async with database.reading() as session:
        await post_search.search_posts(session, account, terms_of(query), kind.show, before)
    return page_seconds, time.perf_counter() - started, response.text.count(POST_MARKER)


async def measure(
    client: httpx.AsyncClient,
    database: Database,
    people: list[tuple[str, Account]],
    kind: Kind,
    requests: int,
    newest: int,
) -> Timings:
    rng = random.Random(kind.name)
    timings = Timings([], [], [])
    for _ in range(requests):
        before = rng.randint(newest // 10, newest) if kind.older else None
        query = rng.choice(kind.queries)
        page, statement, posts = await one_search(
            client, database, rng.choice(people), query, kind, before
        )
        timings.page.append(page)
        timings.statement.append(statement)
        timings.posts.append(posts)
    return timings


async def home_feeds(
    client: httpx.AsyncClient, people: list[tuple[str, Account]], requests: int
) -> list[float]:
    """The home feeds of the same residents, in the same process at the same time: a measure of
    what the machine gives this run (it has measured 5 to 25 ms for the same page)."""
    rng = random.Random("home")
    seconds = []
    for _ in range(requests):
        token, _account = rng.choice(people)
        started = time.perf_counter()
        response = await client.get("/", cookies={SESSION_COOKIE: token})
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200
    return seconds


async def explain(database: Database, account: Account, newest: int) -> None:
    """The plans of a common word, a rare one, and offers with a common word: on PostgreSQL of
    the first window's walk and of the index's part (which a page of a common word never needs)."""
    postgresql = not database.is_sqlite
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if postgresql else "EXPLAIN QUERY PLAN "
    for query, show in (("fiets", Show.ALL), ("moestuin", Show.ALL), ("fiets", Show.OFFERS)):
        terms = terms_of(query)
        values = post_search.parameters(postgresql, account, terms, None)
        if postgresql:
            lowest = newest + 1 - post_search.WALKS[show].first
            walk = post_search.walk_statement(show, len(terms.words))
            index = post_search.index_statement(show, 1, (0,))  # one word
            statements = [
                (walk, values | {"lowest": lowest, "before": newest + 1}),
                (index, values | {"before": lowest}),
            ]
        else:
            statements = [(post_search.sqlite_statement(show, False), values)]
        for built, given in statements:
            compiled = built.params(given).compile(
                dialect=database.engine.dialect, compile_kwargs={"literal_binds": True}
            )
            async with database.read_engine.connect() as connection:  # as pages read: no JIT
                rows = (await connection.execute(sa.text(prefix + str(compiled)))).all()
            print(f"\n-- {query!r}, {show.value}")
            print("\n".join(" | ".join(str(value) for value in row) for row in rows))


async def run(url: str, tokens: list[str], requests: int, show_plans: bool) -> None:
    database = Database(url)
    people = await searchers(database, tokens)
    async with database.reading() as session:
        newest = (await session.exec(select(sa.func.max(col(Post.id))))).one() or 0
    settings = Settings(
        database_url=url,
        base_url=BASE_URL,
        secret_key="benchmark-" + "k" * 40,
        data_dir=Path(tempfile.mkdtemp(prefix="buurtnet-bench-")),
        embedded_worker=False,
    )
    app = ready_to_serve(create_app(settings, database=database))  # as `buurtnet serve` does
    name = "SQLite" if database.is_sqlite else "PostgreSQL"
    every_page: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            await measure(client, database, people, kinds()[0], 50, newest)  # warm up
            print(
                "| database | search | posts shown | page median ms | p99 | max "
                "| statement median ms | p99 | max |\n|---|---|---:|---:|---:|---:|---:|---:|---:|"
            )
            for kind in kinds():
                timings = await measure(client, database, people, kind, requests, newest)
                every_page += timings.page
                print(
                    f"| {name} | {kind.name} | {statistics.mean(timings.posts):.1f} "
                    f"| {milliseconds(timings.page)} | {milliseconds(timings.statement)} |",
                    flush=True,
                )
            home = await home_feeds(client, people, requests)
    print(f"| {name} | **all of them** | | {milliseconds(every_page)} | | | |")
    print(f"| {name} | for comparison: the home feed, `GET /` | 20 | {milliseconds(home)} | | | |")
    if show_plans:
        await explain(database, people[0][1], newest)
    await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: data-dir/bench.sqlite3")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--requests", type=int, default=200, help="per kind of search")
    parser.add_argument("--explain", action="store_true", help="print the plans of a few")
    arguments = parser.parse_args()
    url = normalise_database_url(
        arguments.database_url or f"sqlite:///{arguments.data_dir.resolve() / 'bench.sqlite3'}"
    )
    tokens = tokens_path(arguments.data_dir, url).read_text().split()
    asyncio.run(refresh_logins(url, tokens))
    asyncio.run(run(url, tokens, arguments.requests, arguments.explain))


if __name__ == "__main__":
    main()
