"""The welcome after joining, through the web: sign-up lands on it, the home page offers it until
it is saved or skipped, the photo goes through the settings' upload, the neighbours read
"Nieuw in de buurt" and see the street on the profile."""

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.config import Settings
from buurtnet.core import invites
from buurtnet.db import Database
from buurtnet.models import Account, Duty, Neighbourhood
from tests.conftest import browser_for, csrf_token, log_in, make_account, post_form
from tests.test_welcome import with_places as set_places

NEW_PERSON = {
    "username": "jan",
    "display_name": "Jan",
    "email": "jan@example.org",
    "password": "fietsen langs de gracht",
    "password_again": "fietsen langs de gracht",
    "accept_rules": "yes",
}
WELCOME_LINK = 'href="/welcome"'


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
async def with_places(database: Database, neighbourhood: Neighbourhood) -> Neighbourhood:
    """Vogelwijk, listing "Lindenstraat" and "De Linde (flat)"."""
    await set_places(database, neighbourhood)
    return neighbourhood


async def stored(database: Database, username: str) -> Account:
    async with database.reading() as session:
        query = select(Account).where(col(Account.username) == username)
        return (await session.exec(query)).one()


async def save(
    client: httpx.AsyncClient, data: dict[str, str], photo: bytes | None = None
) -> httpx.Response:
    token = await csrf_token(client, "/welcome")
    files = {"avatar": ("ik.png", photo, "image/png")} if photo is not None else None
    return await client.post("/welcome", data={"csrf_token": token, **data}, files=files)


async def test_a_new_resident_lands_on_the_welcome_and_the_neighbours_hear_of_it(
    app: Starlette, client: httpx.AsyncClient, database: Database, with_places: Neighbourhood
) -> None:
    await make_account(database, "anna", neighbourhood=with_places)
    director = await make_account(database, "dirk", neighbourhood=with_places, duty=Duty.DIRECTOR)
    async with database.transaction() as session:
        code = (await invites.create_invite(session, with_places, director)).code

    signed_up = await post_form(
        client, "/register", "/register", {**NEW_PERSON, "invite_code": code}
    )
    assert signed_up.status_code == 303 and signed_up.headers["location"] == "/welcome"
    page = (await client.get("/welcome")).text
    assert "Welkom in Vogelwijk!" in page
    assert '<option value="">Zeg ik liever niet</option>' in page
    assert "<option>Lindenstraat</option>" in page
    assert WELCOME_LINK in (await client.get("/")).text

    saved = await save(
        client, {"bio": "Ik woon hier sinds maart.", "place": "Lindenstraat"}, png_bytes()
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/"
    jan = await stored(database, "jan")
    assert (jan.bio, jan.place) == ("Ik woon hier sinds maart.", "Lindenstraat")
    assert jan.welcomed_at is not None and jan.avatar_key is not None
    assert await app.state.services.storage.load(jan.avatar_key) is not None
    assert WELCOME_LINK not in (await client.get("/")).text

    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        news = (await anna.get("/notifications")).text
        assert 'Nieuw in de buurt: <a href="/@jan">Jan</a>' in news
        assert "Straat of complex: Lindenstraat" in (await anna.get("/@jan")).text
    async with browser_for(app) as visitor:
        profile = (await visitor.get("/@jan")).text
        assert "Ik woon hier sinds maart." in profile and "Lindenstraat" not in profile


async def test_skipping_ends_the_offer(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    home = (await client.get("/")).text
    assert WELCOME_LINK in home and "Nieuw hier?" in home
    page = (await client.get("/welcome")).text
    assert 'name="place"' not in page  # the neighbourhood lists no streets
    skipped = await post_form(client, "/welcome", "/welcome/skip", {})
    assert skipped.status_code == 303 and skipped.headers["location"] == "/"
    assert WELCOME_LINK not in (await client.get("/")).text
    assert (await stored(database, "anna")).welcomed_at is not None
    assert (await client.get("/welcome")).status_code == 200  # still there to open


async def test_a_wrong_place_keeps_what_was_typed_and_stores_no_photo(
    client: httpx.AsyncClient,
    database: Database,
    settings: Settings,
    with_places: Neighbourhood,
    resident: Account,
) -> None:
    await log_in(client, "anna")
    answer = await save(client, {"bio": "Hallo!", "place": "Kastanjelaan"}, png_bytes())
    assert answer.status_code == 400
    assert "Kies een straat of complex uit de lijst." in answer.text
    assert 'aria-invalid="true"' in answer.text and ">Hallo!</textarea>" in answer.text
    anna = await stored(database, "anna")
    assert (anna.bio, anna.place, anna.avatar_key, anna.welcomed_at) == ("", "", None, None)
    media = Path(settings.data_dir) / "media"
    assert [path for path in media.rglob("*") if path.is_file()] == []


async def test_a_file_that_is_no_image_is_explained(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    answer = await save(client, {"bio": "Hallo!"}, b"geen plaatje")
    assert answer.status_code == 400
    assert 'id="avatar-error"' in answer.text
    assert (await stored(database, "anna")).welcomed_at is None


async def test_the_settings_lead_back_to_the_welcome_page(
    client: httpx.AsyncClient, with_places: Neighbourhood, resident: Account
) -> None:
    await log_in(client, "anna")
    settings_page = (await client.get("/settings")).text
    assert WELCOME_LINK in settings_page and "Uw foto, straat of een zin" in settings_page
    welcome_page = (await client.get("/welcome")).text
    assert 'name="place"' in welcome_page and "via Instellingen" in welcome_page


async def test_the_welcome_needs_a_login_and_a_csrf_token(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    assert (await client.get("/welcome")).headers["location"].startswith("/login")
    await log_in(client, "anna")
    for path in ("/welcome", "/welcome/skip"):
        assert (await client.post(path, data={"bio": "x"})).status_code == 403
    assert (await stored(database, "anna")).welcomed_at is None
