"""Rebuilding a month of liveability figures for a neighbourhood with 1,000,000 activities.

    .venv/bin/python -m bench.metrics_rebuild [--database-url postgresql://…]
        [--data-dir data/bench] [--activities 1000000] [--residents 2000] [--runs 5] [--breakdown]

The database must be empty (on SQLite a new file in the data folder, `metrics.sqlite3`), or be
one this benchmark filled before (then it is used as it is). It is migrated and filled from a
fixed seed: a year of posts, replies, likes, poll votes and sign-ups in one neighbourhood (and a
tenth as much in a second one, so that every query must pick its neighbourhood out), written in
batches (`bench.fill.write`: INSERT on SQLite, COPY on PostgreSQL) and analysed. Then it times
computing and storing the last complete month of the big neighbourhood (`metric_rollups.refresh`,
each run in its own transaction), and that month with every week that overlaps it, as
`buurtnet metrics rebuild` computes them: the median of `--runs` runs after one warm-up.
`--breakdown` also times each indicator's subquery on its own.
"""

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench.fill import DEFAULT_DATA_DIR, table, write
from bench.plan import Row
from buurtnet import schema
from buurtnet.config import normalise_database_url
from buurtnet.core import metric_queries, metric_rollups
from buurtnet.core.metric_periods import last_day, period_start, previous_start, starts_between
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    CareSignal,
    Event,
    EventCategory,
    Like,
    ModerationState,
    Neighbourhood,
    NeighbourhoodDeparture,
    Participation,
    ParticipationStatus,
    PeriodKind,
    Poll,
    PollOption,
    PollVote,
    Post,
    PostKind,
    Report,
    ReportStatus,
    Role,
)

ZONE = ZoneInfo("Europe/Amsterdam")
YEAR = timedelta(days=365)
BIG, SMALL = 1, 2  # the neighbourhoods' ids
REMOTE_ACCOUNTS = 50
# Of every activity: posts (of which replies), likes, poll votes and sign-ups.
SHARES = {"posts": 0.32, "likes": 0.36, "votes": 0.16, "sign_ups": 0.16}
REPLY_SHARE = 0.4
KIND_SHARES = {PostKind.HELP_REQUEST: 0.05, PostKind.OFFER: 0.04, PostKind.EVENT: 0.004}
POLL_SHARE = 0.015
REMOVED_SHARE = 0.005
OPTIONS_PER_POLL = 3
SIGN_UP_STATUSES = {
    ParticipationStatus.GOING: 70,
    ParticipationStatus.MAYBE: 15,
    ParticipationStatus.WAITING: 5,
    ParticipationStatus.NOT_GOING: 10,
}
CATEGORIES = list(EventCategory)


@dataclass
class Neighbourhoods:
    """Who lives where, and the posts as far as later rows need them."""

    members: dict[int, list[int]] = field(default_factory=dict)
    post_time: list[datetime] = field(default_factory=lambda: [datetime.min])  # by id
    post_home: list[int] = field(default_factory=lambda: [0])
    events: list[int] = field(default_factory=list)
    polls: list[int] = field(default_factory=list)


class Filler:
    """Every row, from one seed; posts are numbered in the order they were written."""

    def __init__(self, activities: int, residents: int, now: datetime) -> None:
        self.rng = random.Random(16)
        self.now = now
        self.start = now - YEAR
        self.sizes = {
            home: {name: round(share * activities * scale) for name, share in SHARES.items()}
            for home, scale in ((BIG, 1.0), (SMALL, 0.1))
        }
        self.residents = {BIG: residents, SMALL: max(residents // 10, 10)}
        self.world = Neighbourhoods()

    def moment(self, after: datetime, hours: float) -> datetime:
        return min(after + timedelta(hours=self.rng.uniform(0, hours)), self.now)

    def neighbourhood_rows(self) -> list[Row]:
        return [
            {
                "id": home,
                "slug": f"bench-{home}",
                "name": f"Bench {home}",
                "description": "",
                "created_at": self.start - YEAR,
                "homes": 3000 if home == BIG else None,
            }
            for home in (BIG, SMALL)
        ]

    def account_rows(self) -> Iterator[Row]:
        account_id = 0
        for home, count in self.residents.items():
            self.world.members[home] = []
            for _ in range(count):
                account_id += 1
                self.world.members[home].append(account_id)
                joined = self.start - timedelta(days=30)
                if self.rng.random() < 0.2:
                    joined = self.moment(self.start, YEAR.total_seconds() / 3600)
                suspended = self.rng.random() < 0.02
                yield self._account(account_id, home, joined, suspended)
        for _ in range(REMOTE_ACCOUNTS):
            account_id += 1
            row = self._account(account_id, None, self.start, False)
            row["username_key"] = row["username"] + "@elders.example"
            yield row | {"email": None, "domain": "elders.example"}

    def _account(self, account_id: int, home: int | None, joined: datetime, suspended: bool) -> Row:
        name = f"bewoner{account_id:05d}"
        return {
            "id": account_id,
            "username": name,
            "username_key": name,
            "email": f"{name}@bench.example",
            "password_hash": "",
            "role": Role.RESIDENT,
            "status": AccountStatus.SUSPENDED if suspended else AccountStatus.ACTIVE,
            "display_name": "",
            "bio": "",
            "neighbourhood_id": home,
            "created_at": joined,
            "domain": None,
        }

    def post_count(self) -> int:
        return sum(sizes["posts"] for sizes in self.sizes.values())

    def post_rows(self) -> Iterator[Row]:
        """Both neighbourhoods' posts interleaved in time; a reply answers a recent post."""
        total = self.post_count()
        recent: dict[int, list[int]] = {BIG: [], SMALL: []}
        weights = [sizes["posts"] for sizes in self.sizes.values()]
        for post_id in range(1, total + 1):
            home = self.rng.choices((BIG, SMALL), weights)[0]
            written = self.start + YEAR * (post_id / total)
            members = self.world.members[home]
            author = members[int(len(members) * self.rng.random() ** 2)]  # some write much more
            parent = None
            kind = PostKind.MESSAGE
            has_poll = False
            if recent[home] and self.rng.random() < REPLY_SHARE:
                parent = self.rng.choice(recent[home][-300:])
            else:
                kind = self._kind()
                has_poll = kind == PostKind.MESSAGE and self.rng.random() < POLL_SHARE
                recent[home].append(post_id)
                if kind == PostKind.EVENT:
                    self.world.events.append(post_id)
                if has_poll:
                    self.world.polls.append(post_id)
            self.world.post_time.append(written)
            self.world.post_home.append(home)
            removed = self.rng.random() < REMOVED_SHARE
            yield {
                "id": post_id,
                "author_id": author,
                "neighbourhood_id": home,
                "kind": kind,
                "has_poll": has_poll,
                "visibility": "neighbourhood",
                "in_reply_to_id": parent,
                "thread_root_id": parent,
                "summary": "",
                "sensitive": False,
                "moderation": ModerationState.REMOVED if removed else None,
                "source": "Bericht",
                "content_html": "<p>Bericht</p>",
                "reply_count": 0,
                "like_count": 0,
                "share_count": 0,
                "created_at": written,
            }

    def _kind(self) -> PostKind:
        draw = self.rng.random()
        for kind, share in KIND_SHARES.items():
            if draw < share:
                return kind
            draw -= share
        return PostKind.MESSAGE

    def like_rows(self) -> Iterator[Row]:
        seen: set[tuple[int, int]] = set()
        remote = range(self.residents[BIG] + self.residents[SMALL] + 1, self._last_account() + 1)
        for home in self.sizes:
            posts = [
                p for p in range(1, len(self.world.post_home)) if self.world.post_home[p] == home
            ]
            members = self.world.members[home]
            while len(seen) < sum(s["likes"] for h, s in self.sizes.items() if h <= home):
                post_id = self.rng.choice(posts)
                liker = (
                    self.rng.choice(remote)
                    if self.rng.random() < 0.02
                    else (self.rng.choice(members))
                )
                if (liker, post_id) in seen:
                    continue
                seen.add((liker, post_id))
                liked = self.moment(self.world.post_time[post_id], 48)
                yield {"account_id": liker, "post_id": post_id, "created_at": liked}

    def _last_account(self) -> int:
        return self.residents[BIG] + self.residents[SMALL] + REMOTE_ACCOUNTS

    def event_rows(self) -> Iterator[Row]:
        for post_id in self.world.events:
            starts = self.world.post_time[post_id] + timedelta(days=self.rng.uniform(2, 30))
            category = self.rng.choice(CATEGORIES)
            held = starts < self.now and self.rng.random() < 0.8
            clean_up = category == EventCategory.CLEAN_UP
            yield {
                "post_id": post_id,
                "title": "Activiteit",
                "category": category,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=2),
                "time_zone": ZONE.key,
                "place": "",
                "sign_ups_closed": False,
                "cancelled_at": starts - timedelta(days=1) if self.rng.random() < 0.05 else None,
                "sequence": 0,
                "going_count": 0,
                "join_mode": "free",
                "attendance": self.rng.randint(5, 80) if held else None,
                "litter_bags": self.rng.randint(1, 30) if held and clean_up else None,
                "outcome_note": "",
                "outcome_alt_text": "",
            }

    def sign_up_rows(self) -> Iterator[Row]:
        statuses, weights = list(SIGN_UP_STATUSES), list(SIGN_UP_STATUSES.values())
        for home, sizes in self.sizes.items():
            events = [e for e in self.world.events if self.world.post_home[e] == home]
            members = self.world.members[home]
            each = min(len(members), -(-sizes["sign_ups"] // max(len(events), 1)))
            for post_id in events:
                for account_id in self.rng.sample(members, each):
                    made = self.moment(self.world.post_time[post_id], 24 * 10)
                    status = self.rng.choices(statuses, weights)[0]
                    yield {
                        "post_id": post_id,
                        "account_id": account_id,
                        "status": status,
                        "message": "",
                        "queued_at": made,
                        "created_at": made,
                    }

    def poll_rows(self) -> Iterator[Row]:
        for post_id in self.world.polls:
            ends = self.world.post_time[post_id] + timedelta(days=3)
            yield {"post_id": post_id, "multiple": False, "ends_at": ends, "voters_count": 0}

    def option_rows(self) -> Iterator[Row]:
        for index, post_id in enumerate(self.world.polls):
            for position in range(OPTIONS_PER_POLL):
                option_id = index * OPTIONS_PER_POLL + position + 1
                yield {
                    "id": option_id,
                    "post_id": post_id,
                    "position": position,
                    "name": f"Keuze {position}",
                    "votes": 0,
                }

    def vote_rows(self) -> Iterator[Row]:
        """Each poll of a neighbourhood gets its share of the neighbourhood's votes."""
        homes = [self.world.post_home[post_id] for post_id in self.world.polls]
        each = {
            home: min(len(self.world.members[home]), -(-sizes["votes"] // homes.count(home)))
            for home, sizes in self.sizes.items()
        }
        for index, (post_id, home) in enumerate(zip(self.world.polls, homes, strict=True)):
            for account_id in self.rng.sample(self.world.members[home], each[home]):
                option_id = index * OPTIONS_PER_POLL + self.rng.randrange(OPTIONS_PER_POLL) + 1
                voted = self.moment(self.world.post_time[post_id], 72)
                yield {
                    "option_id": option_id,
                    "account_id": account_id,
                    "post_id": post_id,
                    "created_at": voted,
                }

    def report_rows(self, count: int) -> Iterator[Row]:
        for _ in range(count):
            filed = self.moment(self.start, YEAR.total_seconds() / 3600)
            responded = self.moment(filed, 48) if self.rng.random() < 0.9 else None
            closed = self.moment(filed, 200) if self.rng.random() < 0.8 else None
            yield {
                "neighbourhood_id": BIG if self.rng.random() < 0.9 else SMALL,
                "category": "other",
                "comment": "",
                "status": ReportStatus.RESOLVED if closed else ReportStatus.OPEN,
                "outcome": "",
                "created_at": filed,
                "responded_at": responded or closed,
                "closed_at": closed,
            }

    def care_signal_rows(self, count: int) -> Iterator[Row]:
        for _ in range(count):
            raised = self.moment(self.start, YEAR.total_seconds() / 3600)
            yield {
                "neighbourhood_id": BIG,
                "concern": "isolation",
                "about": "",
                "text": "",
                "may_contact": False,
                "created_at": raised,
            }

    def departure_rows(self, count: int) -> Iterator[Row]:
        for _ in range(count):
            left = self.moment(self.start, YEAR.total_seconds() / 3600)
            yield {"neighbourhood_id": BIG, "left_on": left.date()}


async def fill(database: Database, filler: Filler) -> int:
    """Write every row; returns the activities of the big neighbourhood."""
    await write(database, table(Neighbourhood), filler.neighbourhood_rows(), 2)
    accounts = sum(filler.residents.values()) + REMOTE_ACCOUNTS
    await write(database, table(Account), filler.account_rows(), accounts)
    await write(database, table(Post), filler.post_rows(), filler.post_count())
    likes = sum(sizes["likes"] for sizes in filler.sizes.values())
    await write(database, table(Like), filler.like_rows(), likes)
    events = filler.world.events
    await write(database, table(Event), filler.event_rows(), len(events))
    sign_ups = list(filler.sign_up_rows())
    await write(database, table(Participation), sign_ups, len(sign_ups))
    polls = filler.world.polls
    await write(database, table(Poll), filler.poll_rows(), len(polls))
    await write(database, table(PollOption), filler.option_rows(), len(polls) * OPTIONS_PER_POLL)
    votes = list(filler.vote_rows())
    await write(database, table(PollVote), votes, len(votes))
    await write(database, table(Report), filler.report_rows(3000), 3000)
    await write(database, table(CareSignal), filler.care_signal_rows(300), 300)
    await write(database, table(NeighbourhoodDeparture), filler.departure_rows(150), 150)
    posts = filler.world.post_home.count(BIG)
    big_sign_ups = sum(1 for row in sign_ups if filler.world.post_home[row["post_id"]] == BIG)
    big_votes = sum(1 for row in votes if filler.world.post_home[row["post_id"]] == BIG)
    return posts + filler.sizes[BIG]["likes"] + big_sign_ups + big_votes


async def analyse(database: Database) -> None:
    if database.is_sqlite:
        async with database.engine.begin() as connection:
            await connection.execute(sa.text("ANALYZE"))
        return
    async with database.engine.begin() as connection:
        for name in ("neighbourhood", "account", "post", "poll_option"):
            await connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "  # noqa: S608
                    f'(SELECT max(id) FROM "{name}"))'
                )
            )
    async with database.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(sa.text("VACUUM ANALYZE"))


async def filled(database: Database) -> bool:
    async with database.engine.connect() as connection:
        found = await connection.execute(sa.select(sa.func.count()).select_from(table(Post)))
        return bool(found.scalar())


def last_complete_month(now: datetime) -> date:
    this_month = period_start(now.astimezone(ZONE).date(), PeriodKind.MONTH)
    return previous_start(this_month, PeriodKind.MONTH)


async def time_refresh(database: Database, month: date, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs + 1):  # the first warms the caches
        started = time.perf_counter()
        async with database.transaction() as session:
            await metric_rollups.refresh(session, BIG, PeriodKind.MONTH, month, ZONE)
        seconds.append(time.perf_counter() - started)
    return seconds[1:]


async def time_month_and_weeks(database: Database, month: date, runs: int) -> list[float]:
    """The month and every week that overlaps it, as `buurtnet metrics rebuild` computes a
    month, in one transaction."""
    seconds = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        async with database.transaction() as session:
            for period in (PeriodKind.WEEK, PeriodKind.MONTH):
                for starts_on in starts_between(month, last_day(month, PeriodKind.MONTH), period):
                    await metric_rollups.refresh(session, BIG, period, starts_on, ZONE)
        seconds.append(time.perf_counter() - started)
    return seconds[1:]


async def breakdown(database: Database, month: date) -> list[tuple[str, float]]:
    """Each indicator's subquery alone (the median of three), slowest first."""
    span = metric_queries.span_of(BIG, PeriodKind.MONTH, month, ZONE)
    found = []
    async with database.transaction() as session:
        connection = await session.connection()
        if not database.is_sqlite:
            await connection.execute(sa.text(metric_queries.PLANNING))
        for key, query in metric_queries.statements(connection.dialect.name).items():
            times = []
            for _ in range(3):
                started = time.perf_counter()
                await connection.execute(sa.select(query), span.parameters())
                times.append(time.perf_counter() - started)
            found.append((key, statistics.median(times)))
    return sorted(found, key=lambda pair: -pair[1])


async def run(url: str, activities: int, residents: int, runs: int, show_breakdown: bool) -> None:
    database = Database(url)
    await schema.upgrade(database)
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)  # fixed, so that a second run finds its month
    if await filled(database):
        print("the database was filled before: using it as it is", file=sys.stderr)
    else:
        started = time.monotonic()
        made = await fill(database, Filler(activities, residents, now))
        await analyse(database)
        print(
            f"{made:,} activities in the big neighbourhood, filled and analysed in "
            f"{time.monotonic() - started:.0f} s",
            file=sys.stderr,
        )
    month = last_complete_month(now)
    refresh = await time_refresh(database, month, runs)
    weeks = len(list(starts_between(month, last_day(month, PeriodKind.MONTH), PeriodKind.WEEK)))
    with_weeks = await time_month_and_weeks(database, month, runs)
    kind = "SQLite" if database.is_sqlite else "PostgreSQL"
    print(f"{kind}: the month of {month:%Y-%m} of the big neighbourhood, {runs} runs")
    print(
        f"  the month (computed and stored): median {statistics.median(refresh):.3f} s,"
        f" slowest {max(refresh):.3f} s"
    )
    print(
        f"  the month and its {weeks} weeks: median {statistics.median(with_weeks):.3f} s,"
        f" slowest {max(with_weeks):.3f} s"
    )
    if show_breakdown:
        for key, seconds in await breakdown(database, month):
            print(f"    {key:<24} {seconds * 1000:8.1f} ms")
    await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: data-dir/metrics.sqlite3")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--residents", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--breakdown", action="store_true", help="time each indicator alone")
    arguments = parser.parse_args()
    arguments.data_dir.mkdir(parents=True, exist_ok=True)
    url = normalise_database_url(
        arguments.database_url or f"sqlite:///{arguments.data_dir.resolve() / 'metrics.sqlite3'}"
    )
    asyncio.run(
        run(url, arguments.activities, arguments.residents, arguments.runs, arguments.breakdown)
    )


if __name__ == "__main__":
    main()
