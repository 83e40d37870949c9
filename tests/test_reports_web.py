"""Reporting through the pages, and handling the report at /moderation, as people do."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import col
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    ModerationState,
    Neighbourhood,
    Notification,
    NotificationKind,
    Post,
    Report,
    ReportStatus,
    Visibility,
)
from buurtnet.moderation import reports
from tests.conftest import browser_for, log_in, post_form, write_post
from tests.moderation_kit import file, moderator, person_elsewhere, row, rows, second_neighbourhood

REASON = {"reason": "Schelden mag hier niet.", "category": "harassment"}


@pytest.fixture
async def mila(database: Database, neighbourhood: Neighbourhood) -> Account:
    return (await moderator(database, "mila", neighbourhood))[0]


@pytest.fixture
async def moderator_browser(app: Starlette, mila: Account) -> AsyncIterator[httpx.AsyncClient]:
    async with browser_for(app) as browser:
        await log_in(browser, "mila")
        yield browser


async def act(browser: httpx.AsyncClient, page: str, step: str, data: dict[str, str]) -> str:
    """A step on the report's page; the page it leads back to, with its confirmation."""
    done = await post_form(browser, page, f"{page}/{step}", data)
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith(page + "?done=")
    return (await browser.get(done.headers["location"])).text


async def test_a_report_from_the_form_to_its_outcome(
    client: httpx.AsyncClient,
    moderator_browser: httpx.AsyncClient,
    database: Database,
    resident: Account,
    neighbour: Account,
) -> None:
    post = await write_post(database, neighbour, "Jij bent een sukkel")
    await log_in(client, "anna")
    link = f"/report/{neighbour.id}?post={post.id}"
    assert link in (await client.get(f"/posts/{post.id}")).text
    form = (await client.get(link)).text
    assert "krijgt niet te horen wie" in form and "moderators van Vogelwijk" in form
    assert re.search(rf'value="{post.id}"[^>]*checked', form)
    sent = await post_form(
        client,
        link,
        f"/report/{neighbour.id}",
        {"category": "harassment", "comment": "Al de derde keer", "post": str(post.id)},
    )
    assert sent.status_code == 303
    assert "Bedankt" in (await client.get(sent.headers["location"])).text

    queue = (await moderator_browser.get("/moderation")).text
    report = (await rows(database, Report))[0]
    assert f"/moderation/reports/{report.id}" in queue
    assert "Intimidatie" in queue and "@bram" in queue and "anna" in queue
    page = f"/moderation/reports/{report.id}"
    shown = (await moderator_browser.get(page)).text
    assert "Jij bent een sukkel" in shown and "Al de derde keer" in shown
    after = await act(moderator_browser, page, f"posts/{post.id}/remove", REASON)
    assert "verwijderd" in after
    assert (await row(database, Post, post.id)).moderation == ModerationState.REMOVED
    await act(moderator_browser, page, "close", {"decision": "resolved", "outcome": "Opgelost"})
    closed = await row(database, Report, report.id)
    assert (closed.status, closed.outcome) == (ReportStatus.RESOLVED, "Opgelost")
    told = await rows(database, Notification, col(Notification.recipient_id) == resident.id)
    assert [(n.kind, n.report_id) for n in told] == [(NotificationKind.REPORT_CLOSED, report.id)]
    assert (await client.get("/notifications")).status_code == 200
    assert "Intimidatie" in (await moderator_browser.get("/moderation?status=resolved")).text


async def test_bad_reports_get_a_message_or_not_found(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write_post(database, neighbour, "Hallo")
    hidden = await write_post(database, neighbour, "Voor volgers", visibility=Visibility.FOLLOWERS)
    await log_in(client, "anna")
    page = f"/report/{neighbour.id}"
    wrong = await post_form(client, page, page, {"category": "boos", "post": str(post.id)})
    assert wrong.status_code == 400
    assert "Kies wat er mis is." in wrong.text
    assert re.search(rf'value="{post.id}"[^>]*checked', wrong.text)
    for bad in (f"{page}?post={hidden.id}", f"{page}?post=x", "/report/999999", "/report/x"):
        assert (await client.get(bad)).status_code == 404, bad
    assert (await client.get(f"/report/{resident.id}")).status_code == 404
    for post_id in (str(hidden.id), "abc"):
        refused = await post_form(client, page, page, {"category": "spam", "post": post_id})
        assert refused.status_code == 404
    assert await rows(database, Report) == []


async def test_the_report_links_are_on_others_posts_and_profiles_only(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    bob, _note = await person_elsewhere(database)
    own = await write_post(database, resident, "Van mij")
    await log_in(client, "anna")
    assert "/report/" not in (await client.get(f"/posts/{own.id}")).text
    assert f'href="/report/{neighbour.id}"' in (await client.get("/@bram")).text
    assert f'href="/report/{bob.id}"' in (await client.get("/@bob@ver.example")).text
    assert "/report/" not in (await client.get("/@anna")).text
    form = (await client.get(f"/report/{bob.id}")).text
    assert "Koop nu goedkope horloges" in form and "zonder uw naam" in form


async def test_only_moderators_of_the_neighbourhood_see_the_pages(
    app: Starlette,
    database: Database,
    resident: Account,
    neighbour: Account,
    mila: Account,
) -> None:
    post = await write_post(database, neighbour, "Hallo")
    report_id = await file(database, resident, neighbour, post)
    page = f"/moderation/reports/{report_id}"
    await moderator(database, "otto", await second_neighbourhood(database))
    for name, pages in (("anna", ("/moderation", "/moderation/held", page)), ("otto", (page,))):
        async with browser_for(app) as browser:
            await log_in(browser, name)
            for path in pages:
                assert (await browser.get(path)).status_code == 403, (name, path)
            for step in ("take", f"posts/{post.id}/remove", "warn", "close"):
                refused = await post_form(browser, "/settings", f"{page}/{step}", REASON)
                assert refused.status_code == 403, (name, step)
            if name == "otto":
                assert "@bram" not in (await browser.get("/moderation")).text
    assert (await row(database, Post, post.id)).moderation is None


async def test_a_moderator_neither_handles_nor_sees_who_reported_them(
    client: httpx.AsyncClient, database: Database, resident: Account, mila: Account
) -> None:
    report_id = await file(database, resident, mila)
    page = f"/moderation/reports/{report_id}"
    await log_in(client, "mila")
    hidden = await client.get(page)
    assert hidden.status_code == 404 and "anna" not in hidden.text
    assert f'href="{page}"' not in (await client.get("/moderation")).text
    refused = await post_form(client, "/moderation", f"{page}/warn", REASON)
    assert refused.status_code == 404


async def test_measures_on_the_person_from_the_report(
    moderator_browser: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    report_id = await file(database, resident, neighbour)
    page = f"/moderation/reports/{report_id}"
    taken = await act(moderator_browser, page, "take", {})
    assert "opgepakt" in taken
    await act(moderator_browser, page, "notes", {"note": "Bekende van ons"})
    await act(moderator_browser, page, "warn", REASON)
    limited = await act(moderator_browser, page, "limit", REASON)
    assert "Beperkt" in limited
    await act(moderator_browser, page, "suspend", {**REASON, "length": "7"})
    suspended = await row(database, Account, neighbour.id)
    assert suspended.status == AccountStatus.SUSPENDED and suspended.suspended_until is not None
    await act(moderator_browser, page, "lift", REASON)
    back = (await moderator_browser.get(page)).text
    assert "Bekende van ons" in back and "Gewaarschuwd" in back and "Geschorst" in back
    assert (await row(database, Account, neighbour.id)).status == AccountStatus.ACTIVE


async def test_a_step_with_bad_input_shows_the_page_again_with_its_message(
    moderator_browser: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write_post(database, neighbour, "Hallo")
    report_id = await file(database, resident, neighbour, post)
    page = f"/moderation/reports/{report_id}"
    for step, data, message in (
        (f"posts/{post.id}/remove", {"reason": " ", "category": "spam"}, "Vul een reden in"),
        ("suspend", {**REASON, "length": "365"}, "Kies hoe lang"),
        ("close", {"outcome": "Klaar"}, "afgehandeld of afgewezen"),
        ("notes", {"note": ""}, "Schrijf eerst een notitie"),
        ("forward", {}, "niet op een andere server"),
    ):
        refused = await post_form(moderator_browser, page, f"{page}/{step}", data)
        assert refused.status_code == 400, step
        assert message in refused.text, step
    assert (await row(database, Post, post.id)).moderation is None
    missing = await post_form(moderator_browser, page, f"{page}/posts/999999/remove", REASON)
    assert missing.status_code == 404


async def test_forwarding_a_report_about_someone_elsewhere(
    moderator_browser: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    bob, note = await person_elsewhere(database)
    report_id = await file(database, resident, bob, note)
    page = f"/moderation/reports/{report_id}"
    shown = (await moderator_browser.get(page)).text
    assert "naam van de melder wordt niet meegestuurd" in shown
    done = await act(moderator_browser, page, "forward", {})
    assert "doorgestuurd" in done
    assert (await row(database, Report, report_id)).forwarded_at is not None


async def test_held_posts_are_let_through_or_removed(
    moderator_browser: httpx.AsyncClient, database: Database, neighbour: Account
) -> None:
    held = [await write_post(database, neighbour, text) for text in ("Eerste", "Tweede")]
    async with database.transaction() as session:
        for post in held:
            found = await session.get(Post, post.id)
            assert found is not None
            found.moderation = ModerationState.HELD
    page = "/moderation/held"
    listed = (await moderator_browser.get(page)).text
    assert "Eerste" in listed and "Tweede" in listed
    assert '<span class="badge">2</span>' in (await moderator_browser.get("/moderation")).text
    first, second = (f"{page}/{post.id}" for post in held)
    assert (await post_form(moderator_browser, page, f"{first}/approve", {})).status_code == 303
    assert (await row(database, Post, held[0].id)).moderation is None
    refused = await post_form(moderator_browser, page, f"{second}/remove", {"reason": ""})
    assert refused.status_code == 400 and "Vul een reden in" in refused.text
    removed = await post_form(moderator_browser, page, f"{second}/remove", REASON)
    assert removed.status_code == 303
    assert (await row(database, Post, held[1].id)).moderation == ModerationState.REMOVED
    assert "Geen berichten" in (await moderator_browser.get(page)).text


async def test_a_post_marked_sensitive_is_folded(
    moderator_browser: httpx.AsyncClient,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    neighbour: Account,
) -> None:
    post = await write_post(database, neighbour, "Een naar plaatje")
    report_id = await file(database, resident, neighbour, post)
    page = f"/moderation/reports/{report_id}"
    await act(moderator_browser, page, f"posts/{post.id}/sensitive", REASON)
    await log_in(client, "anna")
    shown = (await client.get(f"/posts/{post.id}")).text
    assert re.search(r"<summary>Gevoelige inhoud", shown)


async def test_a_report_from_another_server_shows_the_server_not_a_person(
    moderator_browser: httpx.AsyncClient, database: Database, neighbour: Account
) -> None:
    post = await write_post(database, neighbour, "Hallo", visibility=Visibility.PUBLIC)
    async with database.transaction() as session:
        flagged = await reports.file_flag(
            session,
            uri="https://ver.example/flags/1",
            reporter_domain="ver.example",
            target=neighbour,
            reported=[post],
            comment="Spam",
        )
    assert flagged is not None
    queue = (await moderator_browser.get("/moderation")).text
    assert "server ver.example" in queue
    page = (await moderator_browser.get(f"/moderation/reports/{flagged.id}")).text
    assert "server ver.example" in page and "niemand hier hoort" in page.lower()
