"""Fill a database with made-up residents, neighbourhoods and a year of posts, for benchmarks.

    .venv/bin/python -m bench.fill [--residents 10000 --neighbourhoods 20 --posts 1000000]
        [--database-url postgresql://…] [--data-dir data/bench] [--logins 1000]

The database must be empty (on SQLite a new file in the data folder, `bench.sqlite3`); it is
migrated, filled in batches (`bench.plan` decides every row) and analysed. Logins for a sample of
residents are written, one cookie token a line, to `tokens-sqlite.txt` or `tokens-postgresql.txt`
in the data folder, for `bench.home_feed`.
"""

import argparse
import asyncio
import itertools
import random
import secrets
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.plan import Plan, Row, Sizes
from buurtnet import schema
from buurtnet.config import normalise_database_url
from buurtnet.core import login_sessions, passwords
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    Block,
    Follow,
    Hashtag,
    Like,
    LoginSession,
    Mention,
    Mute,
    Neighbourhood,
    Notification,
    Post,
    PostHashtag,
    utcnow,
)

BATCH_SIZE = 10_000
PASSWORD = "benchmark-wachtwoord"  # the same for every made-up resident
DEFAULT_DATA_DIR = Path("data/bench")


class Progress:
    """One line on the terminal that counts up: `posts 340,000 / 1,000,000 (34%) 12 s`."""

    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.started = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        percent = 100 * self.done // max(self.total, 1)
        seconds = time.monotonic() - self.started
        line = f"{self.label} {self.done:,} / {self.total:,} ({percent}%) {seconds:.0f} s"
        sys.stderr.write(f"\r{line}\033[K")
        sys.stderr.flush()

    def finish(self) -> None:
        sys.stderr.write("\n")


def batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


async def write(database: Database, table: sa.Table, rows: Iterable[Row], total: int) -> None:
    """Insert the rows in batches, each batch in its own transaction."""
    progress = Progress(table.name, total)
    for batch in batches(rows, BATCH_SIZE):
        async with database.engine.begin() as connection:
            if database.is_sqlite:
                await connection.execute(sa.insert(table), batch)
            else:
                await copy(connection, table, batch)
        progress.advance(len(batch))
    progress.finish()


async def copy(connection: AsyncConnection, table: sa.Table, batch: list[Row]) -> None:
    """PostgreSQL's COPY through asyncpg: several times faster than INSERT for a million rows."""
    columns = list(batch[0])
    records = [tuple(row[column] for column in columns) for row in batch]
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        table.name, records=records, columns=columns
    )


def table(model: type) -> sa.Table:
    found = getattr(model, "__table__", None)
    assert isinstance(found, sa.Table)
    return found


async def fill(database: Database, plan: Plan, password_hash: str) -> None:
    sizes = plan.sizes
    await write(database, table(Neighbourhood), plan.neighbourhood_rows(), sizes.neighbourhoods)
    await write(database, table(Account), plan.account_rows(password_hash), sizes.residents)
    await write(database, table(Follow), plan.follow_rows(), plan.follow_count())
    for model, rows in ((Block, plan.block_rows()), (Mute, plan.mute_rows())):
        await write(database, table(model), rows, len(rows))
    await write(database, table(Post), plan.post_rows(), sizes.posts)
    await write(database, table(Hashtag), plan.hashtag_rows(), len(plan.hashtag_rows()))
    tagged = sum(1 for _ in plan.post_hashtag_rows())
    await write(database, table(PostHashtag), plan.post_hashtag_rows(), tagged)
    mentions = sum(1 for _ in plan.mention_rows())
    await write(database, table(Mention), plan.mention_rows(), mentions)
    await write(database, table(Like), plan.like_rows(), len(plan.like_post))
    notifications = sum(1 for _ in plan.notification_rows())
    await write(database, table(Notification), plan.notification_rows(), notifications)


async def start_logins(database: Database, residents: int, count: int) -> list[str]:
    """Logins for a random sample of residents; returns the cookie tokens."""
    chosen = random.Random(3).sample(range(1, residents + 1), min(count, residents))
    tokens = [secrets.token_urlsafe(32) for _ in chosen]
    now = utcnow()
    rows = [
        {
            "token_hash": login_sessions.hash_token(token),
            "account_id": account_id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + login_sessions.LIFETIME,
        }
        for token, account_id in zip(tokens, chosen, strict=True)
    ]
    await write(database, table(LoginSession), rows, len(rows))
    return tokens


async def finish_postgresql(connection: AsyncConnection) -> None:
    """Move the id sequences past the ids written here, so the app can insert rows afterwards."""
    for model in (Neighbourhood, Account, Post, Hashtag):
        name = table(model).name
        await connection.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "  # noqa: S608
                f'(SELECT max(id) FROM "{name}"))'
            )
        )


async def analyse(database: Database) -> None:
    started = time.monotonic()
    if database.is_sqlite:
        async with database.engine.begin() as connection:
            await connection.execute(sa.text("ANALYZE"))
    else:
        async with database.engine.begin() as connection:
            await finish_postgresql(connection)
        # VACUUM as autovacuum would soon do, so the visibility map allows index-only scans.
        async with database.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(sa.text("VACUUM ANALYZE"))
    print(f"analysed in {time.monotonic() - started:.0f} s", file=sys.stderr)


async def refuse_unless_empty(database: Database) -> None:
    async with database.engine.connect() as connection:
        count = (await connection.execute(sa.select(sa.func.count()).select_from(Account))).one()
    if count[0]:
        raise SystemExit("the database already has accounts: give an empty one")


async def run(url: str, sizes: Sizes, logins: int) -> list[str]:
    """Fill the database; returns the cookie tokens of the logins."""
    started = time.monotonic()
    database = Database(url)
    await schema.upgrade(database)
    await refuse_unless_empty(database)
    password_hash = await passwords.hash_password(PASSWORD)
    print("planning…", file=sys.stderr)
    plan = Plan(sizes, now=utcnow())
    print(f"planned in {time.monotonic() - started:.0f} s", file=sys.stderr)
    await fill(database, plan, password_hash)
    tokens = await start_logins(database, sizes.residents, logins)
    await analyse(database)
    await database.dispose()
    print(f"filled in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return tokens


def tokens_path(data_dir: Path, url: str) -> Path:
    return data_dir / ("tokens-sqlite.txt" if url.startswith("sqlite") else "tokens-postgresql.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: data-dir/bench.sqlite3")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--neighbourhoods", type=int, default=20)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--logins", type=int, default=1_000)
    arguments = parser.parse_args()
    arguments.data_dir.mkdir(parents=True, exist_ok=True)
    url = normalise_database_url(
        arguments.database_url or f"sqlite:///{arguments.data_dir.resolve() / 'bench.sqlite3'}"
    )
    sizes = Sizes(arguments.residents, arguments.neighbourhoods, arguments.posts)
    tokens = asyncio.run(run(url, sizes, arguments.logins))
    tokens_file = tokens_path(arguments.data_dir, url)
    tokens_file.write_text("".join(token + "\n" for token in tokens))
    print(f"logins in {tokens_file}", file=sys.stderr)


if __name__ == "__main__":
    main()
