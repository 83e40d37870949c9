"""A voice before moving in: a new-build neighbourhood's future residents meet before the keys
are handed over, and are residents like everyone else from that day on, by themselves."""

from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from babel.dates import format_date
from sqlmodel import select

from buurtnet.core import neighbourhoods, new_build
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.db import Database
from buurtnet.models import Account, Duty, Neighbourhood, Role, utcnow
from tests.conftest import log_in, make_account, post_form
from tests.test_cli import clean_env, run

TODAY = date(2026, 12, 4)


def test_a_resident_of_a_neighbourhood_awaiting_its_keys_is_a_future_resident() -> None:
    place = Neighbourhood(id=1, slug="nieuwe-haven", name="Nieuwe Haven", new_build=True)
    person = Account(username="fatima", username_key="fatima", neighbourhood_id=1)
    for handover, future in ((TODAY + timedelta(days=1), True), (TODAY, False), (None, False)):
        place.handover_on = handover
        assert new_build.is_future_resident(person, place, TODAY) is future, handover
    place.handover_on = TODAY + timedelta(days=30)
    elsewhere = Account(username="bob", username_key="bob@x.example", domain="x.example")
    assert not new_build.is_future_resident(elsewhere, place, TODAY)
    assert not new_build.is_future_resident(person, None, TODAY)


@pytest.mark.parametrize(
    ("handover", "problem"),
    [
        (date(1999, 12, 31), True),
        (date(2042, 1, 1), True),
        (date(2027, 3, 1), False),
        (None, False),
    ],
)
def test_the_hand_over_date_must_be_a_sensible_one(handover: date | None, problem: bool) -> None:
    assert (new_build.handover_problem(handover, TODAY) is not None) is problem


async def test_the_director_sets_the_date_and_the_profile_says_future_resident(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "dirk", duty=Duty.DIRECTOR, neighbourhood=neighbourhood)
    await make_account(database, "fatima", neighbourhood=neighbourhood)
    soon = (utcnow() + timedelta(days=60)).date()
    await log_in(client, "dirk")
    saved = await post_form(
        client, "/n/vogelwijk/invites", "/n/vogelwijk/new-build", {"handover_on": soon.isoformat()}
    )
    assert saved.status_code == 303
    profile = await client.get("/@fatima", headers={"Accept-Language": "nl"})
    day = format_date(soon, "EEEE d MMMM y", locale="nl")  # "zaterdag 12 december 2026"
    link = '<a href="/n/vogelwijk">'
    assert f"Toekomstige bewoner van {link}" in profile.text
    assert f"woont er vanaf {day}" in profile.text
    in_english = await client.get("/@fatima", headers={"Accept-Language": "en"})
    assert f"Future resident of {link}" in in_english.text
    assert f"moves in on {format_date(soon, 'EEEE d MMMM y', locale='en')}" in in_english.text
    async with database.transaction() as session:
        stored = await session.get(Neighbourhood, neighbourhood.id)
        assert stored is not None and stored.new_build and stored.handover_on == soon
        stored.handover_on = (utcnow() - timedelta(days=1)).date()  # the keys were handed over
    profile = await client.get("/@fatima", headers={"Accept-Language": "nl"})
    assert "Toekomstige bewoner" not in profile.text and "Woont in" in profile.text


async def test_a_wrong_date_is_refused_on_the_form_and_nothing_changes(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "dirk", duty=Duty.DIRECTOR, neighbourhood=neighbourhood)
    await log_in(client, "dirk")
    for bad in ("1900-01-01", "morgen", "2026-02-30"):
        refused = await post_form(
            client, "/n/vogelwijk/invites", "/n/vogelwijk/new-build", {"handover_on": bad}
        )
        assert refused.status_code == 400
        assert "Kies een datum" in refused.text or "Choose a date" in refused.text
    async with database.reading() as session:
        stored = await session.get(Neighbourhood, neighbourhood.id)
    assert stored is not None and not stored.new_build and stored.handover_on is None


async def test_only_its_director_or_an_admin_sets_the_date(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    moderator = await make_account(
        database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood
    )
    for person in (resident, moderator):
        async with database.transaction() as session:
            with pytest.raises(NotAllowed):
                await new_build.set_handover(
                    session, person, neighbourhood.id or 0, date(2027, 3, 1), TODAY
                )
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    async with database.transaction() as session:
        place = await new_build.set_handover(
            session, admin, neighbourhood.id or 0, date(2027, 3, 1), TODAY
        )
    assert place.new_build
    async with database.transaction() as session:
        place = await new_build.set_handover(session, admin, neighbourhood.id or 0, None, TODAY)
    assert not place.new_build and place.handover_on is None


async def test_the_command_line_makes_a_new_build_neighbourhood(
    tmp_path: Path, database: Database
) -> None:
    env = clean_env(tmp_path)
    result = run(
        [
            "neighbourhood",
            "create",
            "nieuwe-haven",
            "--name",
            "Nieuwe Haven",
            "--handover",
            "2027-03-01",
        ],
        env,
    )
    assert result.returncode == 0, result.stderr
    refused = run(
        ["neighbourhood", "create", "oud", "--name", "Oud", "--handover", "1850-01-01"], env
    )
    assert refused.returncode != 0


async def test_creating_with_a_wrong_date_says_so(database: Database) -> None:
    async with database.transaction() as session:
        with pytest.raises(InvalidInput) as raised:
            await neighbourhoods.create_neighbourhood(
                session, "oud", "Oud", handover_on=date(1850, 1, 1)
            )
    assert raised.value.errors == {"handover_on": new_build.HANDOVER_INVALID}
    async with database.reading() as session:
        assert (await session.exec(select(Neighbourhood))).all() == []
