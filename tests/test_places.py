"""A neighbourhood's streets or complexes: the rules for the list and the choice (core/places),
who sets the list (moderation/place_settings), and its form (web/neighbourhood_places)."""

import httpx
import pytest
from sqlmodel import col, select

from buurtnet.core import permissions, places
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.db import Database
from buurtnet.models import Account, ActionKind, Duty, ModerationAction, Neighbourhood, Role
from buurtnet.moderation import place_settings
from tests.conftest import log_in, make_account, post_form
from tests.moderation_kit import second_neighbourhood

TYPED = "  Lindenstraat \n\nDe Linde (flat)\r\nlindenstraat\n\u202eEikenlaan\n"


def test_the_list_as_typed_is_cleaned_once_per_place() -> None:
    assert places.listed(TYPED) == ["Lindenstraat", "De Linde (flat)", "Eikenlaan"]
    assert places.checked_list(TYPED) == "Lindenstraat\nDe Linde (flat)\nEikenlaan"
    assert places.checked_list(" \n ") == ""


def test_too_many_or_too_long_places_are_refused() -> None:
    many = "\n".join(f"Straat {number}" for number in range(places.MAX_PLACES + 1))
    with pytest.raises(InvalidInput) as refused:
        places.checked_list(many)
    assert refused.value.errors == {"places": places.TOO_MANY}
    assert places.checked_list(many.rsplit("\n", 1)[0]).count("\n") == places.MAX_PLACES - 1
    with pytest.raises(InvalidInput) as refused:
        places.checked_list("Kort\n" + "x" * (places.PLACE_LENGTH + 1))
    assert refused.value.errors == {"places": places.TOO_LONG}


@pytest.mark.parametrize(
    ("chosen", "kept"),
    [("Lindenstraat", "Lindenstraat"), (" De Linde (flat) ", "De Linde (flat)"), ("", "")],
)
def test_a_choice_is_one_of_the_list_or_nothing(chosen: str, kept: str) -> None:
    assert places.checked_choice(TYPED, chosen) == kept


@pytest.mark.parametrize("chosen", ["Kastanjelaan", "LINDENSTRAAT", "x" * 500])
def test_a_place_not_on_the_list_is_refused(chosen: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        places.checked_choice(TYPED, chosen)
    assert refused.value.errors == {"place": places.UNKNOWN}
    with pytest.raises(InvalidInput):
        places.checked_choice("", "Lindenstraat")  # no list: nothing to choose


async def set_as(
    database: Database, actor: Account, neighbourhood: Neighbourhood, typed: str
) -> None:
    async with database.transaction() as session:
        roles = await permissions.roles_of(session, actor)
        assert neighbourhood.id is not None
        await place_settings.set_places(session, actor, roles, neighbourhood.id, typed)


async def stored(database: Database, neighbourhood: Neighbourhood) -> str:
    async with database.reading() as session:
        found = await session.get(Neighbourhood, neighbourhood.id)
    assert found is not None
    return found.places


async def test_a_director_sets_their_own_list_and_it_is_logged(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    there = await second_neighbourhood(database)
    dirk = await make_account(database, "dirk", neighbourhood=neighbourhood, duty=Duty.DIRECTOR)
    await set_as(database, dirk, neighbourhood, TYPED)
    await set_as(database, dirk, neighbourhood, TYPED)  # the same again: nothing to log
    assert await stored(database, neighbourhood) == "Lindenstraat\nDe Linde (flat)\nEikenlaan"
    async with database.reading() as session:
        logged = (
            await session.exec(
                select(ModerationAction.kind, ModerationAction.reason).order_by(
                    col(ModerationAction.id)
                )
            )
        ).all()
    assert logged == [(ActionKind.CHANGE_SETTING, "places=3")]
    with pytest.raises(NotAllowed):
        await set_as(database, dirk, there, TYPED)
    assert await stored(database, there) == ""


async def test_an_admin_sets_any_list_a_moderator_none(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    there = await second_neighbourhood(database)
    admin = await make_account(database, "beheer", role=Role.ADMIN, neighbourhood=neighbourhood)
    await set_as(database, admin, there, "Rivierweg")
    assert await stored(database, there) == "Rivierweg"
    mila = await make_account(database, "mila", neighbourhood=neighbourhood, duty=Duty.MODERATOR)
    with pytest.raises(NotAllowed):
        await set_as(database, mila, neighbourhood, "Rivierweg")


PAGE = "/n/vogelwijk/places"


async def test_the_director_uses_the_form(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "dirk", neighbourhood=neighbourhood, duty=Duty.DIRECTOR)
    await log_in(client, "dirk")
    assert f'href="{PAGE}"' in (await client.get("/n/vogelwijk")).text
    page = await client.get(PAGE)
    assert page.status_code == 200 and "Straten en complexen" in page.text
    saved = await post_form(client, PAGE, PAGE, {"places": TYPED})
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?saved=1"
    again = (await client.get(saved.headers["location"])).text
    assert "Opgeslagen." in again and "Lindenstraat\nDe Linde (flat)\nEikenlaan</textarea>" in again


async def test_a_wrong_list_is_explained_and_kept_to_correct(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "beheer", role=Role.ADMIN)
    await log_in(client, "beheer")
    typed = "Lindenstraat\n" + "x" * 101
    answer = await post_form(client, PAGE, PAGE, {"places": typed})
    assert answer.status_code == 400
    assert "Gebruik maximaal 100 tekens per regel." in answer.text
    assert typed in answer.text
    assert await stored(database, neighbourhood) == ""


async def test_a_resident_may_not(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    await log_in(client, "anna")
    assert (await client.get(PAGE)).status_code == 403
    answer = await post_form(client, "/settings", PAGE, {"places": "Lindenstraat"})
    assert answer.status_code == 403
    assert await stored(database, neighbourhood) == ""
