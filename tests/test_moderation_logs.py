"""The admins' audit log (every action, filtered and paged) and each neighbourhood's public log
(what kind of thing was done and why, never who, whom or the text)."""

import re
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette

from buurtnet.core import neighbourhoods
from buurtnet.db import Database
from buurtnet.models import ActionKind, Duty, Neighbourhood, Role
from buurtnet.moderation import actions, audit, reports
from tests.conftest import browser_for, log_in, make_account, write_post
from tests.test_appeals import MEASURE, REMOVED_TEXT, moderate

OLDER = re.compile(r'href="(/admin/audit\?[^"]*before=\d+)"')
LIMIT_REASON = "Te veel reclame in de buurt."


@dataclass(frozen=True)
class World:
    vogelwijk: Neighbourhood
    dorp: Neighbourhood
    removal_post_id: int


@pytest.fixture
async def world(database: Database, neighbourhood: Neighbourhood) -> World:
    """In de Vogelwijk bram reports a post of anna, which mara removes; in Dorp olga limits
    dirk. Cor lives in the Vogelwijk too, and ada is the admin."""
    async with database.transaction() as session:
        dorp = await neighbourhoods.create_neighbourhood(session, "dorp", "Dorp")
    anna = await make_account(database, "anna", neighbourhood=neighbourhood)
    bram = await make_account(database, "bram", neighbourhood=neighbourhood)
    await make_account(database, "cor", neighbourhood=neighbourhood)
    mara = await make_account(database, "mara", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    dirk = await make_account(database, "dirk", neighbourhood=dorp)
    olga = await make_account(database, "olga", duty=Duty.MODERATOR, neighbourhood=dorp)
    await make_account(database, "ada", role=Role.ADMIN)
    post = await write_post(database, anna, REMOVED_TEXT)
    assert post.id is not None and anna.id is not None and dirk.id is not None
    post_id, dirk_id = post.id, dirk.id
    async with database.transaction() as session:
        draft = reports.ReportDraft("harassment", "Dit gaat te ver.", (post_id,))
        report = await reports.file_report(session, bram, anna.id, draft)
    measure = actions.Measure(MEASURE.reason, MEASURE.category, report.id)
    await moderate(database, mara, lambda s, m, r: actions.remove_post(s, m, r, post_id, measure))
    spam = actions.Measure(LIMIT_REASON, "spam")
    await moderate(database, olga, lambda s, m, r: actions.limit(s, m, r, dirk_id, spam))
    return World(neighbourhood, dorp, post_id)


async def page_of(app: Starlette, username: str, path: str) -> httpx.Response:
    async with browser_for(app) as browser:
        await log_in(browser, username)
        return await browser.get(path)


async def test_admins_read_and_filter_the_audit_log(app: Starlette, world: World) -> None:
    everything = await page_of(app, "ada", "/admin/audit")
    assert everything.status_code == 200
    for shown in ("Bericht verwijderd", "@mara", "@anna", MEASURE.reason, "Vogelwijk"):
        assert shown in everything.text, shown
    for shown in ("Account beperkt", "@olga", "@dirk", LIMIT_REASON, "Dorp"):
        assert shown in everything.text, shown
    assert 'href="/admin/audit"' in (await page_of(app, "ada", "/admin")).text

    filters = {
        "kind=limit": LIMIT_REASON,
        "moderator=mara": MEASURE.reason,
        "moderator=%40olga": LIMIT_REASON,
        f"neighbourhood={world.dorp.id}": LIMIT_REASON,
        "person=anna": MEASURE.reason,
        "person=DIRK": LIMIT_REASON,
    }
    for query, wanted in filters.items():
        narrowed = (await page_of(app, "ada", f"/admin/audit?{query}")).text
        unwanted = MEASURE.reason if wanted == LIMIT_REASON else LIMIT_REASON
        assert wanted in narrowed and unwanted not in narrowed, query
    nobody = (await page_of(app, "ada", "/admin/audit?person=niemand")).text
    assert "Er is niemand met deze gebruikersnaam." in nobody and LIMIT_REASON not in nobody
    odd = await page_of(app, "ada", "/admin/audit?kind=x&neighbourhood=%C2%B2&before=-1")
    assert odd.status_code == 200 and LIMIT_REASON in odd.text  # ignored, not an error


async def test_only_admins_read_the_audit_log(app: Starlette, world: World) -> None:
    for username in ("cor", "mara"):
        assert (await page_of(app, username, "/admin/audit")).status_code == 403
    async with browser_for(app) as visitor:
        assert (await visitor.get("/admin/audit")).status_code == 303


async def test_the_audit_log_pages_and_names_the_instance_itself(
    app: Starlette, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        for number in range(audit.PAGE_SIZE):
            await audit.record(
                session, ActionKind.HOLD_POST, None, reason=f"woordfilter {number:03d}"
            )
    first = (await page_of(app, "ada", "/admin/audit?moderator=")).text
    assert "Buurtnet zelf" in first and "woordfilter 049" in first
    assert MEASURE.reason not in first
    older = OLDER.search(first)
    assert older is not None
    rest = (await page_of(app, "ada", older.group(1).replace("&amp;", "&"))).text
    assert MEASURE.reason in rest and "woordfilter 049" not in rest
    assert OLDER.search(rest) is None


async def test_residents_read_their_neighbourhoods_public_log(app: Starlette, world: World) -> None:
    shown = await page_of(app, "cor", "/n/vogelwijk/moderation")
    assert shown.status_code == 200
    assert "Een bericht is verwijderd wegens intimidatie." in shown.text
    for hidden in (REMOVED_TEXT, MEASURE.reason, "Dit gaat te ver.", "anna", "bram", "mara"):
        assert hidden not in shown.text, hidden
    assert LIMIT_REASON not in shown.text and "beperkt" not in shown.text  # Dorp's
    assert 'href="/n/vogelwijk/moderation"' in (await page_of(app, "cor", "/n/vogelwijk")).text

    dorp = (await page_of(app, "olga", "/n/dorp/moderation")).text
    assert "Een account is beperkt wegens spam." in dorp and "dirk" not in dorp


async def test_others_may_not_read_a_neighbourhoods_public_log(
    app: Starlette, world: World
) -> None:
    assert (await page_of(app, "dirk", "/n/vogelwijk/moderation")).status_code == 403
    assert (await page_of(app, "olga", "/n/vogelwijk/moderation")).status_code == 403
    assert (await page_of(app, "ada", "/n/vogelwijk/moderation")).status_code == 200
    assert 'href="/n/vogelwijk/moderation"' not in (await page_of(app, "dirk", "/n/vogelwijk")).text
    async with browser_for(app) as visitor:
        answer = await visitor.get("/n/vogelwijk/moderation")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert (await page_of(app, "cor", "/n/nergens/moderation")).status_code == 404
