"""A suspended person cannot log in. With the right password (and only then) they are told until
when and why, and can appeal with a signed token instead of a login."""

import re
from datetime import timedelta

import httpx
import pytest

from buurtnet.core import login
from buurtnet.core.login import LoginRefusal
from buurtnet.db import Database
from buurtnet.models import Account, Appeal, Duty, ModerationAction, Neighbourhood, utcnow
from buurtnet.moderation import actions
from buurtnet.web import appeal_tokens
from tests.conftest import PASSWORD, csrf_token_in, make_account
from tests.moderation_kit import rows
from tests.test_appeals import MEASURE, moderate
from tests.test_login import attempt

TOKEN = re.compile(r'name="token" value="([^"]+)"')
SECRET = "test-secret-key-" + "x" * 32  # as in tests/conftest.make_settings


async def suspend(
    database: Database, neighbourhood: Neighbourhood, person: Account, *, days: int | None = 7
) -> ModerationAction:
    mara = await make_account(database, "mara", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    assert person.id is not None
    person_id = person.id
    until = None if days is None else utcnow() + timedelta(days=days)
    return await moderate(
        database, mara, lambda s, m, r: actions.suspend(s, m, r, person_id, MEASURE, until)
    )


async def log_in_as(client: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    token = csrf_token_in((await client.get("/login")).text)
    form = {"csrf_token": token, "login_name": name, "password": password, "next": "/"}
    return await client.post("/login", data=form)


async def appeal(client: httpx.AsyncClient, page: httpx.Response, **fields: str) -> httpx.Response:
    found = TOKEN.search(page.text)
    assert found, "no appeal form on the page"
    form = {"csrf_token": csrf_token_in(page.text), "token": found.group(1), **fields}
    return await client.post("/appeals/suspended", data=form)


async def test_the_right_password_shows_the_suspension_and_nothing_else(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    await suspend(database, neighbourhood, resident)
    assert (await attempt(database, "anna")).refusal == LoginRefusal.SUSPENDED
    assert (await attempt(database, "anna", "wrong password")).refusal == LoginRefusal.WRONG


async def test_a_suspended_resident_sees_why_and_appeals_with_the_token(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    action = await suspend(database, neighbourhood, resident)
    page = await log_in_as(client, "anna", PASSWORD)
    assert page.status_code == 403
    assert "Uw account is geschorst tot" in page.text
    assert "Dit is intimidatie van een buurman." in page.text
    assert "mara" not in page.text
    assert (await client.get("/settings")).status_code == 303  # not logged in

    empty = await appeal(client, page, text="")
    assert empty.status_code == 400
    assert "Schrijf op waarom u de beslissing niet juist vindt." in empty.text
    sent = await appeal(client, empty, text="Ik heb niemand bedreigd.")
    assert sent.status_code == 200
    assert "Uw bezwaar is verstuurd." in sent.text
    [made] = await rows(database, Appeal)
    assert (made.action_id, made.account_id) == (action.id, resident.id)
    assert made.text == "Ik heb niemand bedreigd."

    again = await log_in_as(client, "anna", PASSWORD)
    assert "U heeft bezwaar gemaakt op" in again.text
    assert TOKEN.search(again.text) is None
    twice = await appeal(client, page, text="Nog een keer.")
    assert twice.status_code == 400
    assert "U heeft al bezwaar gemaakt tegen deze beslissing." in twice.text


async def test_suspended_for_good(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    await suspend(database, neighbourhood, resident, days=None)
    page = await log_in_as(client, "anna", PASSWORD)
    assert "Uw account is voor altijd geschorst." in page.text


async def test_a_wrong_password_tells_nothing_and_still_counts(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    await suspend(database, neighbourhood, resident)
    for _ in range(login.WRONG_PASSWORDS_PER_ADDRESS):
        wrong = await log_in_as(client, "anna", "not the password")
        assert wrong.status_code == 400
        assert "De naam of het wachtwoord klopt niet." in wrong.text
        assert "geschorst" not in wrong.text and "intimidatie" not in wrong.text
    spent = await log_in_as(client, "anna", PASSWORD)
    assert spent.status_code == 429  # the budget is spent, even for the right password
    assert "geschorst" not in spent.text


@pytest.mark.parametrize("change", ["tampered", "expired", "junk", "empty"])
async def test_a_bad_token_is_refused(
    client: httpx.AsyncClient,
    database: Database,
    neighbourhood: Neighbourhood,
    resident: Account,
    neighbour: Account,
    change: str,
) -> None:
    action = await suspend(database, neighbourhood, resident)
    page = await log_in_as(client, "anna", PASSWORD)
    found = TOKEN.search(page.text)
    assert found is not None and action.id is not None and neighbour.id is not None
    account_id, action_id, expires, signature = found.group(1).split(".")
    token = {
        # someone else's name on a real signature
        "tampered": f"{neighbour.id}.{action_id}.{expires}.{signature}",
        "expired": appeal_tokens.make_token(
            SECRET,
            appeal_tokens.AppealGrant(int(account_id), action.id),
            utcnow() - appeal_tokens.LIFETIME - timedelta(minutes=1),
        ),
        "junk": "1.2.3.\N{SUPERSCRIPT TWO}",
        "empty": "",
    }[change]
    form = {"csrf_token": csrf_token_in(page.text), "token": token, "text": "Onterecht."}
    refused = await client.post("/appeals/suspended", data=form)
    assert refused.status_code == 400
    assert "Dit formulier is verlopen" in refused.text
    assert await rows(database, Appeal) == []


def test_a_token_names_its_account_and_action() -> None:
    now = utcnow()
    grant = appeal_tokens.AppealGrant(7, 11)
    token = appeal_tokens.make_token(SECRET, grant, now)
    assert appeal_tokens.read_token(SECRET, token, now) == grant
    assert appeal_tokens.read_token("another secret key", token, now) is None
    assert appeal_tokens.read_token(SECRET, token, now + appeal_tokens.LIFETIME * 2) is None
