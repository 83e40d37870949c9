"""The weekly digest of 10,000 residents: every digest built and its mail queued, as the worker
does from Friday afternoon on.

    .venv/bin/python -m bench.digest [--database-url postgresql://…] [--data-dir data/bench]
        [--show NAME]

Runs on a database that `bench.fill` made (by default 10,000 residents in 20 neighbourhoods and
a year of posts: about 1,000 a week per neighbourhood, 8% questions for help, 7% offers, a fifth
of them replies). For the run every resident gets a confirmed address and the digest on, and each
neighbourhood three activities in the coming days and two residents who joined in the week. The
worker's clock is set to just after the last Friday 16:00 that the posts' year has a whole week
before. Then the worker's periodic task (`digest_mail.queue_digests`) runs turn after turn, each
turn in its own transaction, until nobody is due: it builds each batch's digests and writes and
queues their mails. Afterwards all of it is undone (the mails' jobs deleted, the columns as
`bench.fill` left them, the activities removed), so that the other benchmarks find the database
as it was. `--show NAME` prints the digest of that resident (`bewoner00042`) as mailed.
"""

import argparse
import asyncio
import contextlib
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from bench.fill import DEFAULT_DATA_DIR
from buurtnet.config import load_settings, normalise_database_url
from buurtnet.core import digests
from buurtnet.core.local_times import utc
from buurtnet.db import Database
from buurtnet.mail import digest_mail, outbox
from buurtnet.mail.letters import Letters
from buurtnet.models import Account, Event, Job, Neighbourhood, Post, PostKind, Visibility
from buurtnet.web.i18n import load_all_translations

ZONE = ZoneInfo("Europe/Amsterdam")
ACTIVITIES = 3  # per neighbourhood, in the coming days
NEWCOMERS = 2  # per neighbourhood, joined in the week
BENCH_SECRET = "bench-digest-" + "x" * 40


@dataclass
class Added:
    """What the run adds to the database, to take away afterwards."""

    activities: list[int] = field(default_factory=list)
    joined: dict[int, datetime] = field(default_factory=dict)  # account id: its `created_at`
    last_job: int = 0


@dataclass
class Turns:
    taken: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    building: list[float] = field(default_factory=list)  # of which in `digests.take_due`


async def worker_clock(database: Database) -> datetime:
    """A minute after the last Friday 16:00 before the newest post."""
    async with database.reading() as session:
        newest = (await session.exec(select(func.max(Post.created_at)))).one()
    assert newest is not None, "fill the database first: python -m bench.fill"
    return digests.send_moment(utc(newest), ZONE) + timedelta(minutes=1)


async def prepare(database: Database, now: datetime) -> Added:
    added = Added()
    async with database.transaction() as session:
        last_job = (await session.exec(select(func.max(Job.id)))).one()
        added.last_job = last_job or 0
        await session.exec(
            update(Account)
            .where(col(Account.domain).is_(None))
            .values(email_confirmed_at=now, weekly_digest=True, digest_sent_at=None)
        )
        places = (
            await session.exec(select(Neighbourhood.id).order_by(col(Neighbourhood.id)))
        ).all()
        for place in places:
            residents = (
                await session.exec(
                    select(Account)
                    .where(col(Account.neighbourhood_id) == place)
                    .order_by(col(Account.id))
                    .limit(1 + NEWCOMERS)
                )
            ).all()
            for number in range(ACTIVITIES):
                added.activities.append(await add_activity(session, residents[0], number, now))
            for newcomer in residents[1:]:
                assert newcomer.id is not None
                added.joined[newcomer.id] = newcomer.created_at
                newcomer.created_at = now - timedelta(days=2)
    return added


async def add_activity(session: Any, organiser: Account, number: int, now: datetime) -> int:
    text = f"Kom ook naar de buurtactiviteit nummer {number + 1}!"
    post = Post(
        author_id=organiser.id or 0,
        neighbourhood_id=organiser.neighbourhood_id,
        kind=PostKind.EVENT,
        visibility=Visibility.NEIGHBOURHOOD,
        source=text,
        content_html=f"<p>{text}</p>",
        created_at=now - timedelta(days=3),
    )
    session.add(post)
    await session.flush()
    assert post.id is not None
    starts_at = now + timedelta(days=number + 1, hours=2)
    session.add(
        Event(
            post_id=post.id,
            title=f"Buurtactiviteit {number + 1}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            place="Buurthuis",
        )
    )
    return post.id


async def undo(database: Database, added: Added) -> None:
    async with database.transaction() as session:
        await session.exec(
            delete(Job).where(col(Job.id) > added.last_job, col(Job.name) == outbox.SEND_MAIL)
        )
        await session.exec(
            update(Account)
            .where(col(Account.domain).is_(None))
            .values(email_confirmed_at=None, weekly_digest=False, digest_sent_at=None)
        )
        for account_id, created_at in added.joined.items():
            await session.exec(
                update(Account).where(col(Account.id) == account_id).values(created_at=created_at)
            )
        await session.exec(delete(Event).where(col(Event.post_id).in_(added.activities)))
        await session.exec(delete(Post).where(col(Post.id).in_(added.activities)))


def timing_take_due(turns: Turns) -> Callable[..., Awaitable[list[digests.Digest]]]:
    """`digests.take_due`, timed: the building of a turn, apart from writing the letters."""
    take_due = digests.take_due

    async def timed(*args: Any, **kwargs: Any) -> list[digests.Digest]:
        started = time.perf_counter()
        found = await take_due(*args, **kwargs)
        turns.building.append(time.perf_counter() - started)
        return found

    return timed


async def run_turns(database: Database, letters: Letters, now: datetime) -> Turns:
    turns = Turns()
    digests.take_due = timing_take_due(turns)  # type: ignore[assignment]
    while True:
        started = time.perf_counter()
        async with database.transaction() as session:
            taken = await digest_mail.queue_digests(session, letters, ZONE, now)
        turns.seconds.append(time.perf_counter() - started)
        turns.taken.append(taken)
        if not taken:
            return turns


async def show(database: Database, letters: Letters, username: str, now: datetime) -> None:
    async with database.transaction() as session:
        for digest in await digests.take_first(session, [username], now):
            print(digest_mail.write_digest(letters, digest).text)
        raise Rollback


class Rollback(Exception):
    """Leaves `show`'s transaction undone."""


async def main_async(url: str, data_dir: Path, username: str) -> None:
    database = Database(url)
    settings = load_settings(
        {
            "BUURTNET_DATA_DIR": str(data_dir),
            "BUURTNET_DATABASE_URL": url,
            "BUURTNET_SECRET_KEY": BENCH_SECRET,  # only the unsubscribe links' tokens use it
        }
    )
    letters = Letters(settings, load_all_translations())
    now = await worker_clock(database)
    added = await prepare(database, now)
    try:
        if username:
            with contextlib.suppress(Rollback):
                await show(database, letters, username, now)
        turns = await run_turns(database, letters, now)
        async with database.reading() as session:
            mails = (
                await session.exec(
                    select(func.count()).where(
                        col(Job.id) > added.last_job, col(Job.name) == outbox.SEND_MAIL
                    )
                )
            ).one()
    finally:
        await undo(database, added)
        await database.dispose()
    report(url, now, turns, mails)


def report(url: str, now: datetime, turns: Turns, mails: int) -> None:
    working = turns.seconds[:-1]  # the last turn finds nobody due
    total = sum(turns.seconds)
    print(f"database: {'SQLite' if url.startswith('sqlite') else 'PostgreSQL'}")
    print(f"worker's clock: {now:%Y-%m-%d %H:%M} UTC")
    print(f"residents: {sum(turns.taken):,} in {len(working)} turns of {digests.BATCH}")
    print(f"mails queued: {mails:,} (the rest had nothing in them)")
    print(f"all turns: {total:.1f} s, of which building {sum(turns.building):.1f} s")
    print(
        f"a turn: median {statistics.median(working):.2f} s, slowest {max(working):.2f} s"
        if working
        else "nobody was due"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: data-dir/bench.sqlite3")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--show", default="", metavar="NAME", help="print this one's digest")
    arguments = parser.parse_args()
    url = normalise_database_url(
        arguments.database_url or f"sqlite:///{arguments.data_dir.resolve() / 'bench.sqlite3'}"
    )
    asyncio.run(main_async(url, arguments.data_dir, arguments.show))


if __name__ == "__main__":
    main()
