"""Moderation's news in the notifications: what was done and why (never by whom), a way to
appeal, a report's outcome and an appeal's decision; shown whoever the person blocks or mutes."""

from datetime import timedelta

import pytest
from starlette.applications import Starlette

from buurtnet.core import notifications, permissions, relations
from buurtnet.db import Database
from buurtnet.models import Account, AccountStatus, Duty, Neighbourhood, utcnow
from buurtnet.moderation import actions, reports
from tests.conftest import browser_for, log_in, make_account, write_post
from tests.test_appeals import MEASURE, REMOVED_TEXT, decide, file, limit, moderate, remove


@pytest.fixture
async def mara(database: Database, neighbourhood: Neighbourhood) -> Account:
    return await make_account(database, "mara", duty=Duty.MODERATOR, neighbourhood=neighbourhood)


async def notifications_of(app: Starlette, username: str) -> str:
    async with browser_for(app) as browser:
        await log_in(browser, username)
        return (await browser.get("/notifications")).text


async def test_a_removal_says_why_and_offers_an_appeal_without_naming_the_moderator(
    app: Starlette, database: Database, resident: Account, mara: Account
) -> None:
    action = await remove(database, mara, await write_post(database, resident, REMOVED_TEXT))
    shown = await notifications_of(app, "anna")
    assert "Een moderator heeft uw bericht verwijderd." in shown
    assert f"Reden: {MEASURE.reason}" in shown
    assert f'<a href="/appeals/{action.id}">Bezwaar maken</a>' in shown
    assert "mara" not in shown and REMOVED_TEXT not in shown
    await file(database, resident, action)
    assert "U heeft bezwaar gemaakt" in await notifications_of(app, "anna")


@pytest.mark.parametrize(
    ("measure", "told", "appealable"),
    [
        ("limit", "Een moderator heeft uw account beperkt", True),
        ("suspend", "Een moderator heeft uw account geschorst tot", True),
        ("suspend_for_good", "Een moderator heeft uw account voor altijd geschorst.", True),
        ("warn", "Een moderator heeft u een waarschuwing gegeven.", False),
        ("mark_sensitive", "Een moderator heeft uw bericht als gevoelig gemarkeerd", False),
        ("lift", "De maatregel tegen uw account is opgeheven", False),
    ],
)
async def test_each_measure_is_told(
    app: Starlette,
    database: Database,
    resident: Account,
    mara: Account,
    measure: str,
    told: str,
    appealable: bool,
) -> None:
    assert resident.id is not None
    person_id = resident.id
    post = await write_post(database, resident, "Een gewoon bericht")
    assert post.id is not None
    post_id = post.id
    later = utcnow() + timedelta(days=3)
    acts = {
        "limit": lambda s, m, r: actions.limit(s, m, r, person_id, MEASURE),
        "suspend": lambda s, m, r: actions.suspend(s, m, r, person_id, MEASURE, later),
        "suspend_for_good": lambda s, m, r: actions.suspend(s, m, r, person_id, MEASURE, None),
        "warn": lambda s, m, r: actions.warn(s, m, r, person_id, MEASURE),
        "mark_sensitive": lambda s, m, r: actions.mark_sensitive(s, m, r, post_id, MEASURE),
        "lift": lambda s, m, r: actions.lift(
            s, m, resident, actions.Lifting(reason="Het is weer goed.")
        ),
    }
    action = await moderate(database, mara, acts[measure])
    if measure.startswith("suspend"):
        await lift_quietly(database, resident)  # so that anna can log in and read it
    shown = await notifications_of(app, "anna")
    assert told in shown
    assert (f'href="/appeals/{action.id}"' in shown) == appealable
    assert (f'href="/posts/{post_id}"' in shown) == (measure == "mark_sensitive")


async def lift_quietly(database: Database, person: Account) -> None:
    async with database.transaction() as session:
        stored = await session.get(Account, person.id)
        assert stored is not None
        stored.status, stored.suspended_until = AccountStatus.ACTIVE, None


async def test_moderations_news_shows_and_counts_whoever_is_blocked_or_muted(
    database: Database, resident: Account, neighbour: Account, mara: Account
) -> None:
    assert mara.id is not None
    async with database.transaction() as session:
        await relations.block(session, resident, mara.id)
        await relations.mute(session, neighbour, mara.id)
    for person in (resident, neighbour):
        await limit(database, mara, person)
    async with database.reading() as session:
        for person in (resident, neighbour):
            found = await notifications.newest(session, person)
            assert [item.action.kind for item in found if item.action] == ["limit"]
            assert await notifications.unread_count(session, person) == 1


async def test_the_reporter_hears_the_outcome(
    app: Starlette, database: Database, resident: Account, neighbour: Account, mara: Account
) -> None:
    assert resident.id is not None
    async with database.transaction() as session:
        first = await reports.file_report(
            session, neighbour, resident.id, reports.ReportDraft("spam")
        )
        second = await reports.file_report(
            session, neighbour, resident.id, reports.ReportDraft("threat")
        )
        roles = await permissions.roles_of(session, mara)
        assert first.id is not None and second.id is not None
        await reports.close(
            session, mara, roles, first.id, resolved=True, outcome="We hebben iemand gewaarschuwd."
        )
        await reports.close(session, mara, roles, second.id, resolved=False, outcome="")
    shown = await notifications_of(app, "bram")
    assert "Uw melding is afgehandeld." in shown
    assert "Antwoord van de moderatie: We hebben iemand gewaarschuwd." in shown
    assert "Uw melding is afgewezen." in shown
    assert "mara" not in shown


async def test_the_person_hears_the_decision_on_their_appeal(
    app: Starlette,
    database: Database,
    neighbourhood: Neighbourhood,
    resident: Account,
    mara: Account,
) -> None:
    xavier = await make_account(
        database, "xavier", duty=Duty.MODERATOR, neighbourhood=neighbourhood
    )
    action = await limit(database, mara, resident)
    appeal = await file(database, resident, action)
    await decide(database, xavier, appeal, grant=False, reason="Nee.")
    shown = await notifications_of(app, "anna")
    assert "Uw bezwaar is afgewezen: de beslissing blijft. Reden: Nee." in shown
    assert "xavier" not in shown and "mara" not in shown
