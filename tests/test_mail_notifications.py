"""Notifications by e-mail: the kinds a resident chose, bundled into at most one mail an hour,
only to a confirmed address, only what they may still see; the settings that choose them; and
stopping them with one click from the mail, without logging in."""

from datetime import datetime, timedelta

import httpx
import pytest
from sqlmodel import col, select, update

from buurtnet.config import Settings
from buurtnet.core import interactions, notification_bundles, relations
from buurtnet.db import Database
from buurtnet.mail import notification_mail
from buurtnet.mail.unsubscribe import Topic, unsubscribe_path
from buurtnet.models import (
    Account,
    AccountStatus,
    ModerationState,
    Neighbourhood,
    Notification,
    NotificationKind,
    Post,
    Visibility,
    utcnow,
)
from buurtnet.web import notification_sentences
from tests.conftest import counting_statements, log_in, make_account, post_form, write_post
from tests.kit.federation import run_queue
from tests.mail_kit import SmtpCatcher, html_of, with_smtp
from tests.mail_news_kit import Street, plain

ANNA = "anna@example.org"


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpCatcher) -> Settings:
    return with_smtp(settings, smtp_server)


@pytest.fixture
def street(request: pytest.FixtureRequest) -> Street:
    return Street.of(request)


async def mail_news(street: Street, now: datetime | None = None) -> int:
    """A turn of the worker's periodic task; then the worker sends what it queued."""
    async with street.database.transaction() as session:
        queued = await notification_mail.queue_bundles(session, street.letters, now)
    await run_queue(street.app)
    return queued


async def set_columns(database: Database, model: type, where: object, **values: object) -> None:
    async with database.transaction() as session:
        await session.exec(update(model).where(where).values(**values))  # type: ignore[arg-type]


async def unchecked(database: Database, account: Account) -> list[int | None]:
    """The notifications of `account` that the mail has not looked at yet."""
    async with database.reading() as session:
        query = select(Notification.id).where(
            Notification.recipient_id == account.id, col(Notification.mail_checked_at).is_(None)
        )
        return list((await session.exec(query)).all())


class TestTheBundle:
    async def test_a_reply_and_a_mention_come_in_one_mail_with_who_what_and_where(
        self, street: Street
    ) -> None:
        await street.confirm(street.anna)
        question = await write_post(street.database, street.anna, "Wie heeft er een ladder?")
        reply = await write_post(
            street.database,
            street.bram,
            "Ik heb er een!\nKom maar langs.",
            in_reply_to_id=question.id,
        )
        mention = await write_post(street.database, street.bram, "@anna zaterdag koffie?")
        assert await mail_news(street) == 1
        message = street.smtp.only_to(ANNA)
        assert message["Subject"] == "2 nieuwe meldingen op Buurtnet"
        assert str(message["List-Unsubscribe"]).startswith("<http://testserver/mail/unsubscribe/")
        text = plain(message)
        assert "bram heeft gereageerd op uw bericht." in text
        assert "Over: Wie heeft er een ladder?" in text
        assert '"Ik heb er een!"' in text and "Kom maar langs" not in text  # the first line
        assert f'@anna zaterdag koffie?"\n  http://testserver/posts/{mention.id}' in text
        assert f"http://testserver/posts/{reply.id}" in text
        assert "http://testserver/notifications" in text
        assert text.index("zaterdag koffie") < text.index("ladder")  # newest first
        assert f'href="http://testserver/posts/{reply.id}"' in html_of(message)
        account = await street.stored(street.anna)
        assert account.notified_by_mail_at is not None
        assert await unchecked(street.database, street.anna) == []

    async def test_every_kind_says_what_happened_and_names_are_escaped_in_html(
        self, street: Street
    ) -> None:
        assert set(notification_sentences.SENTENCES) == set(NotificationKind)
        sneaky = await make_account(street.database, "sneaky")
        async with street.database.transaction() as session:
            found = await session.get(Account, sneaky.id)
            assert found is not None
            found.display_name = "<b>Jan</b>"
            await relations.follow(session, found, street.anna.id or 0)
        await set_columns(
            street.database, Account, col(Account.id) == street.anna.id, mail_kinds="follow"
        )
        await street.confirm(street.anna)
        await mail_news(street)
        message = street.smtp.only_to(ANNA)
        assert "&lt;b&gt;Jan&lt;/b&gt; volgt u nu." in html_of(message)
        assert "* <b>Jan</b> volgt u nu.\n  http://testserver/@sneaky" in plain(message)


class TestAtMostOneMailAnHour:
    async def test_two_bursts_make_one_mail_and_the_next_comes_after_an_hour(
        self, street: Street
    ) -> None:
        await street.confirm(street.anna)
        for text in ("@anna eerste", "@anna tweede", "@anna derde", "@anna vierde"):
            await write_post(street.database, street.bram, text)
        await mail_news(street)
        [first] = street.smtp.to(ANNA)
        assert all(word in plain(first) for word in ("eerste", "tweede", "derde", "vierde"))
        await write_post(street.database, street.bram, "@anna vijfde")
        await write_post(street.database, street.bram, "@anna zesde")
        assert await mail_news(street) == 0
        assert await mail_news(street, utcnow() + timedelta(minutes=59)) == 0
        assert len(street.smtp.to(ANNA)) == 1
        assert await mail_news(street, utcnow() + timedelta(minutes=61)) == 1
        second = plain(street.smtp.to(ANNA)[1])
        assert "vijfde" in second and "zesde" in second and "eerste" not in second
        assert await mail_news(street, utcnow() + timedelta(hours=3)) == 0

    async def test_a_notification_committed_after_a_newer_one_is_still_mailed(
        self, street: Street
    ) -> None:
        """Ids are not committed in their order: one with a lower id that appears after a turn
        (here: taken out before it, put back after) comes in the next mail."""
        await street.confirm(street.anna)
        late = await write_post(street.database, street.bram, "@anna eerder geschreven")
        await write_post(street.database, street.bram, "@anna later geschreven")
        async with street.database.transaction() as session:
            [held_back] = (
                await session.exec(select(Notification).where(Notification.post_id == late.id))
            ).all()
            copy = Notification.model_validate(held_back.model_dump())
            await session.delete(held_back)
        assert await mail_news(street) == 1
        async with street.database.transaction() as session:
            session.add(copy)  # its id is lower than the one just mailed
        assert await mail_news(street, utcnow() + timedelta(minutes=61)) == 1
        assert "eerder geschreven" in plain(street.smtp.to(ANNA)[1])


class TestWhoGetsWhat:
    async def test_an_unconfirmed_address_gets_nothing(self, street: Street) -> None:
        await write_post(street.database, street.bram, "@anna hallo")
        assert await mail_news(street) == 0
        assert street.smtp.received == []

    async def test_a_suspended_account_gets_nothing(self, street: Street) -> None:
        await street.confirm(street.anna)
        await write_post(street.database, street.bram, "@anna hallo")
        suspended = {"status": AccountStatus.SUSPENDED}
        await set_columns(street.database, Account, col(Account.id) == street.anna.id, **suspended)
        assert await mail_news(street) == 0

    async def test_only_the_chosen_kinds_and_likes_are_not_chosen_at_first(
        self, street: Street
    ) -> None:
        assert street.anna.mail_kinds == "mention,reply" and street.anna.weekly_digest
        await street.confirm(street.anna)
        post = await write_post(street.database, street.anna, "Mooi weer vandaag")
        async with street.database.transaction() as session:
            await interactions.like(session, street.bram, post.id or 0)
        assert await mail_news(street) == 0
        assert (await street.stored(street.anna)).notified_by_mail_at is None  # no hour begun
        await write_post(street.database, street.bram, "@anna nu wel")
        assert await mail_news(street) == 1
        assert "vindt uw bericht leuk" not in plain(street.smtp.only_to(ANNA))

    async def test_what_was_read_or_can_no_longer_be_seen_is_left_out(
        self, street: Street, neighbourhood: Neighbourhood
    ) -> None:
        await street.confirm(street.anna)
        carla = await make_account(street.database, "carla", neighbourhood=neighbourhood)
        read = await write_post(street.database, street.bram, "@anna al gelezen")
        now = {"read_at": utcnow()}
        await set_columns(
            street.database, Notification, col(Notification.post_id) == read.id, **now
        )
        removed = await write_post(street.database, street.bram, "@anna weggehaald")
        await write_post(street.database, carla, "@anna van iemand die ik blokkeer")
        await write_post(
            street.database, street.bram, "@anna voor volgers", visibility=Visibility.FOLLOWERS
        )
        async with street.database.transaction() as session:
            taken = await session.get(Post, removed.id)
            assert taken is not None
            taken.moderation = ModerationState.REMOVED
            await relations.block(session, street.anna, carla.id or 0)
        await write_post(street.database, street.bram, "@anna dit wel")
        await mail_news(street)
        text = plain(street.smtp.only_to(ANNA))
        assert "dit wel" in text and "voor volgers" in text  # named: she may see it
        assert "al gelezen" not in text and "weggehaald" not in text
        assert "blokkeer" not in text and "carla" not in text

    async def test_old_news_is_not_mailed(self, street: Street) -> None:
        """Someone who confirms their address a week after signing up gets no week of news."""
        await write_post(street.database, street.bram, "@anna lang geleden")
        await street.confirm(street.anna)
        later = utcnow() + notification_bundles.FRESH + timedelta(minutes=1)
        assert await mail_news(street, later) == 0
        assert await unchecked(street.database, street.anna) == []  # looked at: not again


class TestEfficiency:
    async def test_a_turn_costs_as_many_statements_for_one_person_as_for_many(
        self, street: Street
    ) -> None:
        async def statements_for(names: list[str]) -> int:
            people = [await make_account(street.database, name) for name in names]
            await street.confirm(*people)
            for name in names:
                await write_post(street.database, street.bram, f"@{name} een")
                await write_post(
                    street.database, street.bram, f"@{name} twee", visibility=Visibility.DIRECT
                )
            with counting_statements(street.database) as statements:
                async with street.database.transaction() as session:
                    queued = await notification_mail.queue_bundles(session, street.letters)
            assert queued == len(names)
            return len([s for s in statements if "INSERT INTO job" not in s])

        assert await statements_for(["een"]) == await statements_for(["twee", "drie", "vier"])


class TestSettings:
    async def test_the_choices_are_shown_and_saved_with_one_form(
        self, client: httpx.AsyncClient, street: Street
    ) -> None:
        await log_in(client, "anna")
        page = (await client.get("/settings")).text
        assert 'value="mentions" aria-describedby="mail-kinds-hint" checked' in page
        assert 'value="reactions" aria-describedby="mail-kinds-hint">' in page
        assert 'id="weekly_digest" name="weekly_digest" value="on"' in page
        assert "We sturen geen e-mail tot u uw e-mailadres hebt bevestigd" in page
        response = await post_form(
            client,
            "/settings",
            "/settings/mail",
            {"kinds": ["followers", "activities", "nonsense"]},  # type: ignore[dict-item]
        )
        assert response.status_code == 303
        account = await street.stored(street.anna)
        assert account.mail_kinds == (
            "follow,event_changed,event_cancelled,moved_up,join_refused,reminder"
        )
        assert account.weekly_digest is False
        page = (await client.get("/settings?saved=mail")).text
        assert "Uw keuzes voor e-mail zijn opgeslagen." in page
        assert 'value="followers" aria-describedby="mail-kinds-hint" checked' in page
        assert 'value="mentions" aria-describedby="mail-kinds-hint">' in page
        assert 'name="weekly_digest" value="on" aria-describedby="weekly_digest-hint">' in page

    async def test_a_confirmed_address_has_no_warning(
        self, client: httpx.AsyncClient, street: Street
    ) -> None:
        await street.confirm(street.anna)
        await log_in(client, "anna")
        assert "We sturen geen e-mail tot" not in (await client.get("/settings")).text


class TestUnsubscribing:
    async def test_one_post_from_the_mail_client_stops_it_without_cookie_or_token(
        self, street: Street
    ) -> None:
        await street.confirm(street.anna)
        await write_post(street.database, street.bram, "@anna hallo")
        await mail_news(street)
        url = str(street.smtp.only_to(ANNA)["List-Unsubscribe"]).strip("<>")
        transport = httpx.ASGITransport(app=street.app)
        async with httpx.AsyncClient(transport=transport) as mail_client:  # no cookies at all
            response = await mail_client.post(
                url,
                content=b"List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        assert response.status_code == 200
        assert "Meldingen per e-mail zijn gestopt" in response.text
        assert 'href="/settings#mail-heading"' in response.text
        account = await street.stored(street.anna)
        assert account.mail_kinds == "" and account.weekly_digest  # only this topic
        await write_post(street.database, street.bram, "@anna nog een keer")
        assert await mail_news(street, utcnow() + timedelta(hours=2)) == 0

    async def test_the_page_asks_first_and_its_button_stops_the_digest(
        self, client: httpx.AsyncClient, street: Street
    ) -> None:
        secret = street.app.state.services.settings.secret_key
        path = unsubscribe_path(secret, street.anna.id or 0, Topic.DIGEST)
        page = await client.get(path)
        assert page.status_code == 200 and "Wekelijks nieuws stoppen?" in page.text
        assert '<form method="post">' in page.text
        assert (await street.stored(street.anna)).weekly_digest  # opening the link stops nothing
        stopped = await client.post(path)
        assert stopped.status_code == 200 and "Het wekelijkse nieuws is gestopt" in stopped.text
        account = await street.stored(street.anna)
        assert account.weekly_digest is False and account.mail_kinds == "mention,reply"

    @pytest.mark.parametrize(
        "token",
        [
            "nonsense",
            "1.digest.00000000000000000000000000000000",
            "1.weekly.abc",
            "%00",
            "1" * 30 + ".digest." + "0" * 32,
        ],
    )
    async def test_a_bad_token_is_a_404(
        self, client: httpx.AsyncClient, street: Street, token: str
    ) -> None:
        for method in ("GET", "POST"):
            response = await client.request(method, f"/mail/unsubscribe/{token}")
            assert response.status_code == 404, (method, token)

    async def test_the_link_of_an_account_that_is_gone_is_a_404(
        self, client: httpx.AsyncClient, street: Street
    ) -> None:
        secret = street.app.state.services.settings.secret_key
        path = unsubscribe_path(secret, 9999, Topic.NOTIFICATIONS)
        assert (await client.get(path)).status_code == 404
        assert (await client.post(path)).status_code == 404
