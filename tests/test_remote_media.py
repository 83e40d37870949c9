"""Photos of posts from elsewhere are fetched once, processed like uploads and shown from here;
what cannot be fetched becomes a link in the post."""

import io
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.app import media_storage
from buurtnet.db import Database
from buurtnet.models import Account, MediaAttachment, Post
from tests.conftest import add_follow, log_in
from tests.kit.as2 import create, delete_of, note
from tests.kit.federation import account_of, deliver, meet, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB

PHOTO_URL = "https://files.social.example/media/stoel.png"


@pytest.fixture
async def followed(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    """Anna follows Bob, so that what he posts concerns us."""
    await meet(client, BOB)
    await add_follow(database, resident, await account_of(database, BOB))


def png(width: int = 120, height: int = 80) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(buffer, "PNG")
    return buffer.getvalue()


def image(url: str, name: str = "Een houten stoel op de stoep") -> dict[str, Any]:
    return {"type": "Document", "mediaType": "image/png", "url": url, "name": name}


async def post_with(client: httpx.AsyncClient, database: Database, *images: dict[str, Any]) -> Post:
    item = note(BOB, 7, content="<p>Gratis af te halen</p>", attachment=list(images))
    assert (await deliver(client, BOB, create(BOB, item))).status_code == 202
    async with database.reading() as session:
        return (await session.exec(select(Post).where(Post.uri == item["id"]))).one()


async def attachments_of(database: Database, post: Post) -> list[MediaAttachment]:
    async with database.reading() as session:
        query = select(MediaAttachment).where(MediaAttachment.post_id == post.id)
        return list((await session.exec(query.order_by(col(MediaAttachment.position)))).all())


async def test_a_photo_is_fetched_once_stored_here_and_shown_from_here(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    followed: None,
) -> None:
    network.images[PHOTO_URL] = png()
    post = await post_with(client, database, image(PHOTO_URL))
    assert PHOTO_URL not in post.content_html  # not linked: it is on its way
    await run_queue(app)
    [stored] = await attachments_of(database, post)
    assert (stored.width, stored.height, stored.alt_text) == (
        120,
        80,
        "Een houten stoel op de stoep",
    )
    storage = media_storage(app.state.services.settings)
    assert await storage.load(stored.storage_key) and await storage.load(stored.thumbnail_key)
    assert network.fetched.count(PHOTO_URL) == 1
    await log_in(client, "anna")
    page = (await client.get(f"/posts/{post.id}")).text
    assert f"/media/{stored.thumbnail_key}" in page or f"/media/{stored.storage_key}" in page
    assert "files.social.example" not in page  # our pages load nothing from elsewhere


@pytest.mark.parametrize(
    "served", [None, b"<html>geen plaatje</html>"], ids=["gone", "not-an-image"]
)
async def test_a_photo_that_cannot_be_had_becomes_a_link(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    followed: None,
    served: bytes | None,
) -> None:
    if served is not None:
        network.images[PHOTO_URL] = served
    post = await post_with(client, database, image(PHOTO_URL))
    await run_queue(app)
    assert await attachments_of(database, post) == []
    async with database.reading() as session:
        content = (await session.get_one(Post, post.id)).content_html
    assert f'href="{PHOTO_URL}"' in content and "Een houten stoel op de stoep" in content


async def test_photos_beyond_four_stay_links(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    followed: None,
) -> None:
    urls = [f"https://files.social.example/media/{number}.png" for number in range(6)]
    for url in urls:
        network.images[url] = png()
    post = await post_with(
        client, database, *(image(url, f"foto {n}") for n, url in enumerate(urls))
    )
    assert [url in post.content_html for url in urls] == [False] * 4 + [True] * 2
    await run_queue(app)
    assert [a.alt_text for a in await attachments_of(database, post)] == [
        f"foto {number}" for number in range(4)
    ]


async def test_a_photo_of_a_post_deleted_meanwhile_is_not_kept(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    followed: None,
) -> None:
    network.images[PHOTO_URL] = png()
    post = await post_with(client, database, image(PHOTO_URL))
    assert post.uri is not None
    assert (await deliver(client, BOB, delete_of(BOB, post.uri))).status_code == 202
    await run_queue(app)
    async with database.reading() as session:
        assert (await session.exec(select(MediaAttachment))).all() == []
    storage_folder = app.state.services.settings.data_dir / "media"
    assert not storage_folder.exists() or list(storage_folder.iterdir()) == []
