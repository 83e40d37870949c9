"""Posts as Mastodon, GoToSocial, Mobilizon, Lemmy, Misskey and Fedify send them: each one goes
through the inbox, is stored, and shows on its page with its author's @name@host."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.federation.remote_actors import actor_by_uri
from buurtnet.models import Account, Post
from tests.conftest import BASE_URL, add_follow, log_in
from tests.kit.federation import run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import key_pair, sign_like_remote

FIXTURES = Path(__file__).parent / "data" / "federation"
CREATES = sorted(FIXTURES.glob("*/create_*.json"))
KEY_NUMBER = 3  # the key pair every recorded actor gets (`with_our_key`)


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def with_our_key(person: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The fixture's actor with a key we hold, so we can sign as its server would."""
    public_pem = key_pair(KEY_NUMBER)[1]
    keys = person["publicKey"] if isinstance(person["publicKey"], list) else [person["publicKey"]]
    patched = [key | {"publicKeyPem": public_pem} for key in keys]
    person = person | {
        "publicKey": patched if isinstance(person["publicKey"], list) else patched[0]
    }
    return person, patched[0]["id"]


async def deliver_signed(
    client: httpx.AsyncClient, activity: dict[str, Any], key_id: str
) -> httpx.Response:
    body = json.dumps(activity).encode()
    headers = sign_like_remote(
        "POST", f"{BASE_URL}/inbox", body, key_id=key_id, key_number=KEY_NUMBER
    )
    return await client.post("/inbox", content=body, headers=headers)


@pytest.mark.parametrize("path", CREATES, ids=lambda path: f"{path.parent.name}/{path.stem}")
async def test_a_create_from_each_server_is_stored_and_shown(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    path: Path,
) -> None:
    activity = load(path)
    person, key_id = with_our_key(load(path.parent / "person.json"))
    network.serve(person)
    author = await actor_by_uri(app.state.federation, person["id"])
    await add_follow(database, resident, author)
    response = await deliver_signed(client, activity, key_id)
    assert response.status_code == 202, response.text
    await run_queue(app)
    note = activity["object"]
    async with database.reading() as session:
        post = (await session.exec(select(Post).where(Post.uri == note["id"]))).one()
    assert post.author_id == author.id
    assert "<script" not in post.content_html
    await log_in(client, "anna")
    page = await client.get(f"/posts/{post.id}")
    assert page.status_code == 200
    assert f"@{author.handle}" in page.text
    words = post.source.split()
    assert words and words[0] in page.text


@pytest.mark.parametrize("name", ["announce_create_page", "announce_page"])
async def test_a_lemmy_group_s_announce_brings_the_post_of_a_member(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    name: str,
) -> None:
    """Lemmy announces the Create or the Page; the post is fetched from its own origin."""
    folder = FIXTURES / "lemmy"
    announce = load(folder / f"{name}.json")
    group, key_id = with_our_key(load(folder / "group.json"))
    person, _ = with_our_key(load(folder / "person.json"))
    page = load(folder / "announce_page.json")["object"]
    for document in (group, person, page):
        network.serve(document)
    stored_group = await actor_by_uri(app.state.federation, group["id"])
    await add_follow(database, resident, stored_group)
    response = await deliver_signed(client, announce, key_id)
    assert response.status_code == 202, response.text
    await run_queue(app)
    async with database.reading() as session:
        post = (await session.exec(select(Post).where(Post.uri == page["id"]))).one()
    assert page["id"] in network.fetched  # not taken from the group's word
    await log_in(client, "anna")
    home = await client.get("/")
    assert post.source.split()[0] in home.text
