"""Profile pages, following, muting and blocking from them, and the profile settings."""

import io
import json

import httpx
from PIL import Image
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.core import posts, relations
from buurtnet.db import Database
from buurtnet.models import Account, AccountStatus, Job, Neighbourhood, Visibility
from tests.conftest import browser_for, csrf_token, log_in, make_account, post_form


async def write(database: Database, author: Account, source: str, visibility: Visibility) -> None:
    async with database.transaction() as session:
        draft = posts.Draft(source=source, visibility=visibility)
        await posts.create_post(session, author, draft)


async def set_fields(database: Database, account: Account, **fields: object) -> None:
    async with database.transaction() as session:
        stored = await session.get(Account, account.id)
        assert stored is not None
        for name, value in fields.items():
            setattr(stored, name, value)


async def stored(database: Database, account: Account) -> Account:
    async with database.reading() as session:
        found = await session.get(Account, account.id)
    assert found is not None
    return found


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return buffer.getvalue()


async def test_a_profile_shows_the_person_and_their_public_posts_to_visitors(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await set_fields(
        database, resident, display_name="Anna de Vries", bio="Hallo <b>buren</b>\nTweede regel"
    )
    await write(database, resident, "Openbaar bericht", Visibility.PUBLIC)
    await write(database, resident, "Alleen voor de buurt", Visibility.NEIGHBOURHOOD)
    page = await client.get("/@anna")
    assert page.status_code == 200
    assert "Anna de Vries" in page.text and "@anna" in page.text
    assert "Hallo &lt;b&gt;buren&lt;/b&gt;<br>" in page.text.replace("<br />", "<br>")
    assert 'class="avatar avatar-initial"' in page.text
    assert "Vogelwijk" in page.text
    assert "Openbaar bericht" in page.text
    assert "Alleen voor de buurt" not in page.text
    assert "/follow" not in page.text  # no buttons for visitors
    assert (await client.get("/@ANNA")).status_code == 200


async def test_an_avatar_is_shown_with_a_text_alternative(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await set_fields(database, resident, avatar_key="abc.png")
    page = await client.get("/@anna")
    assert '<img class="avatar" src="/media/abc.png" alt="' in page.text


async def test_unknown_deleted_and_pending_people_have_no_profile(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    gone = await make_account(database, "weg", neighbourhood=neighbourhood)
    waiting = await make_account(database, "nieuw", neighbourhood=neighbourhood)
    await set_fields(database, gone, status=AccountStatus.DELETED)
    await set_fields(database, waiting, status=AccountStatus.PENDING)
    for path in ("/@weg", "/@nieuw", "/@niemand"):
        assert (await client.get(path)).status_code == 404, path


async def test_follow_and_unfollow_from_the_profile(
    app: Starlette, client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "anna", neighbourhood=neighbourhood)
    bram = await make_account(database, "bram", neighbourhood=neighbourhood)
    await write(database, bram, "Voor mijn volgers", Visibility.FOLLOWERS)
    await log_in(client, "anna")
    before = await client.get("/@bram")
    assert "Voor mijn volgers" not in before.text
    followed = await post_form(client, "/@bram", "/@bram/follow", {})
    assert (followed.status_code, followed.headers["location"]) == (303, "/@bram")
    page = await client.get("/@bram")
    assert "Voor mijn volgers" in page.text and 'action="/@bram/unfollow"' in page.text
    async with browser_for(app) as bram_browser:
        await log_in(bram_browser, "bram")
        assert 'action="/@anna/follow"' in (await bram_browser.get("/@anna")).text
    await post_form(client, "/@bram", "/@bram/unfollow", {})
    assert 'action="/@bram/follow"' in (await client.get("/@bram")).text
    assert bram.id is not None
    async with database.reading() as session:
        assert (await relations.counts(session, bram.id)).followers == 0


async def test_mute_and_unmute(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "anna", neighbourhood=neighbourhood)
    await make_account(database, "bram", neighbourhood=neighbourhood)
    await log_in(client, "anna")
    await post_form(client, "/@bram", "/@bram/mute", {})
    assert 'action="/@bram/unmute"' in (await client.get("/@bram")).text
    await post_form(client, "/@bram", "/@bram/unmute", {})
    assert 'action="/@bram/mute"' in (await client.get("/@bram")).text


async def test_blocking_asks_first_and_then_hides_the_profile_from_the_blocked(
    app: Starlette, client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "anna", neighbourhood=neighbourhood)
    await make_account(database, "bram", neighbourhood=neighbourhood)
    await log_in(client, "anna")
    confirm = await client.get("/@bram/block")
    assert confirm.status_code == 200 and 'action="/@bram/block"' in confirm.text
    blocked = await post_form(client, "/@bram/block", "/@bram/block", {})
    assert (blocked.status_code, blocked.headers["location"]) == (303, "/@bram")
    own_view = await client.get("/@bram")
    assert own_view.status_code == 200 and 'action="/@bram/unblock"' in own_view.text
    assert 'action="/@bram/follow"' not in own_view.text
    async with browser_for(app) as bram_browser:
        await log_in(bram_browser, "bram")
        assert (await bram_browser.get("/@anna")).status_code == 404
        refused = await post_form(bram_browser, "/@bram", "/@anna/follow", {})
        assert refused.status_code == 400
    await post_form(client, "/@bram", "/@bram/unblock", {})
    assert 'action="/@bram/follow"' in (await client.get("/@bram")).text


async def test_buttons_for_oneself_and_for_others_need_a_login(
    client: httpx.AsyncClient, resident: Account
) -> None:
    assert (await client.get("/@anna/block")).status_code == 303  # to the login page
    await log_in(client, "anna")
    own = await client.get("/@anna")
    assert 'href="/settings"' in own.text and "/@anna/follow" not in own.text
    refused = await post_form(client, "/@anna", "/@anna/follow", {})
    assert refused.status_code == 400


async def test_every_people_form_refuses_a_missing_csrf_token(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "anna", neighbourhood=neighbourhood)
    await make_account(database, "bram", neighbourhood=neighbourhood)
    await log_in(client, "anna")
    for path in (
        *(f"/@bram/{action}" for action in ("follow", "unfollow", "mute", "unmute")),
        *(f"/@bram/{action}" for action in ("block", "unblock")),
        "/settings/avatar",
        "/settings/avatar/remove",
        "/settings/export",
        "/settings/delete",
    ):
        assert (await client.post(path, data={"password": "x"})).status_code == 403, path
    assert 'action="/@bram/follow"' in (await client.get("/@bram")).text


async def test_the_bio_is_saved_cleaned_and_limited(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    data = {
        "display_name": "Anna",
        "locale": "",
        "bio": "Eerste\u202e regel\r\nTweede\u200b regel  ",
    }
    saved = await post_form(client, "/settings", "/settings/profile", data)
    assert saved.status_code == 303
    assert (await stored(database, resident)).bio == "Eerste regel\nTweede regel"
    too_long = await post_form(client, "/settings", "/settings/profile", data | {"bio": "x" * 1001})
    assert too_long.status_code == 400
    assert 'id="bio-error"' in too_long.text
    assert (await stored(database, resident)).bio == "Eerste regel\nTweede regel"
    settings_page = await client.get("/settings")
    assert 'href="/settings/export"' in settings_page.text
    assert 'href="/settings/delete"' in settings_page.text


async def test_a_photo_is_uploaded_replaced_and_removed(
    app: Starlette, client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    storage = app.state.services.storage
    keys = []
    for _ in range(2):
        token = await csrf_token(client, "/settings")
        response = await client.post(
            "/settings/avatar",
            data={"csrf_token": token},
            files={"avatar": ("ik.png", png_bytes(), "image/png")},
        )
        assert response.status_code == 303, response.text
        key = (await stored(database, resident)).avatar_key
        assert key is not None and await storage.load(key) is not None
        keys.append(key)
    assert f'src="/media/{keys[1]}"' in (await client.get("/@anna")).text
    removed = await post_form(client, "/settings", "/settings/avatar/remove", {})
    assert removed.status_code == 303
    assert (await stored(database, resident)).avatar_key is None
    async with database.reading() as session:
        jobs = (await session.exec(select(Job))).all()
    assert [json.loads(job.payload)["keys"] for job in jobs] == [[keys[0]], [keys[1]]]


async def test_a_file_that_is_no_image_is_refused_with_a_message(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    for files in ({"avatar": ("ik.png", b"not an image", "image/png")}, {}):
        token = await csrf_token(client, "/settings")
        response = await client.post(
            "/settings/avatar", data={"csrf_token": token}, files=files or None
        )
        assert response.status_code == 400
        assert 'id="avatar-error"' in response.text
    assert (await stored(database, resident)).avatar_key is None
