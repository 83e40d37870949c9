"""Every form of e-mail, search, the welcome, pins, help marks, the admin's pages and the
liveability instrument (survey periods, figures, partners' keys), filled with hostile values:
each answer is a page or a 4xx, never a 500, and the site keeps working.

The forms are read from the pages themselves, as a browser would see them, so a field added later
is fuzzed too. Forms that end the session or delete the account are left out: they would stop
the sweep, and have their own tests.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from buurtnet.core import neighbourhoods
from buurtnet.db import Database
from buurtnet.mail.unsubscribe import Topic, unsubscribe_path
from buurtnet.models import (
    Account,
    Duty,
    Neighbourhood,
    PostKind,
    Role,
    RoleGrant,
    Visibility,
)
from tests.conftest import browser_for, log_in, make_account, write_post

NASTY = [
    "",
    "\x00",
    "a" * 10_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"unbalanced',
    "fiets* NEAR(a b) title:x ^-()",
    "\u202e\u200b",
    "9" * 30,
    "-1",
    "2026-13-45",
    "../../settings/delete",
]
LEFT_OUT = ("/logout", "/settings/delete", "/settings/avatar/remove")
FIELDS = ("input", "select", "textarea")  # photos (type=file) have their own hostile tests


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name: the value the page gave


class FormReader(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = named.get("action") or self.page
            self.forms.append(Form(action, named.get("method", "get").lower()))
        elif tag in FIELDS and self.forms and named.get("name") and named.get("type") != "file":
            self.forms[-1].fields[named["name"]] = named.get("value", "")


def forms_on(page: str, html: str) -> list[Form]:
    reader = FormReader(urlsplit(page).path)
    reader.feed(html)
    return [form for form in reader.forms if not form.action.startswith(LEFT_OUT)]


@pytest.fixture
async def pages(database: Database, neighbourhood: Neighbourhood) -> list[str]:
    """The pages whose forms are fuzzed, as an admin who directs Vogelwijk and a second
    neighbourhood sees them (so the composer asks which one), with Vogelwijk's streets listed
    (so the welcome asks which one)."""
    boss = await make_account(
        database, "beheer", role=Role.ADMIN, neighbourhood=neighbourhood, duty=Duty.DIRECTOR
    )
    assert boss.id is not None
    async with database.transaction() as session:
        other = await neighbourhoods.create_neighbourhood(session, "zonnewijk", "Zonnewijk")
        assert other.id is not None
        session.add(RoleGrant(account_id=boss.id, neighbourhood_id=other.id, duty=Duty.DIRECTOR))
        listed = await session.get(Neighbourhood, neighbourhood.id)
        assert listed is not None
        listed.places = "Merelstraat\nLijsterlaan"
    request = await write_post(
        database, boss, "Wie kan mijn fiets maken?", kind=PostKind.HELP_REQUEST,
        visibility=Visibility.PUBLIC,
    )  # fmt: skip
    return [
        "/password/forgotten",
        "/password/reset/not-a-token",
        "/email/confirm/not-a-token",
        "/settings",
        "/settings/email",
        "/welcome",
        f"/n/{neighbourhood.slug}/places",
        f"/posts/{request.id}",
        f"/posts/{request.id}/pin",
        "/admin/password-reset",
        "/admin/pages/privacy",
        "/admin/mail",
        unsubscribe_path("test-secret-key-" + "x" * 32, boss.id, Topic.DIGEST),
        "/search?q=fiets",
        "/posts/new",
        # The liveability instrument's forms (issue 16): survey periods, figures, partners.
        f"/n/{neighbourhood.slug}/survey",
        f"/n/{neighbourhood.slug}/figures-settings",
        f"/dashboard/{neighbourhood.slug}/export",
        "/admin/partners",
        "/admin/cbs-import",
        "/survey",
    ]


async def test_hostile_values_in_every_form_give_an_answer_never_a_500(
    app: Starlette, pages: list[str]
) -> None:
    async with browser_for(app) as admin:
        await log_in(admin, "beheer")
        for page in pages:
            shown = await admin.get(page)
            assert shown.status_code < 500, page
            for form in forms_on(page, shown.text):
                for value in NASTY:
                    filled = {
                        name: (given if name == "csrf_token" else value)
                        for name, given in form.fields.items()
                    }
                    answer = await send(admin, form, filled)
                    assert answer.status_code < 500, (page, form.action, value[:40])
        assert (await admin.get("/")).status_code == 200  # still logged in, still working


async def send(browser: httpx.AsyncClient, form: Form, filled: dict[str, str]) -> httpx.Response:
    if form.method == "post":
        return await browser.post(form.action, data=filled)
    return await browser.get(form.action, params=filled)


async def test_hostile_search_queries_never_give_a_500(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    for query in [*NASTY, "NEAR", '"', "*", ":", "fiets OR", "AND", "(", ")"]:
        answer = await client.get("/search", params={"q": query})
        assert answer.status_code in (200, 400), query


def test_the_reader_finds_the_fields_of_a_form() -> None:
    [form] = forms_on(
        "/x",
        '<form method="post" action="/y"><input name="a" value="1"><input type="file" name="f">'
        '<select name="s"></select><textarea name="t"></textarea></form>'
        '<form method="post" action="/logout"><button>Uit</button></form>',
    )
    assert (form.action, form.method, form.fields) == ("/y", "post", {"a": "1", "s": "", "t": ""})
