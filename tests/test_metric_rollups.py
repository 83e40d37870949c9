"""The liveability indicators, checked against a small neighbourhood whose every figure for March
2026 was counted by hand (docs/liveability.md, "Indicators"), and how the rollups are stored,
refreshed by the hourly job and rebuilt.

Times are on the instance's calendar (Europe/Amsterdam): March 2026 runs from 28 February 23:00
to 31 March 22:00 UTC, the clocks going forward on 29 March.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.app import job_registry, media_storage
from buurtnet.config import Settings
from buurtnet.core import metric_queries, metric_rollups
from buurtnet.core.indicators import STORED
from buurtnet.db import Database
from buurtnet.federation.context import make_federation
from buurtnet.models import (
    Account,
    AccountStatus,
    CareSignal,
    Event,
    EventCategory,
    Like,
    MetricRollup,
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
)

ZONE = ZoneInfo("Europe/Amsterdam")
MARCH = date(2026, 3, 1)
WEEK = date(2026, 3, 9)  # Monday 9 to Sunday 15 March


def at(day: int, hour: int = 12, minute: int = 0, *, month: int = 3) -> datetime:
    """A moment in 2026 on Amsterdam's clock, as UTC."""
    local = datetime.combine(date(2026, month, day), time(hour, minute), tzinfo=ZONE)
    return local.astimezone(UTC)


@dataclass
class World:
    """The neighbourhood (Vogelwijk) and the other one (Oosterpark), filled for March 2026."""

    session: AsyncSession
    here: int = 0
    there: int = 0
    people: dict[str, int] = field(default_factory=dict)

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def person(
        self,
        name: str,
        joined: datetime,
        *,
        status: AccountStatus = AccountStatus.ACTIVE,
        elsewhere: bool = False,
        other_neighbourhood: bool = False,
    ) -> int:
        neighbourhood = self.there if other_neighbourhood else self.here
        account = Account(
            username=name,
            username_key=f"{name}@elders.example" if elsewhere else name,
            email=None if elsewhere else f"{name}@example.org",
            domain="elders.example" if elsewhere else None,
            neighbourhood_id=None if elsewhere else neighbourhood,
            status=status,
            created_at=joined,
        )
        await self.add(account)
        assert account.id is not None
        self.people[name] = account.id
        return account.id

    async def post(
        self,
        author: str,
        written: datetime,
        *,
        kind: PostKind = PostKind.MESSAGE,
        reply_to: int | None = None,
        moderation: ModerationState | None = None,
        there: bool = False,
        has_poll: bool = False,
    ) -> int:
        post = Post(
            author_id=self.people[author],
            neighbourhood_id=self.there if there else self.here,
            kind=kind,
            in_reply_to_id=reply_to,
            thread_root_id=reply_to,
            moderation=moderation,
            has_poll=has_poll,
            source="…",
            content_html="<p>…</p>",
            created_at=written,
        )
        await self.add(post)
        assert post.id is not None
        return post.id

    async def like(self, name: str, post_id: int, when: datetime) -> None:
        await self.add(Like(account_id=self.people[name], post_id=post_id, created_at=when))

    async def event(
        self,
        starts: datetime,
        category: EventCategory,
        *,
        attendance: int | None = None,
        bags: int | None = None,
        cancelled: bool = False,
        moderation: ModerationState | None = None,
        organiser: str = "anna",
        there: bool = False,
    ) -> int:
        written = at(1, month=2)
        post_id = await self.post(
            organiser, written, kind=PostKind.EVENT, moderation=moderation, there=there
        )
        await self.add(
            Event(
                post_id=post_id,
                title="Activiteit",
                category=category,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                cancelled_at=written if cancelled else None,
                attendance=attendance,
                litter_bags=bags,
            )
        )
        return post_id

    async def sign_up(
        self, name: str, event_id: int, when: datetime, status: ParticipationStatus
    ) -> None:
        await self.add(
            Participation(
                post_id=event_id, account_id=self.people[name], status=status, created_at=when
            )
        )

    async def poll(self, author: str, written: datetime, **choices: object) -> tuple[int, int, int]:
        """A poll post with two answers: (post, first answer, second answer)."""
        post_id = await self.post(author, written, has_poll=True, **choices)  # type: ignore[arg-type]
        await self.add(Poll(post_id=post_id, multiple=True, ends_at=written + timedelta(days=30)))
        answers = [PollOption(post_id=post_id, position=n, name=f"{n}") for n in (0, 1)]
        for answer in answers:
            await self.add(answer)
        assert answers[0].id is not None and answers[1].id is not None
        return post_id, answers[0].id, answers[1].id

    async def vote(
        self, name: str, poll: tuple[int, int, int], answer: int, when: datetime
    ) -> None:
        await self.add(
            PollVote(
                option_id=poll[answer + 1],
                account_id=self.people[name],
                post_id=poll[0],
                created_at=when,
            )
        )

    async def report(
        self,
        filed: datetime,
        responded: datetime | None = None,
        closed: datetime | None = None,
        *,
        there: bool = False,
    ) -> None:
        await self.add(
            Report(
                neighbourhood_id=self.there if there else self.here,
                created_at=filed,
                responded_at=responded,
                closed_at=closed,
                status=ReportStatus.RESOLVED if closed else ReportStatus.OPEN,
            )
        )


async def build(session: AsyncSession) -> World:
    """The neighbourhood of the hand-counted figures below; each line says what it adds."""
    world = World(session)
    for slug in ("vogelwijk", "oosterpark"):
        neighbourhood = Neighbourhood(slug=slug, name=slug.title(), homes=120)
        await world.add(neighbourhood)
        assert neighbourhood.id is not None
        if slug == "vogelwijk":
            world.here = neighbourhood.id
        else:
            world.there = neighbourhood.id
    # Members at the end of March: nine joined before its end, one more left after it.
    for name, joined in (("anna", at(10, month=1)), ("bram", at(15, month=1))):
        await world.person(name, joined)
    await world.person("cora", at(5))  # new in March
    await world.person("dirk", at(1, month=2), status=AccountStatus.SUSPENDED)  # still a member
    for name in ("fenna", "gijs", "hans", "jet"):
        await world.person(name, at(20, month=1))
    await world.person("ivo", at(2))  # new in March
    await world.person("eva", at(2, month=4))  # joined after March: not counted
    await world.person("piet", at(3), status=AccountStatus.PENDING)  # not let in: not a member
    await world.person("olga", at(1, month=1), other_neighbourhood=True)
    await world.person("rik", at(1, month=1), elsewhere=True)
    await world.person("tom", at(1, month=1), status=AccountStatus.DELETED)  # a tombstone
    for joined_on, left_on in (
        (date(2026, 1, 5), date(2026, 2, 10)),
        (date(2026, 1, 5), date(2026, 3, 20)),
        (date(2026, 1, 5), date(2026, 4, 10)),
        (date(2026, 3, 25), date(2026, 3, 28)),  # came and went in March: new, and left
        (date(2026, 4, 2), date(2026, 4, 20)),  # came after March: never a member then
    ):
        departure = NeighbourhoodDeparture(
            neighbourhood_id=world.here, joined_on=joined_on, left_on=left_on
        )
        await world.add(departure)
    elsewhere = NeighbourhoodDeparture(
        neighbourhood_id=world.there, joined_on=date(2026, 1, 5), left_on=date(2026, 4, 1)
    )
    await world.add(elsewhere)

    # Posts, replies and likes.
    old = await world.post("anna", at(20, month=2))  # February: not counted
    first = await world.post("anna", at(2))
    reply = await world.post("bram", at(3), reply_to=first)  # pair anna-bram
    await world.post("anna", at(4), reply_to=first)  # to herself: no pair
    asked = await world.post("cora", at(10), kind=PostKind.HELP_REQUEST)
    await world.post("anna", at(11), reply_to=asked)  # pair anna-cora; help answered
    alone = await world.post("bram", at(12), kind=PostKind.HELP_REQUEST)
    await world.post("bram", at(12, 13), reply_to=alone)  # only the asker: not answered
    await world.post("dirk", at(15), kind=PostKind.OFFER)
    unanswered = await world.post("cora", at(18), kind=PostKind.HELP_REQUEST)
    await world.post("ivo", at(18, 14), reply_to=unanswered, moderation=ModerationState.REMOVED)
    removed = await world.post("cora", at(16), moderation=ModerationState.REMOVED)
    await world.post("dirk", at(17), reply_to=first, moderation=ModerationState.HELD)
    await world.post("anna", at(21, month=2), kind=PostKind.OFFER)  # February
    await world.post("olga", at(5), reply_to=first)  # not a member here
    await world.post("rik", at(6), reply_to=first)  # from elsewhere
    await world.like("bram", removed, at(16, 13))  # on a removed post: nothing
    await world.like("hans", removed, at(16, 14))  # hans's only act: not active
    await world.like("bram", old, at(28, 23, 30, month=2))  # 22:30 UTC: still February
    await world.like("dirk", reply, at(31, 23, 30))  # 21:30 UTC: still March; pair bram-dirk
    await world.like("jet", first, at(1, 0, 30, month=4))  # 31 March 22:30 UTC: April
    await world.like("anna", first, at(8))  # her own post: no pair
    await world.like("bram", first, at(8))  # anna-bram again
    await world.like("ivo", asked, at(21))  # pair cora-ivo
    await world.like("rik", first, at(6))  # from elsewhere

    # Activities: three held in March (one a clean-up), with 30 + 12 + unknown attending.
    party = await world.event(at(14, 15), EventCategory.STREET_PARTY, attendance=30)
    clean_up = await world.event(at(21, 10), EventCategory.CLEAN_UP, attendance=12, bags=9)
    cancelled = await world.event(
        at(28, 10), EventCategory.CLEAN_UP, attendance=5, bags=3, cancelled=True
    )
    april = await world.event(at(4, 10, month=4), EventCategory.CLEAN_UP, attendance=7, bags=4)
    await world.event(at(25, 20), EventCategory.MEETING)
    other = await world.event(
        at(14, 15), EventCategory.STREET_PARTY, attendance=40, organiser="olga", there=True
    )
    hidden = await world.event(
        at(15, 15), EventCategory.OTHER, attendance=8, moderation=ModerationState.REMOVED
    )
    await world.sign_up("gijs", party, at(3), ParticipationStatus.GOING)  # gijs's only act
    await world.sign_up("hans", party, at(3), ParticipationStatus.NOT_GOING)
    await world.sign_up("anna", clean_up, at(4), ParticipationStatus.MAYBE)
    await world.sign_up("bram", april, at(30), ParticipationStatus.WAITING)
    await world.sign_up("olga", party, at(5), ParticipationStatus.GOING)
    await world.sign_up("cora", cancelled, at(6), ParticipationStatus.GOING)
    await world.sign_up("dirk", hidden, at(6), ParticipationStatus.GOING)
    await world.sign_up("fenna", party, at(27, month=2), ParticipationStatus.GOING)
    await world.sign_up("ivo", other, at(7), ParticipationStatus.GOING)

    # Polls: one held in March; votes on it and on February's.
    march_poll = await world.poll("anna", at(9))
    february_poll = await world.poll("bram", at(25, month=2))
    removed_poll = await world.poll("cora", at(9), moderation=ModerationState.REMOVED)
    other_poll = await world.poll("olga", at(9), there=True)
    await world.vote("fenna", march_poll, 0, at(10))  # two answers: one vote; fenna's only act
    await world.vote("fenna", march_poll, 1, at(10))
    await world.vote("anna", march_poll, 0, at(10))
    await world.vote("rik", march_poll, 1, at(11))  # votes from elsewhere count
    await world.vote("bram", february_poll, 0, at(2))
    await world.vote("gijs", february_poll, 0, at(27, month=2))  # February
    await world.vote("cora", removed_poll, 0, at(10))
    await world.vote("ivo", other_poll, 0, at(10))

    # Reports: first responses after 2, 4, 24 and 47 hours (the clocks went forward); closed in
    # March after 24, 47 and 264 hours.
    await world.report(at(1, 10), at(1, 12), at(2, 10))
    await world.report(at(5, 10), at(5, 14), at(2, 10, month=4))
    await world.report(at(10, 10), at(11, 10))
    await world.report(at(12, 10))
    await world.report(at(28, 10), at(30, 10), at(30, 10))
    await world.report(at(20, 10, month=2), at(20, 11, month=2), at(3, 10))
    await world.report(at(12, 10), at(12, 11), there=True)

    for raised, there in ((at(4), False), (at(30), False), (at(27, month=2), False), (at(4), True)):
        await world.add(
            CareSignal(
                neighbourhood_id=world.there if there else world.here,
                concern="isolation",
                about="…",
                text="…",
                created_at=raised,
            )
        )
    return world


MARCH_FIGURES: dict[str, float | None] = {
    "members": 10,  # anna bram cora dirk fenna gijs hans ivo jet, and the one leaving in April
    "new_members": 3,  # cora, ivo, and the one who came and went
    "members_left": 2,
    "homes": 120,
    "active_residents": 7,  # anna bram cora dirk, fenna (voted), gijs (signed up), ivo (liked)
    "interacting_pairs": 4,  # anna-bram, anna-cora, bram-dirk, cora-ivo
    "replies_per_post": 4 / 6,  # 4 replies; first, 3 requests, 1 offer and 1 poll
    "events_held": 3,
    "clean_ups_held": 1,
    "attendance": 42,
    "clean_up_participants": 12,
    "clean_up_bags": 9,
    "sign_ups": 5,  # gijs, anna, bram (waiting), olga (from another neighbourhood), cora
    "polls_held": 1,
    "votes": 4,  # fenna, anna, rik on March's poll; bram on February's
    "help_asked": 3,
    "help_offered": 1,
    "help_answered": 1,  # cora's, by anna within March
    "reports": 5,
    "reports_responded": 4,  # first responses in March (February's report got its own then)
    "first_response_hours": 14.0,  # of 2, 4, 24, 47: (4 + 24) / 2
    "reports_resolved": 3,
    "resolution_hours": 47.0,  # of 24, 47, 264
    "care_signals": 2,
}


async def figures(
    database: Database, period: PeriodKind = PeriodKind.MONTH, starts_on: date = MARCH
) -> dict[str, float | None]:
    async with database.transaction() as session:
        world = await build(session)
        span = metric_queries.span_of(world.here, period, starts_on, ZONE)
        return await metric_queries.indicator_values(session, span)


async def test_every_indicator_of_a_month_as_counted_by_hand(database: Database) -> None:
    found = await figures(database)
    assert set(found) == set(STORED)
    assert set(MARCH_FIGURES) == set(STORED)
    for key, expected in MARCH_FIGURES.items():
        value = found[key]
        assert value is not None and expected is not None, key
        assert abs(value - expected) < 1e-6, (key, value, expected)


async def test_a_week_as_counted_by_hand(database: Database) -> None:
    found = await figures(database, PeriodKind.WEEK, WEEK)
    expected = {
        "members": 11,  # nine had joined; two leave after the week
        "new_members": 0,
        "members_left": 0,
        "active_residents": 6,  # anna, bram, cora, dirk, fenna, ivo (voted in Oosterpark)
        "interacting_pairs": 1,  # anna-cora
        "replies_per_post": 2 / 4,  # anna to cora, bram to himself; poll, requests, offer
        "events_held": 1,
        "attendance": 30,
        "clean_ups_held": 0,
        "polls_held": 1,
        "votes": 3,
        "help_asked": 2,
        "help_offered": 1,
        "help_answered": 1,
        "reports": 2,
        "reports_responded": 1,
        "first_response_hours": 24.0,
        "reports_resolved": 0,
        "resolution_hours": None,
        "care_signals": 0,
    }
    for key, value in expected.items():
        assert found[key] == value or abs((found[key] or 0) - (value or 0)) < 1e-6, key


async def test_what_does_not_exist_is_none_not_zero(database: Database) -> None:
    async with database.transaction() as session:
        empty = Neighbourhood(slug="nieuwbouw", name="Nieuwbouw")
        session.add(empty)
        await session.flush()
        assert empty.id is not None
        span = metric_queries.span_of(empty.id, PeriodKind.MONTH, MARCH, ZONE)
        found = await metric_queries.indicator_values(session, span)
    for key in ("homes", "replies_per_post", "first_response_hours", "resolution_hours"):
        assert found[key] is None, key
    assert found["members"] == 0 and found["attendance"] == 0


async def test_medians_of_one_two_and_three(database: Database) -> None:
    """The week of 2 March: one first response (4 hours); two reports closed (after 24 and
    264 hours: their mean), then three (the middle one)."""
    async with database.transaction() as session:
        world = await build(session)
        week = metric_queries.span_of(world.here, PeriodKind.WEEK, date(2026, 3, 2), ZONE)
        before = await metric_queries.indicator_values(session, week)
        await world.report(at(2, 9), at(2, 10), at(4, 9))  # closed after 48 hours
        after = await metric_queries.indicator_values(session, week)
    assert before["first_response_hours"] == 4.0
    assert before["resolution_hours"] == (24.0 + 264.0) / 2
    assert before["reports_resolved"] == 2
    assert after["resolution_hours"] == 48.0
    assert after["first_response_hours"] == (1.0 + 4.0) / 2


async def test_help_counts_as_answered_only_by_a_reply_before_the_period_ended(
    database: Database,
) -> None:
    async with database.transaction() as session:
        world = await build(session)
        asked = await world.post("fenna", at(13), kind=PostKind.HELP_REQUEST)
        week = metric_queries.span_of(world.here, PeriodKind.WEEK, WEEK, ZONE)
        month = metric_queries.span_of(world.here, PeriodKind.MONTH, MARCH, ZONE)
        unanswered = await metric_queries.indicator_values(session, week)
        # Monday 16 March, 00:30: after the week of 9 March, within March.
        await world.post("gijs", at(16, 0, 30), reply_to=asked)
        in_week = await metric_queries.indicator_values(session, week)
        in_month = await metric_queries.indicator_values(session, month)
    assert unanswered["help_asked"] == in_week["help_asked"] == 3
    assert unanswered["help_answered"] == in_week["help_answered"] == 1  # cora's only
    assert in_month["help_asked"] == 4
    assert in_month["help_answered"] == 2


async def test_a_first_response_counts_in_the_period_it_was_made(database: Database) -> None:
    """Filed on 31 March at 20:00, taken up on 1 April at 08:00: April's response, after 12
    hours; March's figures stay as they were."""
    async with database.transaction() as session:
        world = await build(session)
        await world.report(at(31, 20), at(1, 8, month=4))
        march = metric_queries.span_of(world.here, PeriodKind.MONTH, MARCH, ZONE)
        april = metric_queries.span_of(world.here, PeriodKind.MONTH, date(2026, 4, 1), ZONE)
        in_march = await metric_queries.indicator_values(session, march)
        in_april = await metric_queries.indicator_values(session, april)
    assert in_march["reports"] == 6  # filed in March
    assert in_march["reports_responded"] == 4
    assert in_march["first_response_hours"] == 14.0
    assert in_april["reports"] == 0
    assert in_april["reports_responded"] == 1
    assert in_april["first_response_hours"] == 12.0


async def stored(database: Database) -> dict[tuple[int, str, date, str], float | None]:
    async with database.reading() as session:
        rows = (await session.exec(select(MetricRollup))).all()
    return {(r.neighbourhood_id, r.period, r.starts_on, r.indicator): r.value for r in rows}


async def test_refresh_stores_every_indicator_and_replaces_them(database: Database) -> None:
    async with database.transaction() as session:
        world = await build(session)
        here = world.here
        await metric_rollups.refresh(session, here, PeriodKind.MONTH, MARCH, ZONE)
        retired = MetricRollup(
            neighbourhood_id=here,
            period=PeriodKind.MONTH,
            starts_on=MARCH,
            indicator="retired_indicator",
            value=1,
        )
        session.add(retired)
    async with database.transaction() as session:
        signal = CareSignal(
            neighbourhood_id=here, concern="other", about="…", text="…", created_at=at(5)
        )
        session.add(signal)  # one more in March
        await metric_rollups.refresh(session, here, PeriodKind.MONTH, MARCH, ZONE)
    rows = await stored(database)
    month = {key[3]: value for key, value in rows.items() if key[:3] == (here, "month", MARCH)}
    assert set(month) == set(STORED)  # the retired one is gone, nothing doubled
    assert month["care_signals"] == 3
    assert month["homes"] == 120 and month["resolution_hours"] == 47.0


async def test_rebuild_does_every_week_and_month_of_every_neighbourhood(
    database: Database,
) -> None:
    calls: list[tuple[int, int]] = []
    async with database.transaction() as session:
        world = await build(session)
        # 23 February to 5 April: weeks of 23 Feb … 30 Mar (6), months Feb, Mar, Apr (3); twice.
        count = await metric_rollups.rebuild(
            session, date(2026, 2, 25), date(2026, 4, 5), ZONE, lambda *done: calls.append(done)
        )
    assert count == 2 * (6 + 3)
    assert calls == [(done, count) for done in range(1, count + 1)]
    rows = await stored(database)
    assert len(rows) == count * len(STORED)
    assert rows[(world.here, "month", MARCH, "members")] == 10
    assert rows[(world.here, "week", date(2026, 3, 30), "sign_ups")] == 1  # bram, waiting
    assert rows[(world.there, "month", MARCH, "care_signals")] == 1


async def test_rebuild_in_steps_commits_each_period(database: Database) -> None:
    async with database.transaction() as session:
        world = await build(session)
    count = await metric_rollups.rebuild_in_steps(database, MARCH, MARCH, ZONE)
    assert count == 2 * 2  # the week of 23 February and March, for both neighbourhoods
    rows = await stored(database)
    assert rows[(world.here, "month", MARCH, "active_residents")] == 7
    assert rows[(world.here, "week", date(2026, 2, 23), "care_signals")] == 1


async def test_the_hourly_job_refreshes_what_is_not_published_yet(database: Database) -> None:
    async with database.transaction() as session:
        world = await build(session)
        # Wednesday 1 April, 00:30 in Amsterdam (31 March 22:30 UTC): April, and March on its
        # grace day; the week of 30 March, but not that of 23 March, published since Tuesday.
        count = await metric_rollups.refresh_recent(session, at(1, 0, 30, month=4), ZONE)
    assert count == 2 * 3
    periods = {(key[1], key[2]) for key in await stored(database) if key[0] == world.here}
    assert periods == {
        ("month", date(2026, 4, 1)),
        ("month", MARCH),
        ("week", date(2026, 3, 30)),
    }


def test_the_periods_to_refresh() -> None:
    month, week = PeriodKind.MONTH, PeriodKind.WEEK
    april = date(2026, 4, 1)
    assert metric_rollups.periods_to_refresh(date(2026, 4, 1), month) == (MARCH, april)
    assert metric_rollups.periods_to_refresh(date(2026, 4, 2), month) == (april,)
    monday, this_week = date(2026, 4, 6), date(2026, 4, 6)
    assert metric_rollups.periods_to_refresh(monday, week) == (date(2026, 3, 30), this_week)
    assert metric_rollups.periods_to_refresh(date(2026, 4, 7), week) == (this_week,)


async def test_the_hourly_job_leaves_a_published_period_alone(database: Database) -> None:
    async with database.transaction() as session:
        world = await build(session)
        await metric_rollups.refresh_recent(session, at(1, 12, month=4), ZONE)  # grace day
        await world.post("jet", at(20), kind=PostKind.HELP_REQUEST)  # late news of March
        await metric_rollups.refresh_recent(session, at(1, 23, 30, month=4), ZONE)
    key = (world.here, "month", MARCH, "help_asked")
    assert (await stored(database))[key] == 4  # still the grace day: it lands
    async with database.transaction() as session:
        world.session = session
        await world.post("jet", at(21), kind=PostKind.HELP_REQUEST)
        await metric_rollups.refresh_recent(session, at(2, 0, 30, month=4), ZONE)  # published
        await metric_rollups.refresh_recent(session, at(20, 12, month=4), ZONE)
    assert (await stored(database))[key] == 4


async def test_the_job_is_registered_hourly(settings: Settings, database: Database) -> None:
    federation = make_federation(settings, database)
    registry = job_registry(media_storage(settings), federation)
    await federation.aclose()
    hourly = [task for interval, task in registry.periodic if interval == timedelta(hours=1)]
    assert hourly
    async with database.transaction() as session:
        session.add(Neighbourhood(slug="vogelwijk", name="Vogelwijk"))
    async with database.transaction() as session:
        for task in hourly:
            await task(session)
    async with database.reading() as session:
        periods = (await session.exec(select(col(MetricRollup.period)).distinct())).all()
    assert sorted(periods) == ["month", "week"]


async def test_the_first_day_is_that_of_the_oldest_local_account_or_post(
    database: Database,
) -> None:
    async with database.transaction() as session:
        assert await metric_rollups.first_day(session, ZONE) is None
        world = await build(session)
        assert await metric_rollups.first_day(session, ZONE) == date(2026, 1, 1)  # olga
        await world.post("anna", datetime(2025, 12, 30, 23, 30, tzinfo=UTC))
        assert await metric_rollups.first_day(session, ZONE) == date(2025, 12, 31)  # local day
        await world.post("rik", datetime(2001, 1, 1, tzinfo=UTC))  # dated at will elsewhere
        assert await metric_rollups.first_day(session, ZONE) == date(2025, 12, 31)
