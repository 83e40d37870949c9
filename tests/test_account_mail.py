"""The account's security mails, sent to a real SMTP server in this process: the address confirmed
at sign-up and when it changes, 'wachtwoord vergeten?', and the reset link an admin sends."""

import argparse
import io
import re
import sys
from datetime import timedelta
from email.message import EmailMessage

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from buurtnet import cli
from buurtnet.config import Settings
from buurtnet.core import (
    demo,
    email_addresses,
    housekeeping,
    invites,
    mail_tokens,
    password_reset,
    site,
)
from buurtnet.core.account_deletion import delete_account
from buurtnet.core.errors import NotFound
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    ActionKind,
    InviteCode,
    MailToken,
    MailTokenPurpose,
    ModerationAction,
    Neighbourhood,
    RegistrationMode,
    Role,
    utcnow,
)
from tests.conftest import (
    PASSWORD,
    browser_for,
    csrf_token,
    log_in,
    make_account,
    post_form,
)
from tests.kit.federation import run_queue
from tests.mail_kit import SmtpCatcher, html_of, text_of, with_smtp

NEW_PASSWORD = "fietsen langs de singel"
SAME_ANSWER = "Als we dit e-mailadres of deze gebruikersnaam kennen"
UNUSABLE = "Deze link werkt niet meer"
LINK = re.compile(r"http://testserver(/(?:email/confirm|password/reset)/[A-Za-z0-9_-]{43})")


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpCatcher) -> Settings:
    return with_smtp(settings, smtp_server)


def link_in(message: EmailMessage) -> str:
    """The path of the one link of ours in a mail (its text and HTML parts agree)."""
    from_text = LINK.findall(text_of(message))
    from_html = LINK.findall(html_of(message))
    assert len(set(from_text)) == 1 and set(from_html) == set(from_text), from_text
    path: str = from_text[0]
    return path


async def stored(database: Database, username: str) -> Account:
    async with database.reading() as session:
        query = select(Account).where(Account.username == username)
        return (await session.exec(query)).one()


async def tokens_of(database: Database, account: Account) -> list[MailToken]:
    async with database.reading() as session:
        query = select(MailToken).where(MailToken.account_id == account.id)
        return list((await session.exec(query.order_by(col(MailToken.id)))).all())


async def row_of(session: AsyncSession, account: Account) -> Account:
    """The account's row in this session, to change it as a moderator or time would."""
    found = await session.get(Account, account.id)
    assert found is not None
    return found


async def confirm_address(database: Database, account: Account) -> None:
    async with database.transaction() as session:
        (await row_of(session, account)).email_confirmed_at = utcnow()


async def ask_for_reset(client: httpx.AsyncClient, login_name: str) -> httpx.Response:
    return await post_form(
        client, "/password/forgotten", "/password/forgotten", {"login_name": login_name}
    )


async def choose_password(
    client: httpx.AsyncClient, link: str, password: str = NEW_PASSWORD
) -> httpx.Response:
    return await post_form(client, link, link, {"password": password, "password_again": password})


async def reset_link_for(
    app: Starlette, smtp_server: SmtpCatcher, login_name: str, mailbox: str = "anna@example.org"
) -> str:
    """Ask for a link from a browser of its own, and take it from the newest mail."""
    async with browser_for(app) as stranger:
        assert (await ask_for_reset(stranger, login_name)).status_code == 303
    await run_queue(app)
    return link_in(smtp_server.to(mailbox)[-1])


class TestConfirmingAtSignUp:
    @pytest.fixture
    async def invite(self, database: Database, neighbourhood: Neighbourhood) -> InviteCode:
        director = await make_account(database, "dirk", neighbourhood=neighbourhood)
        async with database.transaction() as session:
            return await invites.create_invite(session, neighbourhood, director)

    async def sign_up(self, client: httpx.AsyncClient, **extra: str) -> httpx.Response:
        form = {
            "username": "bram",
            "email": "Bram@Example.org",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
            "accept_rules": "yes",
            **extra,
        }
        return await post_form(client, "/register", "/register", form)

    async def test_the_mail_arrives_and_only_its_button_confirms(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        invite: InviteCode,
        smtp_server: SmtpCatcher,
    ) -> None:
        assert (await self.sign_up(client, invite_code=invite.code)).status_code == 303
        assert smtp_server.received == []  # queued with the account, sent by the worker
        await run_queue(app)
        message = smtp_server.only_to("bram@example.org")
        assert message["Subject"] == "Bevestig uw e-mailadres"
        assert "List-Unsubscribe" not in message  # about the account: no way to switch it off
        assert "7 dagen" in text_of(message)
        link = link_in(message)
        settings_page = await client.get("/settings")
        assert "Nog niet bevestigd." in settings_page.text

        async with browser_for(app) as scanner:  # a mail scanner opens every link
            page = await scanner.get(link)
        assert page.status_code == 200 and "bram@example.org" in page.text
        assert page.headers["Referrer-Policy"] == "same-origin"  # no other site hears the link
        assert (await stored(database, "bram")).email_confirmed_at is None

        confirmed = await post_form(client, link, link, {})
        assert confirmed.status_code == 303 and confirmed.headers["location"] == "/email/confirmed"
        assert "Uw e-mailadres is bevestigd" in (await client.get("/email/confirmed")).text
        assert (await stored(database, "bram")).email_confirmed_at is not None
        assert "Bevestigd." in (await client.get("/settings")).text
        again = await post_form(client, "/settings", link, {})
        assert again.status_code == 404 and UNUSABLE in again.text

    async def test_a_sign_up_that_waits_for_a_moderator_gets_it_too(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        neighbourhood: Neighbourhood,
        smtp_server: SmtpCatcher,
    ) -> None:
        async with database.transaction() as session:
            await site.set_registration_mode(session, RegistrationMode.APPROVAL)
        response = await self.sign_up(client, neighbourhood="vogelwijk")
        assert response.status_code == 200 and "ook een e-mail gestuurd" in response.text
        await run_queue(app)
        link = link_in(smtp_server.only_to("bram@example.org"))
        async with browser_for(app) as other_browser:  # not logged in: the link is enough
            assert (await post_form(other_browser, link, link, {})).status_code == 303
        waiting = await stored(database, "bram")
        assert waiting.email_confirmed_at is not None and waiting.status == AccountStatus.PENDING

    async def test_a_sign_up_with_problems_sends_nothing(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        invite: InviteCode,
        smtp_server: SmtpCatcher,
    ) -> None:
        response = await self.sign_up(client, invite_code=invite.code, password_again="anders!!")
        assert response.status_code == 400
        await run_queue(app)
        assert smtp_server.received == []
        async with database.reading() as session:
            assert (await session.exec(select(MailToken))).all() == []


class TestSendingTheConfirmationAgain:
    async def test_a_new_link_replaces_the_old_one_and_the_budget_ends_in_a_clear_429(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        await log_in(client, "anna")
        for _ in range(email_addresses.RESENDS_PER_ACCOUNT):
            response = await post_form(client, "/settings", "/settings/email/confirm-again", {})
            assert response.headers["location"] == "/settings/email?saved=sent"
            await run_queue(app)  # one at a time: the worker sends a batch side by side
        first, *_, newest = smtp_server.to("anna@example.org")
        refused = await post_form(client, "/settings", "/settings/email/confirm-again", {})
        assert refused.status_code == 429 and "Probeer het over 60 minuten opnieuw" in refused.text
        assert refused.headers["Retry-After"]
        assert (await client.get(link_in(first))).status_code == 404  # only the newest works
        assert (await post_form(client, link_in(newest), link_in(newest), {})).status_code == 303
        done = await post_form(client, "/settings", "/settings/email/confirm-again", {})
        assert done.headers["location"] == "/settings/email?saved=confirmed"  # nothing to send


class TestChangingTheAddress:
    async def change(
        self, client: httpx.AsyncClient, email: str, password: str = PASSWORD
    ) -> httpx.Response:
        form = {"email": email, "current_password": password}
        return await post_form(client, "/settings/email", "/settings/email", form)

    async def test_it_changes_only_with_the_link_and_the_old_address_is_told(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        await confirm_address(database, resident)
        await log_in(client, "anna")
        response = await self.change(client, "Anna.Nieuw@Example.org")
        assert response.headers["location"] == "/settings/email?saved=change"
        page = await client.get("/settings/email?saved=change")
        assert "anna.nieuw@example.org" in page.text  # the change that waits
        await run_queue(app)
        notice = smtp_server.only_to("anna@example.org")
        assert notice["Subject"] == "Uw e-mailadres wordt gewijzigd"
        assert "anna.nieuw@example.org" in text_of(notice)
        assert "http://testserver/password/forgotten" in text_of(notice)
        confirmation = smtp_server.only_to("anna.nieuw@example.org")
        assert confirmation["Subject"] == "Bevestig uw nieuwe e-mailadres"
        assert (await stored(database, "anna")).email == "anna@example.org"  # not yet

        link = link_in(confirmation)
        assert (await post_form(client, link, link, {})).status_code == 303
        changed = await stored(database, "anna")
        assert changed.email == "anna.nieuw@example.org" and changed.email_confirmed_at

    async def test_an_unconfirmed_old_address_is_not_told(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        await log_in(client, "anna")
        assert (await self.change(client, "anna@example.net")).status_code == 303
        await run_queue(app)
        assert smtp_server.to("anna@example.org") == []  # it may be a typo: someone else's
        assert smtp_server.only_to("anna@example.net")

    @pytest.mark.parametrize(
        ("email", "password", "message"),
        [
            ("anna@example.net", "niet mijn wachtwoord", "Uw huidige wachtwoord klopt niet."),
            ("bram@example.org", PASSWORD, "Er is al een account met dit e-mailadres."),
            ("ANNA@example.org", PASSWORD, "Dit is al uw e-mailadres."),
            ("geen adres", PASSWORD, "Dit lijkt geen e-mailadres."),
            ("a" * 10_000 + "@example.org", PASSWORD, "Dit lijkt geen e-mailadres."),
            ("anna@example.org,x@evil.nl", PASSWORD, "Dit lijkt geen e-mailadres."),
            ("änna@example.org", PASSWORD, "Dit lijkt geen e-mailadres."),
        ],
    )
    async def test_a_refused_change_says_why_and_sends_nothing(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        resident: Account,
        neighbour: Account,
        smtp_server: SmtpCatcher,
        email: str,
        password: str,
        message: str,
    ) -> None:
        await log_in(client, "anna")
        response = await self.change(client, email, password)
        assert response.status_code == 400 and message in response.text
        await run_queue(app)
        assert smtp_server.received == [] and await tokens_of(database, resident) == []

    async def test_a_taken_address_is_named_only_to_whoever_knows_the_password(
        self, client: httpx.AsyncClient, resident: Account, neighbour: Account
    ) -> None:
        await log_in(client, "anna")
        response = await self.change(client, "bram@example.org", "niet mijn wachtwoord")
        assert "Er is al een account" not in response.text

    async def test_attempts_are_counted_per_account(
        self, client: httpx.AsyncClient, resident: Account, neighbour: Account
    ) -> None:
        await log_in(client, "anna")
        for number in range(email_addresses.CHANGES_PER_ACCOUNT):
            assert (await self.change(client, "bram@example.org")).status_code == 400, number
        refused = await self.change(client, "anna@example.net")
        assert refused.status_code == 429 and "Wacht even" in refused.text

    async def test_an_address_taken_meanwhile_is_not_taken_over(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        await log_in(client, "anna")
        assert (await self.change(client, "gedeeld@example.org")).status_code == 303
        await run_queue(app)
        await make_account(database, "gedeeld")  # gedeeld@example.org, meanwhile
        link = link_in(smtp_server.only_to("gedeeld@example.org"))
        response = await post_form(client, link, link, {})
        assert response.status_code == 409 and "Er is al een account" in response.text
        assert (await stored(database, "anna")).email == "anna@example.org"


class TestForgottenPassword:
    async def test_the_login_page_offers_it(self, client: httpx.AsyncClient) -> None:
        assert 'href="/password/forgotten"' in (await client.get("/login")).text

    async def test_known_and_unknown_names_get_the_same_answer_and_only_one_gets_mail(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        answers = []
        for name in ("anna@example.org", "niemand@example.org", "anna", "niemand"):
            response = await ask_for_reset(client, name)
            page = await client.get(response.headers["location"])
            answers.append((response.status_code, response.headers["location"], page.text))
        assert len(set(answers)) == 1 and SAME_ANSWER in answers[0][2]
        await run_queue(app)
        assert {message["To"] for message in smtp_server.received} == {"anna@example.org"}
        assert len(smtp_server.received) == 2  # by address and by username
        message = smtp_server.received[0]
        assert message["Subject"] == "Kies een nieuw wachtwoord"
        assert "1 uur" in text_of(message) and "negeren" in text_of(message)
        assert "List-Unsubscribe" not in message

    async def test_a_link_works_once_ends_every_login_and_logs_in_afresh(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        await log_in(client, "anna")  # an old device, still logged in
        assert (await client.get("/settings")).status_code == 200
        link = await reset_link_for(app, smtp_server, "anna@example.org")
        async with browser_for(app) as fresh:
            form = await fresh.get(link)
            assert form.status_code == 200 and "anna" in form.text
            done = await choose_password(fresh, link)
            assert (
                done.status_code == 303 and done.headers["location"] == "/settings?saved=password"
            )
            assert (await fresh.get("/settings")).status_code == 200  # logged in afresh
            again = await choose_password(fresh, link, "nog een ander wachtwoord")
            assert again.status_code == 404 and UNUSABLE in again.text
            assert (await fresh.get(link)).status_code == 404
        old_device = await client.get("/settings")
        assert old_device.status_code == 303 and old_device.headers["location"].startswith("/login")
        async with browser_for(app) as later:
            await log_in(later, "anna", NEW_PASSWORD)
        assert (await stored(database, "anna")).email_confirmed_at is not None  # it arrived

    async def test_a_link_expires_after_an_hour(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        link = await reset_link_for(app, smtp_server, "anna@example.org")
        [token] = await tokens_of(database, resident)
        assert token.expires_at - token.created_at == timedelta(hours=1)
        async with database.transaction() as session:  # an hour and a minute later
            moved = await session.get(MailToken, token.id)
            assert moved is not None
            moved.created_at -= timedelta(minutes=61)
            moved.expires_at -= timedelta(minutes=61)
        assert (await client.get(link)).status_code == 404
        assert (await choose_password(client, link)).status_code == 404
        async with browser_for(app) as browser:
            await log_in(browser, "anna")  # the password stayed

    async def test_using_one_link_voids_the_others_and_a_change_that_waits(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        await log_in(client, "anna")  # someone who borrowed the session asks for a new address
        form = {"email": "indringer@example.net", "current_password": PASSWORD}
        assert (await post_form(client, "/settings", "/settings/email", form)).status_code == 303
        first = await reset_link_for(app, smtp_server, "anna@example.org")
        second = await reset_link_for(app, smtp_server, "anna")
        assert first != second
        async with browser_for(app) as owner:
            assert (await choose_password(owner, second)).status_code == 303
            assert (await choose_password(owner, first)).status_code == 404
        change = link_in(smtp_server.only_to("indringer@example.net"))
        async with browser_for(app) as intruder:
            assert (await post_form(intruder, change, change, {})).status_code == 404
        assert (await stored(database, "anna")).email == "anna@example.org"

    async def test_changing_the_password_in_settings_voids_a_link_mailed_before(
        self, app: Starlette, client: httpx.AsyncClient, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        link = await reset_link_for(app, smtp_server, "anna")
        await log_in(client, "anna")
        form = {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        }
        assert (await post_form(client, "/settings", "/settings/password", form)).status_code == 303
        async with browser_for(app) as reader:  # of the mailbox, later
            assert (await choose_password(reader, link, "een ander wachtwoord")).status_code == 404
        async with browser_for(app) as owner:
            await log_in(owner, "anna", NEW_PASSWORD)

    async def test_the_password_rules_are_those_of_every_password_form(
        self, app: Starlette, client: httpx.AsyncClient, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        link = await reset_link_for(app, smtp_server, "anna@example.org")
        weak = await choose_password(client, link, "kort")
        assert weak.status_code == 400 and "Gebruik minstens 10 tekens." in weak.text
        named = await choose_password(client, link, "anna is de beste buur")
        assert named.status_code == 400
        different = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "!"}
        mismatch = await post_form(client, link, link, different)
        assert mismatch.status_code == 400 and "De twee wachtwoorden zijn niet hetzelfde" in (
            mismatch.text
        )
        assert (await choose_password(client, link)).status_code == 303  # still usable

    async def test_the_client_address_has_a_budget_that_shows(
        self, app: Starlette, client: httpx.AsyncClient, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        for number in range(password_reset.REQUESTS_PER_ADDRESS):
            assert (await ask_for_reset(client, f"iemand{number}")).status_code == 303
        refused = await ask_for_reset(client, "anna")
        assert refused.status_code == 429 and "Wacht even" in refused.text
        assert int(refused.headers["Retry-After"]) > 0
        await run_queue(app)
        assert smtp_server.received == []

    async def test_the_account_has_a_budget_that_does_not_show(
        self, app: Starlette, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        answers = set()
        for _ in range(password_reset.REQUESTS_PER_ACCOUNT + 2):
            async with browser_for(app) as browser:  # from addresses that all have room
                response = await ask_for_reset(browser, "anna")
                answers.add((response.status_code, response.headers["location"]))
        assert answers == {(303, "/password/forgotten?sent=1")}
        await run_queue(app)
        assert len(smtp_server.to("anna@example.org")) == password_reset.REQUESTS_PER_ACCOUNT

    async def test_a_suspended_resident_sets_a_password_but_stays_suspended(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        async with database.transaction() as session:
            (await row_of(session, resident)).status = AccountStatus.SUSPENDED
        link = await reset_link_for(app, smtp_server, "anna@example.org")
        done = await choose_password(client, link)
        assert done.status_code == 200 and "Log in met uw nieuwe wachtwoord" in done.text
        assert "buurtnet_session" not in done.headers.get("set-cookie", "")
        assert (await client.get("/settings")).status_code == 303
        login = await post_form(
            client, "/login", "/login", {"login_name": "anna", "password": NEW_PASSWORD}
        )
        assert login.status_code != 303 and "geschorst" in login.text

    async def test_a_deleted_account_gets_nothing(
        self, app: Starlette, database: Database, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        async with database.transaction() as session:
            await delete_account(session, await row_of(session, resident))
        async with browser_for(app) as browser:
            for name in ("anna", "anna@example.org", f"deleted-{resident.id}@invalid"):
                assert (await ask_for_reset(browser, name)).status_code == 303
        await run_queue(app)
        assert smtp_server.received == []

    async def test_deleting_an_account_removes_its_links(
        self, app: Starlette, database: Database, resident: Account, smtp_server: SmtpCatcher
    ) -> None:
        await reset_link_for(app, smtp_server, "anna@example.org")
        async with database.transaction() as session:
            await delete_account(session, await row_of(session, resident))
        assert await tokens_of(database, resident) == []


@pytest.mark.parametrize("status", list(AccountStatus))
async def test_both_kinds_of_link_work_for_the_same_accounts(
    database: Database, resident: Account, status: AccountStatus
) -> None:
    """A suspended or waiting resident may confirm and reset; a deleted or refused one neither."""
    async with database.transaction() as session:
        row = await row_of(session, resident)
        row.status = status
        assert row.id is not None and row.email
        confirm, reset = [
            await mail_tokens.issue(session, row.id, purpose, row.email, timedelta(hours=1))
            for purpose in (MailTokenPurpose.CONFIRM, MailTokenPurpose.RESET)
        ]
    works = []
    async with database.transaction() as session:
        for use, token in [(email_addresses.confirm, confirm), (password_reset.usable_link, reset)]:
            try:
                await use(session, token)
                works.append(True)
            except NotFound:
                works.append(False)
    may = status in (AccountStatus.ACTIVE, AccountStatus.PENDING, AccountStatus.SUSPENDED)
    assert works == [may, may]


class TestAnAdminSendsALink:
    async def test_the_link_goes_to_the_residents_address_and_the_log_keeps_it(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        neighbourhood: Neighbourhood,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        admin = await make_account(database, "beheer", role=Role.ADMIN, neighbourhood=neighbourhood)
        await log_in(client, "beheer")
        assert 'href="/admin/password-reset"' in (await client.get("/admin")).text
        form = {"username": "@Anna"}
        response = await post_form(client, "/admin/password-reset", "/admin/password-reset", form)
        assert response.status_code == 303
        assert "e-mailadres van anna" in (await client.get(response.headers["location"])).text
        await run_queue(app)
        message = smtp_server.only_to("anna@example.org")
        assert "Een beheerder van Buurtnet heeft u deze link gestuurd" in text_of(message)
        assert smtp_server.to("beheer@example.org") == []
        async with database.reading() as session:
            [entry] = (await session.exec(select(ModerationAction))).all()
        assert entry.kind == ActionKind.SEND_PASSWORD_RESET
        assert (entry.moderator_id, entry.target_account_id) == (admin.id, resident.id)
        assert not entry.public
        audit = await client.get("/admin/audit")
        assert "Link voor nieuw wachtwoord gestuurd" in audit.text
        async with browser_for(app) as resident_browser:
            assert (await choose_password(resident_browser, link_in(message))).status_code == 303

    @pytest.mark.parametrize("username", ["niemand", "", "x" * 10_000, "bob@remote.example"])
    async def test_an_unknown_name_is_a_clear_400_and_logs_nothing(
        self,
        client: httpx.AsyncClient,
        database: Database,
        neighbourhood: Neighbourhood,
        username: str,
    ) -> None:
        await make_account(database, "beheer", role=Role.ADMIN, neighbourhood=neighbourhood)
        await log_in(client, "beheer")
        form = {"username": username}
        response = await post_form(client, "/admin/password-reset", "/admin/password-reset", form)
        assert response.status_code == 400 and "error-summary" in response.text
        async with database.reading() as session:
            assert (await session.exec(select(ModerationAction))).all() == []

    async def test_residents_may_not(self, client: httpx.AsyncClient, resident: Account) -> None:
        await log_in(client, "anna")
        token = await csrf_token(client, "/settings")
        form = {"csrf_token": token, "username": "anna"}
        assert (await client.post("/admin/password-reset", data=form)).status_code == 403


class TestHostileInput:
    @pytest.mark.parametrize(
        "token", ["x", "a" * 43 + "!", "%00" * 10, "a" * 10_000, "../../etc/passwd", "a" * 43]
    )
    async def test_made_up_tokens_get_the_links_page_not_a_crash(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        await client.get("/login")  # a browser cookie, for the CSRF token
        for base in ("/password/reset/", "/email/confirm/"):
            assert (await client.get(base + token)).status_code == 404
            posted = await post_form(client, "/login", base + token, {"password": "x" * 20})
            assert posted.status_code == 404

    async def test_a_link_of_one_kind_opens_nothing_of_the_other(
        self,
        app: Starlette,
        client: httpx.AsyncClient,
        database: Database,
        resident: Account,
        smtp_server: SmtpCatcher,
    ) -> None:
        reset = await reset_link_for(app, smtp_server, "anna@example.org")
        async with database.transaction() as session:
            account = await row_of(session, resident)
            confirmation = await email_addresses.start_confirmation(session, account)
        reset_token = reset.rsplit("/", 1)[1]
        as_confirmation = f"/email/confirm/{reset_token}"
        as_reset = f"/password/reset/{confirmation.token}"
        assert (await client.get(as_confirmation)).status_code == 404
        assert (await post_form(client, "/login", as_confirmation, {})).status_code == 404
        assert (await client.get(as_reset)).status_code == 404
        assert (await choose_password(client, as_reset)).status_code == 404  # form of another page
        assert (await choose_password(client, reset)).status_code == 303

    async def test_a_very_long_name_gets_the_same_answer(
        self, client: httpx.AsyncClient, resident: Account
    ) -> None:
        for name in ("a" * 10_000 + "@example.org", "\x00anna", "anna\u202e"):
            response = await ask_for_reset(client, name)
            assert response.headers["location"] == "/password/forgotten?sent=1"

    async def test_a_form_without_its_csrf_token_is_refused(
        self, client: httpx.AsyncClient, resident: Account
    ) -> None:
        response = await client.post("/password/forgotten", data={"login_name": "anna"})
        assert response.status_code == 403


class TestTidyingAndAccountsAnAdminMade:
    async def test_housekeeping_removes_used_and_expired_links_only(
        self, database: Database, resident: Account
    ) -> None:
        assert resident.id is not None
        async with database.transaction() as session:
            tokens = [
                await mail_tokens.issue(
                    session,
                    resident.id,
                    MailTokenPurpose.RESET,
                    "anna@example.org",
                    timedelta(hours=1),
                )
                for _ in range(3)
            ]
            await mail_tokens.redeem(session, tokens[0], MailTokenPurpose.RESET)
            rows = (await session.exec(select(MailToken).order_by(col(MailToken.id)))).all()
            rows[1].expires_at = utcnow() - timedelta(seconds=1)
        async with database.transaction() as session:
            await housekeeping.tidy(session)
        [kept] = await tokens_of(database, resident)
        assert kept.id == rows[2].id

    async def test_demo_accounts_have_confirmed_addresses(self, database: Database) -> None:
        async with database.transaction() as session:
            await demo.create_demo(session, history=False)
        async with database.reading() as session:
            people = await session.exec(select(Account).where(col(Account.domain).is_(None)))
            assert all(person.email_confirmed_at for person in people.all())

    async def test_an_account_made_on_the_command_line_has_a_confirmed_address(
        self, database: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(NEW_PASSWORD + "\n"))
        arguments = argparse.Namespace(
            username="piet",
            email="piet@example.org",
            role="resident",
            neighbourhood=None,
            display_name="",
        )
        await cli.create_user(database, arguments)
        assert (await stored(database, "piet")).email_confirmed_at is not None

    async def test_a_sign_up_account_has_an_unconfirmed_address(self, resident: Account) -> None:
        assert resident.email_confirmed_at is None  # made like a sign-up: no admin vouched
