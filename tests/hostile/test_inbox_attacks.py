"""INTEROP.md's attack list: each is refused with a 4xx (or a harmless 202) and stores nothing."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import col, func, select
from starlette.applications import Starlette

from buurtnet.app import create_app
from buurtnet.config import Settings
from buurtnet.db import Database
from buurtnet.federation.flood import FloodGuard
from buurtnet.models import Account, DomainBlock, Job, Post, ReceivedActivity, Visibility
from tests.conftest import BASE_URL, browser_for, write_post
from tests.kit.as2 import create, delete_of, follow_of, note, update_of
from tests.kit.federation import deliver, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB, RemoteActor, sign_like_remote

EVE = RemoteActor("eve", domain="evil.example", key_number=1)
CAROL = RemoteActor("carol", domain="other.example", key_number=2)


@pytest.fixture
def network(network: FakeNetwork) -> FakeNetwork:
    """Bob, and Eve and Carol on servers of their own."""
    network.add(EVE)
    network.add(CAROL)
    return network


async def nothing_stored(database: Database) -> bool:
    async with database.reading() as session:
        activities = (await session.exec(select(func.count()).select_from(ReceivedActivity))).one()
        queued = (await session.exec(select(func.count()).select_from(Job))).one()
        remote = (await session.exec(select(func.count()).where(col(Post.uri).is_not(None)))).one()
    return activities == queued == remote == 0


def follow_body() -> bytes:
    return json.dumps(follow_of(BOB, f"{BASE_URL}/users/anna")).encode()


async def post_raw(
    client: httpx.AsyncClient, body: bytes, headers: dict[str, str]
) -> httpx.Response:
    return await client.post("/inbox", content=body, headers=headers)


def tampered_signature(headers: dict[str, str]) -> dict[str, str]:
    value = headers["Signature"]
    start = value.index('signature="') + len('signature="')
    flipped = "A" if value[start] != "A" else "B"
    return {**headers, "Signature": value[:start] + flipped + value[start + 1 :]}


def without_digest_in_signature(body: bytes) -> dict[str, str]:
    url = f"{BASE_URL}/inbox"
    signed = BOB.signed("GET", url)
    digest = BOB.signed("POST", url, body)
    return {**signed, "Digest": digest["Digest"], "Content-Type": "application/activity+json"}


@pytest.mark.parametrize(
    "how",
    ["no signature", "no digest signed", "bad signature bytes", "digest mismatch", "body changed"],
)
async def test_bad_signatures_get_401(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork, how: str
) -> None:
    body = follow_body()
    headers = BOB.signed("POST", f"{BASE_URL}/inbox", body)
    if how == "no signature":
        headers = {"Content-Type": "application/activity+json"}
    elif how == "no digest signed":
        headers = without_digest_in_signature(body)
    elif how == "bad signature bytes":
        headers = tampered_signature(headers)
    elif how == "digest mismatch":
        headers = {**headers, "Digest": "SHA-256=" + "A" * 43 + "="}
    elif how == "body changed":
        body = body.replace(b"anna", b"bram")
    response = await post_raw(client, body, headers)
    assert response.status_code == 401, response.text
    assert response.json()["error"]
    assert await nothing_stored(database)


@pytest.mark.parametrize("hours", [-2, 2])
async def test_a_date_two_hours_off_is_refused(
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    hours: int,
) -> None:
    when = datetime.now(UTC) + timedelta(hours=hours)
    response = await deliver(client, BOB, follow_of(BOB, f"{BASE_URL}/users/anna"), now=when)
    assert response.status_code == 401
    assert "date" in response.json()["error"]
    assert await nothing_stored(database)
    assert network.fetched == []  # refused before its key was looked for


async def test_a_tampered_body_is_refused_before_its_key_is_fetched(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    body = follow_body()
    headers = BOB.signed("POST", f"{BASE_URL}/inbox", body)
    response = await post_raw(client, body.replace(b"anna", b"bram"), headers)
    assert response.status_code == 401
    assert "digest" in response.json()["error"]
    assert network.fetched == []


async def test_a_key_of_one_actor_cannot_sign_for_another(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    activity = follow_of(CAROL, f"{BASE_URL}/users/anna")  # claims to be carol, signed by eve
    response = await deliver(client, EVE, activity)
    assert response.status_code == 401
    assert await nothing_stored(database)


async def test_a_key_document_whose_owner_does_not_claim_it_is_refused(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    mallory = RemoteActor("mallory", domain="evil.example", key_number=1)
    network.serve(
        {
            "id": f"{mallory.id}/main-key",
            "owner": BOB.id,  # bob names another key as his
            "publicKeyPem": network.documents[EVE.id]["publicKey"]["publicKeyPem"],
        }
    )
    body = json.dumps(follow_of(BOB, f"{BASE_URL}/users/anna")).encode()
    headers = sign_like_remote(
        "POST",
        f"{BASE_URL}/inbox",
        body,
        key_id=f"{mallory.id}/main-key",
        key_number=mallory.key_number,
    )
    response = await post_raw(client, body, headers)
    assert response.status_code == 401
    assert await nothing_stored(database)


async def test_a_post_attributed_to_someone_else_is_not_stored(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    post = await write_post(database, resident, "Vraag", visibility=Visibility.PUBLIC)
    reply = note(EVE, 1, attributedTo=CAROL.id, inReplyTo=f"{BASE_URL}/posts/{post.id}")
    assert (await deliver(client, EVE, create(EVE, reply))).status_code == 202
    await run_queue(app)
    async with database.reading() as session:
        assert (
            await session.exec(select(func.count()).where(col(Post.uri).is_not(None)))
        ).one() == 0


async def test_an_embedded_post_from_another_origin_is_fetched_from_there(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    post = await write_post(database, resident, "Vraag", visibility=Visibility.PUBLIC)
    forged = note(CAROL, 5, inReplyTo=f"{BASE_URL}/posts/{post.id}", content="<p>vervalst</p>")
    activity = create(EVE, forged) | {"id": f"{EVE.id}/activities/1"}
    assert (await deliver(client, EVE, activity)).status_code == 202
    await run_queue(app)
    assert forged["id"] in network.fetched  # not believed: looked up at carol's server (404 there)
    async with database.reading() as session:
        assert (
            await session.exec(select(func.count()).where(col(Post.uri).is_not(None)))
        ).one() == 0


async def test_only_the_author_can_delete_or_update_a_post(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    post = await write_post(database, resident, "Vraag", visibility=Visibility.PUBLIC)
    reply = note(BOB, 3, inReplyTo=f"{BASE_URL}/posts/{post.id}")
    await deliver(client, BOB, create(BOB, reply))
    await run_queue(app)
    delete = delete_of(EVE, reply["id"])
    update = update_of(EVE, reply | {"content": "<p>anders</p>"})
    person = update_of(EVE, BOB.document() | {"name": "Eve"}, number=2)
    for activity in (delete, update, person):
        assert (await deliver(client, EVE, activity)).status_code == 202
    await run_queue(app)
    async with database.reading() as session:
        [stored] = (await session.exec(select(Post).where(col(Post.uri) == reply["id"]))).all()
        bob = (await session.exec(select(Account).where(Account.actor_uri == BOB.id))).one()
    assert "Goedemorgen" in stored.content_html
    assert bob.display_name == "Bob"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[" * 10_000 + b"]" * 10_000, 400),
        (b'{"id": "\xff\xfe"}', 400),
        (b"[]", 400),
        (b"{}", 400),
        (b"x" * (1024 * 1024 + 1), 413),
    ],
    ids=["deep", "not utf-8", "array", "no id", "over 1 MB"],
)
async def test_malformed_bodies_are_refused(
    client: httpx.AsyncClient, database: Database, network: FakeNetwork, body: bytes, status: int
) -> None:
    headers = BOB.signed("POST", f"{BASE_URL}/inbox", body)
    response = await post_raw(client, body, headers)
    assert response.status_code == status
    assert await nothing_stored(database)
    assert network.fetched == []


async def test_a_suspended_server_is_refused_before_any_key_fetch(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    async with database.transaction() as session:
        session.add(DomainBlock(domain="evil.example"))
    response = await deliver(client, EVE, follow_of(EVE, f"{BASE_URL}/users/anna"))
    assert response.status_code == 403
    assert network.fetched == []
    assert await nothing_stored(database)


async def test_a_flood_from_one_address_gets_429(
    app: Starlette, client: httpx.AsyncClient, database: Database, network: FakeNetwork
) -> None:
    guard = FloodGuard(limit=3, window_seconds=300)
    assert [guard.hit("1.2.3.4", now=0.0) for _ in range(4)] == [None, None, None, 300]
    assert guard.hit("1.2.3.4", now=301.0) is None  # the window moved on
    assert guard.hit("5.6.7.8", now=0.0) is None  # another address has its own count


async def test_the_inbox_answers_429_with_retry_after(
    settings: Settings, database: Database
) -> None:
    app = create_app(replace(settings, inbox_limit=2), database=database)
    async with app.router.lifespan_context(app), browser_for(app) as http:
        answers = [(await http.post("/inbox", content=b"{}")).status_code for _ in range(3)]
        last = await http.post("/inbox", content=b"{}")
    assert answers == [401, 401, 429]  # unsigned: refused before it is read
    assert last.status_code == 429 and int(last.headers["Retry-After"]) > 0


async def test_an_activity_id_on_another_server_is_refused(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    """Else eve could take carol's activity ids in advance, and carol's would be dropped."""
    activity = follow_of(EVE, f"{BASE_URL}/users/anna") | {"id": f"{CAROL.id}#follows/1"}
    response = await deliver(client, EVE, activity)
    assert response.status_code == 400
    assert "id" in response.json()["error"]
    assert await nothing_stored(database)


@pytest.mark.parametrize(
    "key_host",
    ["127.0.0.1:9", "[::1]:9", "10.0.0.1", "169.254.169.254", "[::ffff:127.0.0.1]:9", "0.0.0.0:9"],
)
async def test_a_key_on_a_private_address_is_never_fetched(
    client: httpx.AsyncClient, database: Database, resident: Account, key_host: str
) -> None:
    """The app's own HTTP client (no fake network here) refuses before it connects."""
    mallory = RemoteActor("mallory", domain=key_host, key_number=1)
    activity = follow_of(mallory, f"{BASE_URL}/users/anna") | {"id": f"{mallory.id}#follows/1"}
    response = await deliver(client, mallory, activity)
    assert response.status_code == 401
    assert "could not be fetched" in response.json()["error"]
    assert await nothing_stored(database)
