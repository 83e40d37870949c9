"""The weekly digest: each resident gets the week's news of their neighbourhood as they may see
it, once a week from Friday afternoon, never twice, never empty, only at a confirmed address.
(Who may see what is also held to the policy's table: tests/test_visibility_policy.py.)"""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select, update
from starlette.applications import Starlette

from buurtnet.config import Settings
from buurtnet.core import demo, digests, events, relations
from buurtnet.db import Database
from buurtnet.mail import digest_mail, outbox
from buurtnet.models import (
    Account,
    Job,
    JobStatus,
    ModerationState,
    Neighbourhood,
    Post,
    PostKind,
    Visibility,
    utcnow,
)
from tests.conftest import counting_statements, make_account, write_post
from tests.events_kit import make_event, soon
from tests.kit.federation import run_queue
from tests.mail_kit import SmtpCatcher, html_of, with_smtp
from tests.mail_news_kit import Street, plain

ZONE = ZoneInfo("Europe/Amsterdam")
ANNA, BRAM = "anna@example.org", "bram@example.org"


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpCatcher) -> Settings:
    return with_smtp(settings, smtp_server)


@pytest.fixture
def street(request: pytest.FixtureRequest) -> Street:
    return Street.of(request)


def next_week() -> datetime:
    """The worker's clock in most tests: the Friday after today has passed, so that what is
    written today is in the week its digest tells of."""
    return utcnow() + timedelta(days=7)


async def send_digests(street: Street, now: datetime | None = None) -> int:
    """A turn of the worker's periodic task; then the worker sends what it queued."""
    async with street.database.transaction() as session:
        taken = await digest_mail.queue_digests(session, street.letters, ZONE, now)
    await run_queue(street.app)
    return taken


async def offer(street: Street) -> Post:
    """Bram's offer: news for everyone but Bram."""
    return await write_post(street.database, street.bram, "Gratis boor", kind=PostKind.OFFER)


async def change(database: Database, model: type, where: object, **values: object) -> None:
    async with database.transaction() as session:
        await session.exec(update(model).where(where).values(**values))  # type: ignore[arg-type]


class TestTheMoment:
    @pytest.mark.parametrize(
        ("now", "moment"),
        [
            # Friday 4 December 2026, 16:00 in Amsterdam is 15:00 UTC.
            (datetime(2026, 12, 4, 15, 0, tzinfo=UTC), datetime(2026, 12, 4, 15, 0, tzinfo=UTC)),
            (datetime(2026, 12, 4, 14, 59, tzinfo=UTC), datetime(2026, 11, 27, 15, 0, tzinfo=UTC)),
            (datetime(2026, 12, 10, 9, 0, tzinfo=UTC), datetime(2026, 12, 4, 15, 0, tzinfo=UTC)),
            # Summer time: Friday 3 July 2026, 16:00 is 14:00 UTC.
            (datetime(2026, 7, 5, 12, 0, tzinfo=UTC), datetime(2026, 7, 3, 14, 0, tzinfo=UTC)),
            # The clocks went back on Sunday 25 October: the Friday before was summer time.
            (datetime(2026, 10, 26, 8, 0, tzinfo=UTC), datetime(2026, 10, 23, 14, 0, tzinfo=UTC)),
        ],
    )
    def test_friday_afternoon_on_the_instances_calendar(
        self, now: datetime, moment: datetime
    ) -> None:
        assert digests.send_moment(now, ZONE) == moment


class TestWhatIsInIt:
    async def test_the_weeks_news_as_the_resident_may_see_it(
        self, street: Street, neighbourhood: Neighbourhood
    ) -> None:
        database, anna, bram = street.database, street.anna, street.bram
        elsewhere = Neighbourhood(slug="bomenbuurt", name="Bomenbuurt")
        async with database.transaction() as session:
            session.add(elsewhere)
        far = await make_account(database, "verweg", neighbourhood=elsewhere)
        muted = await make_account(database, "gedempt", neighbourhood=neighbourhood)
        blocker = await make_account(database, "blokkeerder", neighbourhood=neighbourhood)
        await street.confirm(anna, bram, muted, blocker, long_ago=True)
        await make_account(database, "carla", neighbourhood=neighbourhood)  # new this week
        async with database.transaction() as session:
            await relations.mute(session, anna, muted.id or 0)
            await relations.block(session, blocker, anna.id or 0)

        async def ask(author: Account, text: str, **choices: object) -> Post:
            return await write_post(database, author, text, kind=PostKind.HELP_REQUEST, **choices)

        asked = await ask(bram, "Wie helpt mij met de boodschappen?")
        helped = await ask(bram, "Wie tilt mijn kast? (al geholpen)")
        await change(database, Post, col(Post.id) == helped.id, helped_at=utcnow())
        await ask(bram, "Alleen voor volgers", visibility=Visibility.FOLLOWERS)
        await ask(anna, "Mijn eigen vraag")
        await ask(muted, "Van iemand die anna dempt")
        await ask(blocker, "Van iemand die anna blokkeert")
        await ask(far, "Uit een andere buurt", visibility=Visibility.PUBLIC)
        held, removed = ModerationState.HELD, ModerationState.REMOVED
        for text, state in (("Wacht op moderator", held), ("Weggehaald", removed)):
            post = await ask(bram, text)
            await change(database, Post, col(Post.id) == post.id, moderation=state)
        old = await ask(bram, "Van lang geleden")
        eight_days_ago = utcnow() - timedelta(days=8)
        await change(database, Post, col(Post.id) == old.id, created_at=eight_days_ago)
        offered = await offer(street)
        talked = await write_post(database, bram, "Zullen we een buurtfeest houden?")
        for text in ("Ja!", "Goed idee"):
            await write_post(database, anna, text, in_reply_to_id=talked.id)
        party = await make_event(database, bram, title="Opruimen", starts_at=soon(10))
        called_off = await make_event(database, bram, title="Afgelast", starts_at=soon(11))
        async with database.transaction() as session:
            await events.cancel_event(session, bram, called_off.id or 0)

        assert await send_digests(street, next_week()) == 4  # not carla, nor verweg: unconfirmed
        message = street.smtp.only_to(ANNA)
        assert message["Subject"] == "Deze week in Vogelwijk"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = plain(message)
        for shown in (
            "NIEUWE BUREN\n* carla: http://testserver/@carla",
            f"WIE ZOEKT HULP\n* bram: Wie helpt mij met de boodschappen?\n"
            f"  http://testserver/posts/{asked.id}",
            f"AANGEBODEN\n* bram: Gratis boor\n  http://testserver/posts/{offered.id}",
            "WAAR HET MEEST OVER GEPRAAT IS\n* bram: Zullen we een buurtfeest houden?\n"
            f"  2 reacties\n  http://testserver/posts/{talked.id}",
            "BINNENKORT\n* Opruimen\n",
            f"Merelplein\n  http://testserver/posts/{party.id}",
            "http://testserver/n/vogelwijk",
        ):
            assert shown in text, shown
        for left_out in (
            "al geholpen",
            "Alleen voor volgers",
            "Mijn eigen vraag",
            "dempt",
            "blokkeer",
            "andere buurt",
            "Wacht op moderator",
            "Weggehaald",
            "lang geleden",
            "Afgelast",
            "* anna",
        ):
            assert left_out not in text, left_out
        assert text.count("http://testserver/posts/") == 4
        html = html_of(message)
        assert f'href="http://testserver/posts/{asked.id}"' in html
        assert '<h2 style="margin:24px 0 8px;font-size:20px">Nieuwe buren</h2>' in html
        # Bram's own posts are no news to him; the newcomers are.
        brams = plain(street.smtp.only_to(BRAM))
        assert "Wie helpt mij" not in brams and "carla" in brams

    async def test_a_digest_with_nothing_in_it_is_not_sent_but_counts_as_this_weeks(
        self, street: Street
    ) -> None:
        await street.confirm(street.anna, long_ago=True)
        assert await send_digests(street) == 1
        assert street.smtp.received == []
        assert (await street.stored(street.anna)).digest_sent_at is not None
        assert await send_digests(street) == 0


class TestWhoGetsIt:
    async def test_not_an_unconfirmed_address_nor_who_turned_it_off_nor_a_newcomer_yet(
        self, street: Street, neighbourhood: Neighbourhood
    ) -> None:
        await street.confirm(street.anna, long_ago=True)
        await change(
            street.database, Account, col(Account.id) == street.anna.id, weekly_digest=False
        )
        newcomer = await make_account(street.database, "nieuw", neighbourhood=neighbourhood)
        await street.confirm(newcomer)
        await offer(street)
        assert await send_digests(street) == 0  # the newcomer's first is next Friday's
        assert await send_digests(street, next_week()) == 1
        assert [message["To"] for message in street.smtp.received] == ["nieuw@example.org"]
        assert (await street.stored(street.bram)).digest_sent_at is None  # unconfirmed
        assert (await street.stored(street.anna)).digest_sent_at is None


class TestSentOnce:
    async def test_two_workers_at_once_or_the_task_run_again_send_one_digest(
        self, street: Street
    ) -> None:
        await street.confirm(street.anna, street.bram, long_ago=True)
        await offer(street)
        later = next_week()

        async def one_worker() -> int:
            async with street.database.transaction() as session:
                return await digest_mail.queue_digests(session, street.letters, ZONE, later)

        assert sum(await asyncio.gather(one_worker(), one_worker())) == 2  # anna and bram
        assert await send_digests(street, later) == 0
        assert await send_digests(street, later + timedelta(hours=1)) == 0
        assert len(street.smtp.to(ANNA)) == 1
        assert street.smtp.to(BRAM) == []  # his own offer only: nothing in it

    async def test_once_a_week(self, street: Street) -> None:
        await street.confirm(street.anna, long_ago=True)
        await offer(street)
        later = next_week()
        moment = digests.send_moment(later, ZONE)
        assert await send_digests(street, later) == 1
        assert await send_digests(street, moment + timedelta(days=7, minutes=-1)) == 0
        assert await send_digests(street, moment + timedelta(days=7)) == 1
        assert len(street.smtp.to(ANNA)) == 1  # the offer is last week's news by then


class TestAMailServerThatIsAway:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return with_smtp(settings, None)

    async def test_the_digest_stays_queued(self, street: Street) -> None:
        await street.confirm(street.anna, long_ago=True)
        await offer(street)
        assert await send_digests(street, next_week()) == 1
        async with street.database.reading() as session:
            [job] = (await session.exec(select(Job).where(Job.name == outbox.SEND_MAIL))).all()
        assert job.status == JobStatus.QUEUED and job.attempts == 1
        assert "Deze week in Vogelwijk" in job.payload


class TestEfficiency:
    async def test_a_turn_costs_as_many_statements_for_one_resident_as_for_many(
        self, street: Street, neighbourhood: Neighbourhood
    ) -> None:
        await offer(street)
        await write_post(street.database, street.bram, "Wie helpt?", kind=PostKind.HELP_REQUEST)

        async def statements_for(names: list[str]) -> int:
            people = [
                await make_account(street.database, name, neighbourhood=neighbourhood)
                for name in names
            ]
            await street.confirm(*people, long_ago=True)
            with counting_statements(street.database) as statements:
                async with street.database.transaction() as session:
                    taken = await digest_mail.queue_digests(
                        session, street.letters, ZONE, next_week()
                    )
            assert taken == len(names)
            return len([s for s in statements if "INSERT INTO job" not in s])

        assert await statements_for(["een"]) == await statements_for(["twee", "drie", "vier"])


class TestTheDemo:
    async def test_the_demos_people_find_their_first_digest_in_the_mail_once(
        self, app: Starlette, database: Database, smtp_server: SmtpCatcher
    ) -> None:
        for _ in range(2):  # `buurtnet demo` may run again: nothing is added twice
            async with database.transaction() as session:
                _, logins = await demo.create_demo(session, history=False)
                usernames = [login.username for login in logins]
                letters = app.state.services.letters
                await digest_mail.queue_first_digests(session, letters, usernames)
            await run_queue(app)
        fatimas_offer = "Fatima El Amrani: Ik heb een kinderfiets over"
        assert fatimas_offer in plain(smtp_server.only_to(ANNA))
        assert smtp_server.to("sanne@example.org") == []  # waits for a moderator
        assert len(smtp_server.received) == len(demo.DEMO_PEOPLE)
