"""When things happened in the demo's history (`demo_history`): the months it covers, moments
in them on the instance's clock, and who lived in a neighbourhood at the time.

Random, but from a generator with a fixed seed, so every demo tells the same story.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from buurtnet.core.local_times import local_day, to_utc
from buurtnet.core.metric_periods import last_day, period_start, previous_start
from buurtnet.models import Account, PeriodKind

MONTH = PeriodKind.MONTH
EARLIEST_HOUR, LATEST_HOUR = 8, 21  # people post in the day and the evening (never at 02:30)
SETTLED = timedelta(minutes=5)  # nothing in the history is later than this before `now`


@dataclass(frozen=True)
class Timeline:
    """The `count` whole months before the current one, oldest first, as their first days."""

    now: datetime
    zone: ZoneInfo
    rng: random.Random
    months: tuple[date, ...]

    @classmethod
    def before(cls, now: datetime, zone: ZoneInfo, count: int, seed: int) -> "Timeline":
        starts = [period_start(local_day(now, zone), MONTH)]
        for _ in range(count):
            starts.append(previous_start(starts[-1], MONTH))
        story = random.Random(seed)  # noqa: S311 - a story to tell, not a secret
        return cls(now, zone, story, tuple(reversed(starts[1:])))

    @property
    def today(self) -> date:
        return local_day(self.now, self.zone)

    def moment(self, month: date, *, last: int | None = None) -> datetime:
        """A moment in the month (up to its day `last`), in the day or the evening."""
        day = self.rng.randint(1, last or last_day(month, MONTH).day)
        clock = time(self.rng.randint(EARLIEST_HOUR, LATEST_HOUR), self.rng.randrange(0, 60, 5))
        return self.at(month.replace(day=day), clock)

    def at(self, day: date, clock: time) -> datetime:
        return to_utc(day, clock, self.zone)

    def later(self, moment: datetime, least_hours: int, most_hours: int) -> datetime:
        """Some hours after `moment`, but never after now."""
        found = moment + timedelta(minutes=self.rng.randint(least_hours * 60, most_hours * 60))
        return min(found, self.now - SETTLED)

    def before_start(self, most_days: int) -> datetime:
        """A moment in the days before the first month: when the first members joined."""
        day = self.months[0] - timedelta(days=self.rng.randint(1, most_days))
        return self.at(day, time(self.rng.randint(EARLIEST_HOUR, LATEST_HOUR)))


@dataclass
class Neighbours:
    """The members of one neighbourhood and when each joined."""

    neighbourhood_id: int
    joined: list[tuple[Account, datetime]] = field(default_factory=list)

    def add(self, account: Account, moment: datetime) -> None:
        self.joined.append((account, moment))

    def by(self, moment: datetime) -> list[Account]:
        """Who had joined by then."""
        return [account for account, joined_at in self.joined if joined_at <= moment]

    def some(self, rng: random.Random, moment: datetime, count: int) -> list[Account]:
        """`count` different members of then (fewer when there were fewer)."""
        present = self.by(moment)
        return rng.sample(present, min(count, len(present)))

    def one(self, rng: random.Random, moment: datetime, besides: int | None = None) -> Account:
        """A member of then, other than the account `besides` (who wrote what they answer)."""
        present = [account for account in self.by(moment) if account.id != besides]
        return rng.choice(present)
