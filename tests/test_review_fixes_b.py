"""Findings of the review of the moderation work, each held to its fix: a limited person's posts
left out of every neighbourhood listing, edits that cannot get past the word filters, audit
entries for sign-ups, followers elsewhere and duties given on the command line, rules decided
once (who handles a report, who reads the public log), and a budget of Flags per server."""

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col
from starlette.applications import Starlette

from buurtnet.config import Settings
from buurtnet.core import (
    accounts,
    calendars,
    event_listings,
    events,
    permissions,
    posts,
    relations,
)
from buurtnet.core.errors import InvalidInput
from buurtnet.core.event_input import EventInput
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    ActionKind,
    Duty,
    ModerationAction,
    ModerationState,
    Neighbourhood,
    NeighbourhoodFollower,
    Post,
    Visibility,
)
from buurtnet.moderation import approvals, flags, remote_followers, reports
from tests.conftest import PASSWORD, browser_for, log_in, make_account, post_form, write_post
from tests.events_kit import details, make_event
from tests.kit.federation import deliver
from tests.kit.network import FakeNetwork
from tests.moderation_kit import moderator, person_elsewhere, row, rows, second_neighbourhood
from tests.test_cli import STRONG_PASSWORD, clean_env, run, user_create
from tests.test_flags import SERVER, URIS, flag_of
from tests.test_word_filters import filter_in

AP = {"Accept": "application/activity+json"}


async def limit(database: Database, person: Account) -> None:
    async with database.transaction() as session:
        stored = await session.get(Account, person.id)
        assert stored is not None
        stored.limited = True


# ------------------------------------------------------------------ 5: limited authors


async def test_a_limited_organisers_activities_are_listed_for_their_followers_only(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    follower = await make_account(database, "chris", neighbourhood=neighbourhood)
    await make_event(database, neighbour, visibility=Visibility.PUBLIC)
    await make_event(database, resident, title="Buurtborrel")
    async with database.transaction() as session:
        await relations.follow(session, follower, neighbour.id or 0)
    await limit(database, neighbour)

    async def titles(viewer: Account | None) -> list[str]:
        async with database.reading() as session:
            found = await event_listings.upcoming(session, viewer, neighbourhood.id)
        return sorted(item.view.event.title for item in found)

    assert await titles(resident) == ["Buurtborrel"]
    assert await titles(None) == []  # the visitor sees public ones: only the limited one is
    assert await titles(follower) == ["Buurtborrel", "Opruimen op het Merelplein"]
    assert await titles(neighbour) == ["Buurtborrel", "Opruimen op het Merelplein"]


async def test_the_neighbourhood_calendar_leaves_out_a_limited_organisers_activities(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    await make_event(database, neighbour, visibility=Visibility.PUBLIC)
    await make_event(database, resident, visibility=Visibility.PUBLIC, title="Buurtborrel")
    await limit(database, neighbour)
    async with database.reading() as session:
        found = await calendars.neighbourhood_activities(session, neighbourhood.id or 0)
    assert [activity.event.title for activity in found] == ["Buurtborrel"]


async def test_the_groups_outbox_leaves_out_a_limited_authors_posts(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    kept = await write_post(database, resident, "Van Anna", visibility=Visibility.PUBLIC)
    await write_post(database, neighbour, "Koop nu", visibility=Visibility.PUBLIC)
    await limit(database, neighbour)
    outbox = (await client.get("/n/vogelwijk/outbox?page=1", headers=AP)).json()
    assert outbox["totalItems"] == 1
    [announce] = outbox["orderedItems"]
    assert announce["object"]["object"]["id"].endswith(f"/statuses/{kept.id}")


# ------------------------------------------------------------------ 6: edits and word filters


async def test_a_published_post_cannot_be_edited_into_a_filtered_one(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    await filter_in(database, (neighbourhood, "idioot"))
    post = await write_post(database, resident, "Hallo buren", visibility=Visibility.PUBLIC)
    for draft in (posts.Draft(source="Hallo IDIOOT!"), posts.Draft("Hallo", summary="idioot")):
        with pytest.raises(InvalidInput) as refused:
            async with database.transaction() as session:
                await posts.edit_post(session, resident, post.id or 0, draft)
        assert refused.value.errors == {"source": "text_needs_review"}
    stored = await row(database, Post, post.id)
    assert (stored.source, stored.moderation) == ("Hallo buren", None)
    async with database.transaction() as session:  # a harmless edit still goes through
        await posts.edit_post(session, resident, post.id or 0, posts.Draft(source="Hallo allen"))
    assert (await row(database, Post, post.id)).source == "Hallo allen"


async def test_an_activitys_name_or_place_cannot_be_edited_into_a_filtered_one(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    await filter_in(database, (neighbourhood, "oplichter"))
    post = await make_event(database, resident)
    for filtered in (details(title="De oplichter vangen"), details(place="Bij de oplichter")):
        changed = EventInput(posts.Draft(source=post.source), filtered, ())
        with pytest.raises(InvalidInput) as refused:
            async with database.transaction() as session:
                await events.edit_event(session, resident, post.id or 0, changed)
        assert refused.value.errors == {"source": "text_needs_review"}


async def test_the_edit_form_says_why_a_filtered_edit_is_refused(
    app: Starlette, database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    await filter_in(database, (neighbourhood, "idioot"))
    post = await write_post(database, resident, "Hallo buren", visibility=Visibility.PUBLIC)
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        page = f"/posts/{post.id}/edit"
        refused = await post_form(anna, page, page, {"source": "Hallo idioot", "kind": "message"})
    assert refused.status_code == 400
    assert "eerst door een moderator bekeken" in refused.text
    held = await write_post(database, resident, "Die idioot", visibility=Visibility.PUBLIC)
    async with database.transaction() as session:  # a held post stays held, edit and all
        edited = await posts.edit_post(session, resident, held.id or 0, posts.Draft("Idioot!"))
    assert edited.moderation == ModerationState.HELD


# ------------------------------------------------------------------ 10: audit entries


async def logged(database: Database, *kinds: ActionKind) -> list[tuple[Any, ...]]:
    found = await rows(database, ModerationAction, col(ModerationAction.kind).in_(kinds))
    return [
        (a.kind, a.moderator_id, a.target_account_id, a.neighbourhood_id, a.reason)
        for a in sorted(found, key=lambda action: action.id or 0)
    ]


async def pending(database: Database, name: str, place: Neighbourhood) -> Account:
    """A sign-up in `place` that waits for a moderator."""
    new = accounts.NewAccount(name, f"{name}@example.org", PASSWORD, status=AccountStatus.PENDING)
    async with database.transaction() as session:
        return await accounts.create_account(session, replace(new, neighbourhood_id=place.id))


async def test_sign_up_decisions_are_in_the_audit_log(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    mila, roles = await moderator(database, "mila", neighbourhood)
    joost = await pending(database, "joost", neighbourhood)
    karin = await pending(database, "karin", neighbourhood)
    async with database.transaction() as session:
        await approvals.approve_sign_up(session, mila, roles, joost.id or 0)
        await approvals.refuse_sign_up(session, mila, roles, karin.id or 0)
    kinds = (ActionKind.APPROVE_SIGN_UP, ActionKind.REFUSE_SIGN_UP)
    assert await logged(database, *kinds) == [
        ("approve_sign_up", mila.id, joost.id, neighbourhood.id, "joost"),
        ("refuse_sign_up", mila.id, None, neighbourhood.id, "karin"),  # the account is gone
    ]


async def test_decisions_on_followers_elsewhere_are_in_the_audit_log(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    mila, roles = await moderator(database, "mila", neighbourhood)
    bob, _ = await person_elsewhere(database, "bob")
    eve, _ = await person_elsewhere(database, "eve")
    place = neighbourhood.id or 0
    async with database.transaction() as session:
        for person in (bob, eve):
            session.add(
                NeighbourhoodFollower(
                    neighbourhood_id=place, account_id=person.id or 0, uri=f"f-{person.id}"
                )
            )
    async with database.transaction() as session:
        await remote_followers.set_approval(session, mila, roles, place, approves=True)
        await remote_followers.set_approval(session, mila, roles, place, approves=True)
        await remote_followers.accept_follower(session, mila, roles, place, bob.id or 0)
        await remote_followers.refuse_follower(session, mila, roles, place, eve.id or 0)
    kinds = (ActionKind.CHANGE_SETTING, ActionKind.ACCEPT_FOLLOWER, ActionKind.REFUSE_FOLLOWER)
    assert await logged(database, *kinds) == [
        ("change_setting", mila.id, None, place, "approves_remote_followers=true"),
        ("accept_follower", mila.id, bob.id, place, ""),
        ("refuse_follower", mila.id, eve.id, place, ""),
    ]


async def test_the_audit_page_names_the_new_kinds_in_dutch(
    app: Starlette, database: Database, neighbourhood: Neighbourhood
) -> None:
    await moderator(database, "beheer", None, admin=True)
    mila, roles = await moderator(database, "mila", neighbourhood)
    joost = await pending(database, "joost", neighbourhood)
    async with database.transaction() as session:
        await approvals.approve_sign_up(session, mila, roles, joost.id or 0)
    async with browser_for(app) as admin:
        await log_in(admin, "beheer")
        page = (await admin.get("/admin/audit")).text
        chosen = (await admin.get("/admin/audit?kind=approve_sign_up")).text
    for label in (
        "Aanmelding goedgekeurd",
        "Aanmelding geweigerd",
        "Volger elders toegelaten",
        "Volger elders geweigerd",
    ):
        assert f">{label}</option>" in page, label
    assert '<td data-label="Wat">Aanmelding goedgekeurd' in chosen
    assert '<option value="approve_sign_up" selected>' in chosen


def test_a_duty_given_on_creating_an_account_is_logged(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    made = run(["neighbourhood", "create", "zeeheldenbuurt", "--name", "Zeeheldenbuurt"], env)
    assert made.returncode == 0, made.stderr
    options = ("--password-stdin", "--neighbourhood", "zeeheldenbuurt", "--role", "moderator")
    created = run(user_create("piet", *options), env, stdin=STRONG_PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip().endswith("Created moderator piet.")
    lonely = run(user_create("joost", "--password-stdin", "--role", "director"), env, "x" * 12)
    assert lonely.returncode != 0 and "needs --neighbourhood" in lonely.stderr
    with sqlite3.connect(tmp_path / "buurtnet.sqlite3") as connection:
        entries = connection.execute(
            "SELECT kind, moderator_id, reason FROM moderation_action"
        ).fetchall()
        grants = connection.execute("SELECT duty FROM role_grant").fetchall()
    assert entries == [("grant_role", None, "moderator")]
    assert grants == [("moderator",)]


# ------------------------------------------------------------------ 12: rules decided once


async def test_who_handles_a_report_is_one_rule(
    app: Starlette,
    database: Database,
    resident: Account,
    neighbour: Account,
    neighbourhood: Neighbourhood,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob, _ = await person_elsewhere(database)
    elsewhere = await second_neighbourhood(database)
    assert reports.handling_neighbourhood(resident, neighbour) == neighbourhood.id
    assert reports.handling_neighbourhood(resident, bob) == neighbourhood.id
    carla = await make_account(database, "carla", neighbourhood=elsewhere)
    assert reports.handling_neighbourhood(carla, bob) == elsewhere.id
    assert reports.handling_neighbourhood(carla, resident) == neighbourhood.id
    # The report form says what the rule says, whatever that is.
    monkeypatch.setattr(reports, "handling_neighbourhood", lambda _r, _t: elsewhere.id)
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        form = (await anna.get(f"/report/{neighbour.id}")).text
    assert "Rivierenbuurt" in form


async def test_a_director_living_elsewhere_gets_the_public_log_link(
    app: Starlette, database: Database, neighbourhood: Neighbourhood
) -> None:
    elsewhere = await second_neighbourhood(database)
    dirk = await make_account(database, "dirk", neighbourhood=elsewhere)
    await make_account(database, "carla", neighbourhood=elsewhere)
    async with database.transaction() as session:
        await permissions.grant(session, dirk.id or 0, neighbourhood.id or 0, Duty.DIRECTOR)
    link = 'href="/n/vogelwijk/moderation"'
    async with browser_for(app) as director, browser_for(app) as other:
        await log_in(director, "dirk")
        await log_in(other, "carla")
        assert link in (await director.get("/n/vogelwijk")).text
        assert (await director.get("/n/vogelwijk/moderation")).status_code == 200
        assert link not in (await other.get("/n/vogelwijk")).text
        assert (await other.get("/n/vogelwijk/moderation")).status_code == 403


# ------------------------------------------------------------------ 16: a budget of Flags


async def test_a_server_sends_twenty_flags_an_hour_and_then_gets_429(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    network.add(SERVER)
    target = URIS.actor("anna")
    for number in range(1, Settings.flag_limit + 1):
        taken = await deliver(client, SERVER, flag_of(SERVER, target, number=number))
        assert taken.status_code == 202, (number, taken.text)
    refused = await deliver(client, SERVER, flag_of(SERVER, target, number=99))
    assert refused.status_code == 429
    assert refused.json()["error"].startswith("too many reports from social.example")
    assert 3500 <= int(refused.headers["retry-after"]) <= 3600
    async with database.transaction() as session:
        assert not await flags.spend_flag_budget(session, "Social.Example", 20)
        assert await flags.spend_flag_budget(session, "elders.example", 20)  # one of its own
        assert await flags.spend_flag_budget(session, "social.example", 0)  # 0: no limit
