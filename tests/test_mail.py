"""E-mail: letters in the recipient's language, queued with their change, sent by the worker to a
real SMTP server in this process (aiosmtpd), kept and retried when it is away, and written to the
mail folder, where an admin reads it, when the instance has none."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.config import SettingsError, SmtpSecurity, load_settings, parse_smtp_url
from buurtnet.db import Database
from buurtnet.mail import outbox
from buurtnet.mail.folder import MailFolder
from buurtnet.mail.letters import Letters
from buurtnet.mail.unsubscribe import Topic, read_unsubscribe_token, unsubscribe_token
from buurtnet.models import Account, Job, JobStatus, Neighbourhood, Role, utcnow
from buurtnet.web.services import Services
from tests.conftest import log_in, make_account, post_form
from tests.kit.federation import run_queue
from tests.mail_kit import SmtpCatcher, html_of, running_server, text_of, with_smtp


def letters_of(app: Starlette) -> Letters:
    found: Services = app.state.services
    return found.letters


async def queue_test_mail(app: Starlette, database: Database, account: Account) -> None:
    async with database.transaction() as session:
        outbox.queue(session, letters_of(app).write("test", account, topic=Topic.DIGEST))


async def mail_jobs(database: Database) -> list[Job]:
    async with database.reading() as session:
        return list((await session.exec(select(Job).where(Job.name == outbox.SEND_MAIL))).all())


async def make_due(database: Database) -> None:
    """Jump over the back-off: the retried jobs may run now."""
    async with database.transaction() as session:
        for job in (await session.exec(select(Job))).all():
            job.run_after = utcnow() - timedelta(seconds=1)
            session.add(job)


async def with_old_address(database: Database, account: Account, email: str) -> Account:
    """The account with an address stored before `names.email_problem` would refuse it."""
    async with database.transaction() as session:
        row = await session.get(Account, account.id)
        assert row is not None
        row.email = email
        return row


class TestLetters:
    async def test_a_letter_is_in_the_recipients_language_with_text_and_html(
        self, app: Starlette, resident: Account
    ) -> None:
        dutch = letters_of(app).write("test", resident)
        resident.locale = "en"
        english = letters_of(app).write("test", resident)
        assert dutch.subject == "Test-e-mail van Buurtnet"
        assert english.subject == "Test e-mail from Buurtnet"
        assert "Hallo anna," in dutch.text and "<p>Hallo anna,</p>" in dutch.html
        assert "Hello anna," in english.text and 'lang="en"' in english.html

    async def test_only_letters_with_a_topic_can_be_stopped(
        self, app: Starlette, resident: Account
    ) -> None:
        security = letters_of(app).write("test", resident)
        news = letters_of(app).write("test", resident, topic=Topic.NOTIFICATIONS)
        assert security.unsubscribe_url is None and "niet uitzetten" in security.text
        assert news.unsubscribe_url and news.unsubscribe_url in news.text
        assert news.unsubscribe_url.startswith("http://testserver/mail/unsubscribe/")


class TestUnsubscribeTokens:
    def test_a_token_names_its_account_and_topic(self) -> None:
        token = unsubscribe_token("secret" * 6, 42, Topic.DIGEST)
        assert read_unsubscribe_token("secret" * 6, token) == (42, Topic.DIGEST)

    @pytest.mark.parametrize(
        "change",
        [
            lambda token: token.replace("42.", "43.", 1),  # another account
            lambda token: token.replace("digest", "notifications"),  # another topic
            lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),  # another signature
            lambda token: "",
            lambda token: "42",
            lambda token: "x.digest.abc",
            lambda token: "9" * 40 + ".digest." + "0" * 32,
        ],
    )
    def test_a_changed_or_made_up_token_is_refused(self, change: object) -> None:
        token = unsubscribe_token("secret" * 6, 42, Topic.DIGEST)
        assert callable(change)
        assert read_unsubscribe_token("secret" * 6, change(token)) is None

    def test_another_instances_token_is_refused(self) -> None:
        token = unsubscribe_token("secret" * 6, 42, Topic.DIGEST)
        assert read_unsubscribe_token("other-secret" * 4, token) is None


class TestSmtpUrl:
    def test_the_three_kinds_of_security_and_their_default_ports(self) -> None:
        assert parse_smtp_url("") is None
        plain = parse_smtp_url("smtp://mail.example.nl")
        starttls = parse_smtp_url("smtp+starttls://buurt%40corp.nl:ge%3Aheim@mail.example.nl")
        tls = parse_smtp_url("smtps://mail.example.nl:2465")
        assert plain and plain.security == SmtpSecurity.STARTTLS_IF_OFFERED and plain.port == 25
        assert starttls and starttls.port == 587
        assert (starttls.username, starttls.password) == ("buurt@corp.nl", "ge:heim")
        assert tls and tls.security == SmtpSecurity.TLS and tls.port == 2465

    def test_the_password_never_shows_in_the_settings(self, tmp_path: object) -> None:
        settings = load_settings(
            {
                "BUURTNET_DATA_DIR": str(tmp_path),
                "BUURTNET_SMTP_URL": "smtps://buurt:zeer-geheim@mail.example.nl",
            }
        )
        assert settings.smtp and settings.smtp.password == "zeer-geheim"
        assert "zeer-geheim" not in repr(settings)

    @pytest.mark.parametrize(
        "url", ["http://mail.example.nl", "smtp://", "smtp://mail:port", "smtp://mail/path"]
    )
    def test_a_malformed_url_is_named(self, url: str) -> None:
        with pytest.raises(SettingsError, match="BUURTNET_SMTP_URL"):
            parse_smtp_url(url)

    def test_the_sender_is_checked_and_has_a_default(self, tmp_path: object) -> None:
        base = {"BUURTNET_DATA_DIR": str(tmp_path), "BUURTNET_BASE_URL": "https://buurt.nl:8443"}
        assert load_settings(base).sender == "noreply@buurt.nl"
        named = load_settings(base | {"BUURTNET_MAIL_FROM": "Buurtnet <hallo@buurt.nl>"})
        assert named.sender == "Buurtnet <hallo@buurt.nl>"
        with pytest.raises(SettingsError, match="BUURTNET_MAIL_FROM"):
            load_settings(base | {"BUURTNET_MAIL_FROM": "geen adres"})


class TestSendingOverSmtp:
    @pytest.fixture
    def settings(self, settings: object, smtp_server: SmtpCatcher) -> object:
        return with_smtp(settings, smtp_server, mail_from="Vogelwijk <buurt@example.nl>")  # type: ignore[arg-type]

    async def test_the_worker_sends_it_with_both_parts_and_one_click_unsubscribe(
        self, app: Starlette, database: Database, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        await queue_test_mail(app, database, resident)
        assert smtp_server.received == []  # never in the request: the worker sends it
        await run_queue(app)
        message = smtp_server.only_to("anna@example.org")
        assert smtp_server.recipients == [["anna@example.org"]]
        assert message["From"] == "Vogelwijk <buurt@example.nl>"
        assert message["Subject"] == "Test-e-mail van Buurtnet"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = str(message["List-Unsubscribe"])
        assert unsubscribe.startswith("<http://testserver/mail/unsubscribe/")
        assert unsubscribe.strip("<>") in text_of(message)
        assert unsubscribe.strip("<>") in html_of(message)
        assert await mail_jobs(database) == []

    async def test_a_mail_in_a_rolled_back_change_is_never_sent(
        self, app: Starlette, database: Database, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        with pytest.raises(RuntimeError):
            async with database.transaction() as session:
                outbox.queue(session, letters_of(app).write("test", resident))
                raise RuntimeError("the change failed")
        await run_queue(app)
        assert smtp_server.received == [] and await mail_jobs(database) == []

    async def test_a_refused_recipient_is_given_up_without_a_crash(
        self, app: Starlette, database: Database, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        smtp_server.refuse_with = "550 5.1.1 No such user here"
        await queue_test_mail(app, database, resident)
        await run_queue(app)
        [job] = await mail_jobs(database)
        assert job.status == JobStatus.FAILED and "550" in job.last_error
        assert "anna@example.org" not in job.last_error
        assert job.payload == "{}"  # the letter (and any link in it) is not kept with the failure

    async def test_a_server_that_says_later_gets_the_mail_later(
        self, app: Starlette, database: Database, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        smtp_server.refuse_with = "451 4.3.0 Try again later"
        await queue_test_mail(app, database, resident)
        await run_queue(app)
        [job] = await mail_jobs(database)
        assert job.status == JobStatus.QUEUED and job.attempts == 1
        smtp_server.refuse_with = None
        await make_due(database)
        await run_queue(app)
        assert smtp_server.only_to("anna@example.org")["Subject"] == "Test-e-mail van Buurtnet"

    async def test_the_envelope_has_one_recipient_whatever_the_header_says(
        self, app: Starlette, database: Database, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        resident = await with_old_address(database, resident, "anna@example.org,x@evil.nl")
        await queue_test_mail(app, database, resident)
        await run_queue(app)
        assert [len(envelope) for envelope in smtp_server.recipients] == [1]


class TestAServerWithoutSmtputf8:
    @pytest.fixture
    def plain_server(self) -> Iterator[SmtpCatcher]:
        with running_server(enable_SMTPUTF8=False) as catcher:
            yield catcher

    @pytest.fixture
    def settings(self, settings: object, plain_server: SmtpCatcher) -> object:
        return with_smtp(settings, plain_server)  # type: ignore[arg-type]

    async def test_gives_up_on_an_address_it_cannot_take(
        self, app: Starlette, database: Database, resident: Account, plain_server: SmtpCatcher
    ) -> None:
        resident = await with_old_address(database, resident, "änna@example.org")
        await queue_test_mail(app, database, resident)
        await run_queue(app)
        [job] = await mail_jobs(database)
        assert job.status == JobStatus.FAILED and plain_server.received == []
        assert "nna@example.org" not in job.last_error


class TestAServerThatIsAway:
    @pytest.fixture
    def settings(self, settings: object) -> object:
        return with_smtp(settings, None)  # type: ignore[arg-type]

    async def test_the_mail_stays_queued_and_goes_once_the_server_is_back(
        self, app: Starlette, database: Database, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        await queue_test_mail(app, database, resident)
        await run_queue(app)
        [job] = await mail_jobs(database)
        assert job.status == JobStatus.QUEUED and job.attempts == 1
        assert job.run_after > utcnow()  # backing off, not hammering
        assert "anna@example.org" not in job.last_error
        federation = app.state.federation  # the server is back, at the catcher's port
        app.state.federation = replace(
            federation, settings=with_smtp(federation.settings, smtp_server)
        )
        await make_due(database)
        await run_queue(app)
        assert smtp_server.only_to("anna@example.org")
        assert await mail_jobs(database) == []


class TestTheMailFolder:
    """Without `BUURTNET_SMTP_URL` (the demo, development) mail goes to the admin's folder."""

    async def test_the_admin_reads_every_mail_the_instance_would_have_sent(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        neighbourhood: Neighbourhood,
    ) -> None:
        admin = await make_account(database, "beheer", role=Role.ADMIN, neighbourhood=neighbourhood)
        await log_in(client, "beheer")
        response = await post_form(client, "/admin/mail", "/admin/mail/test", {})
        assert response.status_code == 303
        await run_queue(app)
        page = await client.get("/admin/mail")
        assert "geen mailserver" in page.text and "beheer@example.org" in page.text
        [kept] = MailFolder(app.state.services.settings.mail_folder).newest()
        message = await client.get(f"/admin/mail/{kept.name}")
        assert message.status_code == 200
        assert "Test-e-mail van Buurtnet" in message.text and "Hallo beheer," in message.text
        assert admin.email == "beheer@example.org"

    @pytest.mark.parametrize(
        "name", ["..%2Fsecret_key", "secret_key", ".20261204-153000-000000-0123456789abcdef.eml"]
    )
    async def test_only_messages_of_the_folder_can_be_opened(
        self,
        client: httpx.AsyncClient,
        database: Database,
        neighbourhood: Neighbourhood,
        name: str,
    ) -> None:
        await make_account(database, "beheer", role=Role.ADMIN, neighbourhood=neighbourhood)
        await log_in(client, "beheer")
        assert (await client.get(f"/admin/mail/{name}")).status_code == 404

    async def test_residents_cannot_read_the_folder(
        self, client: httpx.AsyncClient, resident: Account
    ) -> None:
        await log_in(client, "anna")
        assert (await client.get("/admin/mail")).status_code == 403


class TestTheMailFolderOfARealInstance:
    """Behind HTTPS without a mail server, an admin sees that mail went out, not its tokens."""

    @pytest.fixture
    def settings(self, settings: object) -> object:
        return replace(settings, base_url="https://buurt.example.nl")  # type: ignore[type-var]

    async def test_links_that_act_for_someone_else_lose_their_token(
        self, app: Starlette, database: Database, resident: Account
    ) -> None:
        folder = MailFolder(app.state.services.settings.mail_folder)
        await queue_test_mail(app, database, resident)
        await run_queue(app)
        [kept] = folder.newest()
        admin = await make_account(database, "beheer", role=Role.ADMIN)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://buurt.example.nl"
        ) as browser:
            await log_in(browser, "beheer")
            page = await browser.get(f"/admin/mail/{kept.name}")
        assert page.status_code == 200 and admin.id is not None
        assert "/mail/unsubscribe/…" in page.text
        assert f"/mail/unsubscribe/{resident.id}." not in page.text
