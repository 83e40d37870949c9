"""The privacy statement, the house rules and the contact page: their defaults, the admin's
editor, what their Markdown may become, the links at the foot of every page, and the house rules
accepted at sign-up."""

import re

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet import page_markdown, sanitise
from buurtnet.core import invites
from buurtnet.core.accounts import SUPPORTED_LOCALES
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ActionKind,
    Duty,
    InviteCode,
    ModerationAction,
    Neighbourhood,
    Role,
    SitePage,
    SitePageSlug,
)
from buurtnet.moderation import site_pages
from buurtnet.web.site_pages import default_text
from tests.conftest import browser_for, csrf_token, log_in, make_account, post_form

EDITOR = "/admin/pages/privacy"
OUR_TEXT = "# Wie wij zijn\n\nWoonstichting De Linde, [mail ons](mailto:privacy@delinde.nl)."


@pytest.fixture
async def admin(database: Database) -> Account:
    return await make_account(database, "beheer", role=Role.ADMIN)


async def audit_reasons(database: Database) -> list[str]:
    async with database.reading() as session:
        found = await session.exec(
            select(ModerationAction.reason).where(
                col(ModerationAction.kind) == ActionKind.CHANGE_SETTING
            )
        )
        return list(found.all())


async def stored_body(database: Database, slug: SitePageSlug) -> str | None:
    async with database.reading() as session:
        page = await session.get(SitePage, slug.value)
        return None if page is None else page.body


# ------------------------------------------------------------------ what Markdown may become


def test_raw_html_and_scripts_stay_text() -> None:
    html = page_markdown.render_markdown(
        'Hallo <script>alert(1)</script> <b onclick="x()">vet</b>\n\n<iframe src="https://x.nl">'
    )
    assert "<script" not in html and "<b" not in html and "<iframe" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[klik](javascript:alert(1))",
        "[klik](JaVaScRiPt:alert(1))",
        "[klik](java\tscript:alert(1))",
        "[klik](data:text/html,<script>alert(1)</script>)",
        "[klik](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
    ],
)
def test_links_that_would_run_code_are_not_links(link: str) -> None:
    assert "<a" not in page_markdown.render_markdown(link)


def test_links_get_nofollow_noopener_and_mail_and_phone_links_stay() -> None:
    html = page_markdown.render_markdown(
        "[site](https://delinde.nl) [mail](mailto:a@delinde.nl) [bel](tel:0201234567) "
        "[regels](/house-rules)"
    )
    links = re.findall(r"<a [^>]*>", html)
    assert len(links) == 4
    assert all('rel="nofollow noopener noreferrer"' in link for link in links)
    for href in ("https://delinde.nl", "mailto:a@delinde.nl", "tel:0201234567", "/house-rules"):
        assert f'href="{href}"' in html


def test_images_load_nothing_from_elsewhere() -> None:
    html = page_markdown.render_markdown("![logo](https://tracker.example/pixel.png)")
    assert "<img" not in html and "src=" not in html
    assert "logo" in html  # the text stays, as a link one may follow


def test_headings_start_below_the_pages_title() -> None:
    html = page_markdown.render_markdown("# Een\n\n## Twee\n\n###### Zes")
    assert "<h1" not in html
    assert "<h2>Een</h2>" in html and "<h3>Twee</h3>" in html and "<h6>Zes</h6>" in html


def test_the_page_allow_list_is_the_sanitisers_with_headings() -> None:
    dirty = (
        '<h1>Titel</h1><h2 style="color:red">Kop</h2><img src="https://x.nl/a.png">'
        '<a href="javascript:alert(1)">x</a><a href="mailto:a@b.nl">m</a><script>boo()</script>'
    )
    assert sanitise.page(dirty) == (
        'Titel<h2>Kop</h2>x<a href="mailto:a@b.nl" rel="nofollow noopener noreferrer">m</a>'
    )
    # Posts keep the narrower list: no headings, no mail links.
    assert "<h2" not in sanitise.sanitise(dirty) and "mailto" not in sanitise.sanitise(dirty)


# ------------------------------------------------------------------ the pages and their defaults


def test_every_page_has_a_default_in_every_language() -> None:
    for slug in SitePageSlug:
        for locale in SUPPORTED_LOCALES:
            assert default_text(slug, locale).strip(), (slug, locale)


async def test_the_default_is_shown_until_the_admin_writes_one(client: httpx.AsyncClient) -> None:
    page = await client.get("/privacy")
    assert page.status_code == 200
    assert "<h1>Privacyverklaring</h1>" in page.text
    assert "Wie is verantwoordelijk?</h2>" in page.text
    assert "Laatst gewijzigd" not in page.text
    english = await client.get("/house-rules", headers={"Accept-Language": "en"})
    assert "<h1>House rules</h1>" in english.text and "Be kind</h2>" in english.text
    contact = await client.get("/contact")
    assert "<h1>Contact</h1>" in contact.text and "112" in contact.text


async def test_every_page_links_the_three_pages_at_its_foot(
    client: httpx.AsyncClient, resident: Account
) -> None:
    paths = ["/login", "/register", "/privacy", "/nope"]
    for path in paths:
        footer = (await client.get(path)).text.split('<footer class="site-footer">')[1]
        for link in ("/privacy", "/house-rules", "/contact"):
            assert f'href="{link}"' in footer, (path, link)
    await log_in(client, "anna")
    footer = (await client.get("/")).text.split('<footer class="site-footer">')[1]
    assert 'href="/house-rules"' in footer


# ------------------------------------------------------------------ the admin's editor


async def test_the_admin_writes_a_page_and_it_is_in_the_audit_log(
    client: httpx.AsyncClient, database: Database, admin: Account
) -> None:
    await log_in(client, "beheer")
    editor = await client.get(EDITOR)
    assert editor.status_code == 200
    assert "Wie is verantwoordelijk?" in editor.text  # the default, to start from
    saved = await post_form(client, EDITOR, EDITOR, {"body": OUR_TEXT, "action": "save"})
    assert (saved.status_code, saved.headers["location"]) == (303, f"{EDITOR}?saved=1")
    page = await client.get("/privacy")
    assert "<h2>Wie wij zijn</h2>" in page.text
    assert '<a href="mailto:privacy@delinde.nl" rel="nofollow noopener noreferrer">' in page.text
    assert "Laatst gewijzigd op" in page.text
    assert "Wie is verantwoordelijk?" not in page.text
    assert await audit_reasons(database) == [f"site_page=privacy, {len(OUR_TEXT)} characters"]

    # The same text again changes nothing; an empty one brings the default back.
    await post_form(client, EDITOR, EDITOR, {"body": OUR_TEXT + "\r\n", "action": "save"})
    assert len(await audit_reasons(database)) == 1
    await post_form(client, EDITOR, EDITOR, {"body": "  ", "action": "save"})
    assert "Wie is verantwoordelijk?" in (await client.get("/privacy")).text
    assert len(await audit_reasons(database)) == 2


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_a_default_saved_unchanged_stays_the_default_in_every_language(
    client: httpx.AsyncClient, database: Database, admin: Account, locale: str
) -> None:
    await log_in(client, "beheer")
    as_sent = default_text(SitePageSlug.PRIVACY, locale).replace("\n", "\r\n") + "\r\n"
    saved = await post_form(client, EDITOR, EDITOR, {"body": as_sent, "action": "save"})
    assert saved.status_code == 303
    assert await stored_body(database, SitePageSlug.PRIVACY) is None
    assert await audit_reasons(database) == []
    english = await client.get("/privacy", headers={"Accept-Language": "en"})
    assert "Laatst gewijzigd" not in english.text and "Last changed" not in english.text


async def test_a_preview_shows_the_page_and_saves_nothing(
    client: httpx.AsyncClient, database: Database, admin: Account
) -> None:
    await log_in(client, "beheer")
    preview = await post_form(client, EDITOR, EDITOR, {"body": OUR_TEXT, "action": "preview"})
    assert preview.status_code == 200
    assert "<h2>Wie wij zijn</h2>" in preview.text  # rendered
    assert "# Wie wij zijn" in preview.text  # and still in the text field
    assert await stored_body(database, SitePageSlug.PRIVACY) is None
    assert await audit_reasons(database) == []


async def test_a_text_that_is_too_long_comes_back_with_a_clear_error(
    client: httpx.AsyncClient, database: Database, admin: Account
) -> None:
    await log_in(client, "beheer")
    longest = "a" * site_pages.MAX_BODY
    response = await post_form(client, EDITOR, EDITOR, {"body": longest + "b", "action": "save"})
    assert response.status_code == 400
    assert "De tekst is te lang. Gebruik maximaal 50.000 tekens." in response.text
    assert longest + "b</textarea>" in response.text  # all of it, to cut
    assert await stored_body(database, SitePageSlug.PRIVACY) is None
    response = await post_form(client, EDITOR, EDITOR, {"body": longest, "action": "save"})
    assert response.status_code == 303
    assert await stored_body(database, SitePageSlug.PRIVACY) == longest


@pytest.mark.parametrize("person", ["visitor", "anna", "mees"])
async def test_only_admins_edit_the_pages(
    app: Starlette, database: Database, neighbourhood: Neighbourhood, admin: Account, person: str
) -> None:
    await make_account(database, "anna", neighbourhood=neighbourhood)
    await make_account(database, "mees", neighbourhood=neighbourhood, duty=Duty.MODERATOR)
    async with browser_for(app) as browser:
        if person != "visitor":
            await log_in(browser, person)
        token = await csrf_token(browser, "/login" if person == "visitor" else "/settings")
        page = await browser.get(EDITOR)
        sent = await browser.post(EDITOR, data={"csrf_token": token, "body": "Van mij."})
        expected = 303 if person == "visitor" else 403  # a visitor is sent to log in
        assert (page.status_code, sent.status_code) == (expected, expected)
        assert 'href="/admin/pages/privacy"' not in (await browser.get("/privacy")).text
    assert await stored_body(database, SitePageSlug.PRIVACY) is None


async def test_an_unknown_page_is_not_found(client: httpx.AsyncClient, admin: Account) -> None:
    await log_in(client, "beheer")
    assert (await client.get("/admin/pages/cookies")).status_code == 404
    assert 'href="/admin/pages/privacy"' in (await client.get("/privacy")).text


# ------------------------------------------------------------------ the house rules at sign-up

NEW_PERSON = {
    "username": "Bram_J",
    "email": "bram@example.org",
    "password": "fietsen langs de gracht",
    "password_again": "fietsen langs de gracht",
}


@pytest.fixture
async def invite(database: Database, neighbourhood: Neighbourhood) -> InviteCode:
    director = await make_account(database, "dirk", duty=Duty.DIRECTOR, neighbourhood=neighbourhood)
    async with database.transaction() as session:
        return await invites.create_invite(session, neighbourhood, director, max_uses=1)


async def new_account(database: Database) -> Account | None:
    async with database.reading() as session:
        found = await session.exec(select(Account).where(Account.username == "Bram_J"))
        return found.first()


async def test_sign_up_needs_the_house_rules_accepted(
    client: httpx.AsyncClient, database: Database, invite: InviteCode
) -> None:
    form_page = f"/register?code={invite.code}"
    page = await client.get(form_page)
    assert 'href="/house-rules"' in page.text and 'href="/privacy"' in page.text
    assert 'type="checkbox" id="accept_rules" name="accept_rules" value="yes" required' in page.text

    person = {**NEW_PERSON, "invite_code": invite.code}
    refused = await post_form(client, form_page, "/register", person)
    assert refused.status_code == 400
    assert '<a href="#accept_rules">Vink het vakje aan om de huisregels te accepteren.</a>' in (
        refused.text
    )
    assert 'aria-describedby="accept_rules-hint accept_rules-error" aria-invalid="true"' in (
        refused.text
    )
    assert await new_account(database) is None
    async with database.reading() as session:
        code = await session.get(InviteCode, invite.id)
    assert code is not None and code.use_count == 0

    accepted = await post_form(client, form_page, "/register", {**person, "accept_rules": "yes"})
    assert accepted.status_code == 303
    account = await new_account(database)
    assert account is not None and account.rules_accepted_at is not None


async def test_a_ticked_box_stays_ticked_when_another_field_is_wrong(
    client: httpx.AsyncClient, invite: InviteCode
) -> None:
    form_page = f"/register?code={invite.code}"
    wrong = {**NEW_PERSON, "invite_code": invite.code, "accept_rules": "yes", "email": "geen"}
    response = await post_form(client, form_page, "/register", wrong)
    assert response.status_code == 400
    assert re.search(r'id="accept_rules"[^>]* checked', response.text)
