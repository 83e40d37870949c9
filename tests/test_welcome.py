"""Joining a neighbourhood (core/welcome): the neighbours told once, by either way in; what the
welcome page saves; who sees one's street; and the place in the export and after deletion."""

import pytest
from sqlmodel import col, select

from buurtnet.core import account_deletion, export, invites, registration, site, welcome
from buurtnet.core.errors import InvalidInput
from buurtnet.db import Database
from buurtnet.federation import archive
from buurtnet.federation.uris import Uris
from buurtnet.models import (
    Account,
    AccountStatus,
    Duty,
    Job,
    Neighbourhood,
    Notification,
    NotificationKind,
    RegistrationMode,
)
from buurtnet.moderation import approvals
from tests.conftest import PASSWORD, make_account
from tests.moderation_kit import moderator, person_elsewhere, second_neighbourhood

ADDRESS = "192.0.2.7"


async def sign_up(database: Database, name: str, **choices: str) -> Account:
    """Sign up as the web does (the hash while reading, then the write); the house rules
    accepted."""
    form = registration.SignUp(
        username=name,
        email=f"{name}@example.org",
        password=PASSWORD,
        password_again=PASSWORD,
        rules_accepted=True,
        **choices,
    )
    async with database.reading() as session:
        password_hash = await registration.prepare_sign_up(session, form, client_address=ADDRESS)
    async with database.transaction() as session:
        outcome = await registration.register(
            session, form, password_hash=password_hash, client_address=ADDRESS
        )
    assert outcome.account is not None, outcome.errors
    return outcome.account


async def invite_code(database: Database, neighbourhood: Neighbourhood) -> str:
    director = await make_account(database, "dirk", neighbourhood=neighbourhood, duty=Duty.DIRECTOR)
    async with database.transaction() as session:
        return (await invites.create_invite(session, neighbourhood, director)).code


async def told_of(database: Database, newcomer: Account) -> list[str]:
    """Who heard that the newcomer joined, by username."""
    async with database.reading() as session:
        query = (
            select(Account.username)
            .join(Notification, col(Notification.recipient_id) == col(Account.id))
            .where(
                col(Notification.actor_id) == newcomer.id,
                col(Notification.kind) == NotificationKind.NEW_NEIGHBOUR,
            )
            .order_by(col(Account.username))
        )
        return list((await session.exec(query)).all())


async def test_a_sign_up_with_an_invite_code_tells_the_neighbours(
    database: Database, neighbourhood: Neighbourhood, resident: Account, neighbour: Account
) -> None:
    code = await invite_code(database, neighbourhood)
    elsewhere = await second_neighbourhood(database)
    await make_account(database, "rivka", neighbourhood=elsewhere)
    await person_elsewhere(database)
    async with database.transaction() as session:
        waiting = await session.get(Account, neighbour.id)
        assert waiting is not None
        waiting.status = AccountStatus.SUSPENDED  # not an active member now

    jan = await sign_up(database, "jan", invite_code=code)

    assert jan.status == AccountStatus.ACTIVE
    assert await told_of(database, jan) == ["anna", "dirk"]


async def test_an_approved_sign_up_tells_the_neighbours_when_approved(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    async with database.transaction() as session:
        await site.set_registration_mode(session, RegistrationMode.APPROVAL)
    mila, roles = await moderator(database, "mila", neighbourhood)

    jan = await sign_up(database, "jan", neighbourhood_slug="vogelwijk")
    assert jan.status == AccountStatus.PENDING
    assert await told_of(database, jan) == []

    async with database.transaction() as session:
        assert jan.id is not None
        await approvals.approve_sign_up(session, mila, roles, jan.id)
    assert await told_of(database, jan) == ["anna", "mila"]


async def test_accounts_made_on_the_command_line_tell_nobody(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    made = await make_account(database, "jan", neighbourhood=neighbourhood)
    assert await told_of(database, made) == []


async def test_telling_is_for_active_members_of_a_neighbourhood_only(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    homeless = await make_account(database, "zwerver")
    async with database.transaction() as session:
        await welcome.announce_newcomer(session, homeless)
        pending = await session.get(Account, resident.id)
        assert pending is not None
        pending.status = AccountStatus.PENDING
        await welcome.announce_newcomer(session, pending)
    async with database.reading() as session:
        assert (await session.exec(select(Notification))).all() == []


# The welcome page's work.

PLACES = "Lindenstraat\nDe Linde (flat)"


async def with_places(database: Database, neighbourhood: Neighbourhood) -> None:
    async with database.transaction() as session:
        stored = await session.get(Neighbourhood, neighbourhood.id)
        assert stored is not None
        stored.places = PLACES


async def saved(database: Database, account: Account, **values: str) -> Account:
    async with database.transaction() as session:
        return await welcome.save_welcome(
            session, account, bio=values.get("bio", ""), place=values.get("place", "")
        )


async def test_saving_the_welcome_keeps_the_line_the_place_and_the_moment(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    await with_places(database, neighbourhood)
    assert resident.welcomed_at is None
    stored = await saved(database, resident, bio=" Ik tuinier graag.\u200b ", place="Lindenstraat")
    assert (stored.bio, stored.place) == ("Ik tuinier graag.", "Lindenstraat")
    first = stored.welcomed_at
    assert first is not None
    again = await saved(database, resident, bio="", place="")
    assert (again.bio, again.place, again.welcomed_at) == ("", "", first)


async def test_a_new_photo_replaces_the_old_one(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    async with database.transaction() as session:
        await welcome.save_welcome(session, resident, bio="", place="", avatar_key="eerste.png")
        await welcome.save_welcome(session, resident, bio="", place="", avatar_key="tweede.png")
    async with database.reading() as session:
        stored = await session.get(Account, resident.id)
        jobs = (await session.exec(select(Job))).all()
    assert stored is not None and stored.avatar_key == "tweede.png"
    assert ["eerste.png" in job.payload for job in jobs] == [True]


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"place": "Kastanjelaan"}, {"place": "place_unknown"}),
        ({"bio": "x" * 1001}, {"bio": "bio_too_long"}),
    ],
)
async def test_wrong_values_save_nothing(
    database: Database,
    neighbourhood: Neighbourhood,
    resident: Account,
    values: dict[str, str],
    errors: dict[str, str],
) -> None:
    await with_places(database, neighbourhood)
    with pytest.raises(InvalidInput) as refused:
        await saved(database, resident, **values)
    assert refused.value.errors == errors
    async with database.reading() as session:
        stored = await session.get(Account, resident.id)
    assert stored is not None and (stored.welcomed_at, stored.place, stored.bio) == (None, "", "")


async def test_without_a_list_the_place_stays_as_it_was(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    await with_places(database, neighbourhood)
    await saved(database, resident, place="Lindenstraat")
    async with database.transaction() as session:  # the moderators drop the list
        stored = await session.get(Neighbourhood, neighbourhood.id)
        assert stored is not None
        stored.places = ""
    assert (await saved(database, resident, bio="Hallo", place="")).place == "Lindenstraat"
    assert (await saved(database, resident, place="Kastanjelaan")).place == "Lindenstraat"


async def test_skipping_ends_the_offer_and_keeps_the_rest(
    database: Database, resident: Account
) -> None:
    async with database.transaction() as session:
        stored = await welcome.skip_welcome(session, resident)
    assert stored.welcomed_at is not None and (stored.bio, stored.place) == ("", "")


async def test_the_place_is_for_the_neighbours_and_oneself(
    database: Database, neighbourhood: Neighbourhood, resident: Account, neighbour: Account
) -> None:
    await with_places(database, neighbourhood)
    anna = await saved(database, resident, place="Lindenstraat")
    elsewhere = await second_neighbourhood(database)
    rivka = await make_account(database, "rivka", neighbourhood=elsewhere)
    bob, _post = await person_elsewhere(database)
    homeless = await make_account(database, "zwerver")
    assert welcome.place_shown_to(anna, anna) == "Lindenstraat"
    assert welcome.place_shown_to(anna, neighbour) == "Lindenstraat"
    for stranger in (None, rivka, bob, homeless):
        assert welcome.place_shown_to(anna, stranger) == "", stranger


async def test_the_place_is_in_the_export_and_goes_with_the_account(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    await with_places(database, neighbourhood)
    anna = await saved(database, resident, place="De Linde (flat)")
    uris = Uris.for_base("http://testserver/")
    async with database.reading() as session:
        gathered = await export.gather_export(session, anna)
    document = archive.documents(gathered, uris, "testserver")["neighbourhood.json"]
    assert anna.welcomed_at is not None
    assert document == {
        "neighbourhood": "http://testserver/n/vogelwijk",
        "name": "Vogelwijk",
        "streetOrComplex": "De Linde (flat)",
        "joined": anna.created_at.isoformat(),
        "welcomed": anna.welcomed_at.isoformat(),
    }
    async with database.transaction() as session:
        await account_deletion.delete_account(session, anna)
    async with database.reading() as session:
        tombstone = await session.get(Account, anna.id)
    assert tombstone is not None and tombstone.place == ""
