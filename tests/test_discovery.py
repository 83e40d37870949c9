"""Discovery as other servers use it: WebFinger, host-meta, NodeInfo, our actors and collections
as ActivityPub JSON, and one URL answering JSON to servers and HTML to browsers."""

import xml.etree.ElementTree as ElementTree

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from buurtnet.core import account_deletion, accounts, relations, site
from buurtnet.db import Database
from buurtnet.federation import webfinger
from buurtnet.federation.negotiation import json_type_asked
from buurtnet.federation.uris import Uris
from buurtnet.models import (
    Account,
    AccountStatus,
    Follow,
    Neighbourhood,
    NeighbourhoodFollower,
    RegistrationMode,
    Visibility,
)
from tests.conftest import PASSWORD, make_account, write_post

ACTIVITY = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
AP = {"Accept": ACTIVITY}
WEBFINGER = "/.well-known/webfinger"


async def finger(client: httpx.AsyncClient, resource: str) -> httpx.Response:
    return await client.get(WEBFINGER, params={"resource": resource})


def self_link(jrd: dict[str, object]) -> str:
    links = jrd["links"]
    assert isinstance(links, list)
    [found] = [link for link in links if link["rel"] == "self"]
    assert found["type"] == ACTIVITY
    return str(found["href"])


async def make_remote(database: Database, name: str) -> Account:
    async with database.transaction() as session:
        account = Account(
            username=name,
            username_key=f"{name}@remote.example",
            domain="remote.example",
            actor_uri=f"https://remote.example/users/{name}",
        )
        session.add(account)
    return account


async def make_with_status(database: Database, username: str, status: AccountStatus) -> Account:
    new = accounts.NewAccount(username, f"{username}@example.org", PASSWORD, status=status)
    async with database.transaction() as session:
        return await accounts.create_account(session, new)


@pytest.mark.parametrize(
    "resource",
    [
        "acct:anna@testserver",
        "acct:ANNA@TestServer",
        "anna@testserver",
        "http://testserver/users/anna",
        "http://testserver/@anna",
        "http://testserver/users/Anna",
    ],
)
async def test_webfinger_finds_a_resident_and_round_trips(
    client: httpx.AsyncClient, resident: Account, resource: str
) -> None:
    response = await finger(client, resource)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jrd+json"
    assert response.headers["access-control-allow-origin"] == "*"
    jrd = response.json()
    assert jrd["subject"] == "acct:anna@testserver"
    assert set(jrd["aliases"]) == {"http://testserver/users/anna", "http://testserver/@anna"}
    profile_rel = "http://webfinger.net/rel/profile-page"
    page = [link for link in jrd["links"] if link["rel"] == profile_rel]
    assert page == [{"rel": profile_rel, "type": "text/html", "href": "http://testserver/@anna"}]
    actor = (await client.get(self_link(jrd), headers=AP)).json()
    assert actor["id"] == self_link(jrd)
    again = await finger(client, f"acct:{actor['preferredUsername']}@testserver")
    assert self_link(again.json()) == actor["id"]


@pytest.mark.parametrize("resource", ["acct:vogelwijk@testserver", "http://testserver/n/vogelwijk"])
async def test_webfinger_finds_a_neighbourhood_as_its_group(
    client: httpx.AsyncClient, neighbourhood: Neighbourhood, resource: str
) -> None:
    jrd = (await finger(client, resource)).json()
    assert jrd["subject"] == "acct:vogelwijk@testserver"
    group = (await client.get(self_link(jrd), headers=AP)).json()
    assert (group["type"], group["id"]) == ("Group", "http://testserver/n/vogelwijk")
    assert group["preferredUsername"] == "vogelwijk"


async def test_webfinger_finds_the_instance_actor(client: httpx.AsyncClient) -> None:
    for resource in ("acct:buurtnet@testserver", "http://testserver/actor"):
        assert self_link((await finger(client, resource)).json()) == "http://testserver/actor"


@pytest.mark.parametrize(
    "resource",
    [
        "acct:anna@elsewhere.example",
        "https://elsewhere.example/users/anna",
        "acct:nobody@testserver",
        "http://testserver/users/nobody",
        "http://testserver/tags/anna",
        "acct:carla@testserver",
        "acct:dirk@testserver",
        "http://testserver/users/dirk",
    ],
)
async def test_webfinger_404s_what_is_not_ours_or_not_there(
    client: httpx.AsyncClient, database: Database, resident: Account, resource: str
) -> None:
    await make_with_status(database, "carla", AccountStatus.PENDING)
    dirk = await make_account(database, "dirk")
    async with database.transaction() as session:
        await account_deletion.delete_account(session, dirk)
    response = await finger(client, resource)
    assert response.status_code == 404
    assert response.json()["error"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?resource=",
        "?resource=anna",
        "?resource=acct:@testserver",
        "?resource=acct:a@b@testserver",
        "?resource=acct:anna@",
    ],
)
async def test_webfinger_refuses_garbage_with_400(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(WEBFINGER + query)
    assert response.status_code == 400
    assert response.json()["error"]


def test_webfinger_takes_a_host_with_a_port() -> None:
    uris, host = Uris.for_base("http://127.0.0.1:8000"), "127.0.0.1:8000"
    wanted = webfinger.parse_resource("acct:anna@127.0.0.1:8000", uris, host)
    assert wanted == webfinger.Wanted(webfinger.ActorKind.ANY, "anna")
    assert webfinger.person_jrd("anna", uris, host)["subject"] == "acct:anna@127.0.0.1:8000"


async def test_host_meta_points_to_webfinger(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/host-meta")
    assert response.headers["content-type"].startswith("application/xrd+xml")
    xrd = ElementTree.fromstring(response.text)  # noqa: S314 - our own document
    link = xrd.find("{http://docs.oasis-open.org/ns/xri/xrd-1.0}Link")
    assert link is not None and link.get("rel") == "lrdd"
    assert link.get("template") == "http://testserver/.well-known/webfinger?resource={uri}"
    as_json = (await client.get("/.well-known/host-meta.json")).json()
    assert as_json["links"][0]["template"] == link.get("template")


@pytest.mark.parametrize("version", ["2.0", "2.1"])
async def test_nodeinfo_describes_the_instance_and_counts_local_active_people(
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    neighbour: Account,
    version: str,
) -> None:
    await make_with_status(database, "carla", AccountStatus.PENDING)
    await make_remote(database, "erik")
    await write_post(database, resident, "Wie helpt zaterdag?", visibility=Visibility.PUBLIC)
    await write_post(database, resident, "Alleen voor de buurt")
    links = (await client.get("/.well-known/nodeinfo")).json()["links"]
    schema = f"http://nodeinfo.diaspora.software/ns/schema/{version}"
    [href] = [link["href"] for link in links if link["rel"] == schema]
    response = await client.get(href)
    assert response.headers["content-type"] == f'application/json; profile="{schema}#"'
    info = response.json()
    assert info["version"] == version
    assert info["software"] == {"name": "buurtnet", "version": "0.1.0"}
    assert info["protocols"] == ["activitypub"]
    assert info["openRegistrations"] is False  # invite codes by default
    users = {"total": 2, "activeMonth": 1, "activeHalfyear": 1}
    assert info["usage"] == {"users": users, "localPosts": 2}
    assert info["metadata"]["nodeName"] == "Buurtnet"
    async with database.transaction() as session:
        await site.set_registration_mode(session, RegistrationMode.APPROVAL)
    assert (await client.get(href)).json()["openRegistrations"] is True
    assert (await client.get("/nodeinfo/3.0")).status_code == 404


def public_key_of(actor: dict[str, object]) -> RSAPublicKey:
    key = actor["publicKey"]
    assert isinstance(key, dict) and key["owner"] == actor["id"]
    assert key["id"] == f"{actor['id']}#main-key"
    loaded = load_pem_public_key(key["publicKeyPem"].encode())
    assert isinstance(loaded, RSAPublicKey)
    return loaded


async def test_actor_documents_carry_a_lasting_public_key(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    async with database.transaction() as session:
        stored = await session.get(Neighbourhood, neighbourhood.id)
        assert stored is not None
        stored.approves_remote_followers = True
    paths = {"/users/anna": "Person", "/n/vogelwijk": "Group", "/actor": "Application"}
    for path, kind in paths.items():
        first = (await client.get(path, headers=AP)).json()
        second = (await client.get(path, headers=AP)).json()
        assert (first["type"], first["id"]) == (kind, "http://testserver" + path)
        assert first["@context"][0] == "https://www.w3.org/ns/activitystreams"
        assert public_key_of(first).public_numbers() == public_key_of(second).public_numbers()
        assert first["endpoints"]["sharedInbox"] == "http://testserver/inbox"
    person = (await client.get("/users/anna", headers=AP)).json()
    assert person["followers"] == "http://testserver/users/anna/followers"
    assert person["following"] == "http://testserver/users/anna/following"
    group = (await client.get("/n/vogelwijk", headers=AP)).json()
    assert group["manuallyApprovesFollowers"] is True
    assert group["outbox"] == "http://testserver/n/vogelwijk/outbox"
    instance = (await client.get("/actor", headers=AP)).json()
    assert instance["preferredUsername"] == "buurtnet"


async def test_deleted_accounts_are_gone_and_pending_ones_not_found(
    client: httpx.AsyncClient, database: Database
) -> None:
    await make_with_status(database, "carla", AccountStatus.PENDING)
    dirk = await make_account(database, "dirk")
    async with database.transaction() as session:
        await account_deletion.delete_account(session, dirk)
    assert (await client.get("/users/dirk", headers=AP)).status_code == 410
    assert (await client.get("/users/carla", headers=AP)).status_code == 404
    missing = await client.get("/users/nobody", headers=AP)
    assert missing.status_code == 404 and missing.json() == {"error": "not found"}


@pytest.mark.parametrize("accept", [ACTIVITY, LD, "application/activity+json, text/html;q=0.5"])
async def test_every_negotiated_url_answers_json_to_servers(
    client: httpx.AsyncClient, database: Database, resident: Account, accept: str
) -> None:
    post = await write_post(database, resident, "Opruimdag!", visibility=Visibility.PUBLIC)
    expected = {
        "/users/anna": "http://testserver/users/anna",
        "/@anna": "http://testserver/users/anna",
        "/n/vogelwijk": "http://testserver/n/vogelwijk",
        f"/posts/{post.id}": f"http://testserver/users/anna/statuses/{post.id}",
        f"/users/anna/statuses/{post.id}": f"http://testserver/users/anna/statuses/{post.id}",
    }
    for path, actor_id in expected.items():
        response = await client.get(path, headers={"Accept": accept})
        assert response.status_code == 200, path
        assert response.headers["content-type"] == (LD if accept == LD else ACTIVITY)
        assert response.headers["vary"] == "Accept"
        assert response.json()["id"] == actor_id


async def test_every_negotiated_url_answers_html_to_browsers(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    post = await write_post(database, resident, "Opruimdag!", visibility=Visibility.PUBLIC)
    pages = ["/@anna", "/n/vogelwijk", f"/posts/{post.id}"]
    redirects = {"/users/anna": "/@anna", f"/users/anna/statuses/{post.id}": f"/posts/{post.id}"}
    for accept in (BROWSER, "*/*", "text/html"):
        for path in pages:
            response = await client.get(path, headers={"Accept": accept})
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/html")
            assert "Accept" in response.headers["vary"]
        for path, page in redirects.items():
            response = await client.get(path, headers={"Accept": accept})
            assert response.status_code == 302
            assert response.headers["location"] == "http://testserver" + page


def test_accept_headers_choose_json_only_when_asked_outright() -> None:
    assert json_type_asked(BROWSER) is None
    assert json_type_asked("*/*") is None
    assert json_type_asked("text/html, application/activity+json;q=0.5") is None
    assert json_type_asked("application/json") == ACTIVITY
    assert json_type_asked('application/ld+json; profile="x", application/activity+json') == LD


@pytest.mark.parametrize(
    "visibility", [Visibility.NEIGHBOURHOOD, Visibility.FOLLOWERS, Visibility.DIRECT]
)
async def test_only_public_posts_are_served(
    client: httpx.AsyncClient, database: Database, resident: Account, visibility: Visibility
) -> None:
    post = await write_post(database, resident, "Niet voor iedereen", visibility=visibility)
    for path in (
        f"/posts/{post.id}",
        f"/users/anna/statuses/{post.id}",
        f"/users/anna/statuses/{post.id}/activity",
    ):
        response = await client.get(path, headers=AP)
        assert response.status_code == 404 and response.json()["error"]
    outbox = (await client.get("/users/anna/outbox?page=1", headers=AP)).json()
    assert outbox["totalItems"] == 0 and outbox["orderedItems"] == []
    group_outbox = (await client.get("/n/vogelwijk/outbox?page=1", headers=AP)).json()
    assert group_outbox["totalItems"] == 0


async def test_a_post_under_another_authors_url_is_not_found(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write_post(database, resident, "Van Anna", visibility=Visibility.PUBLIC)
    assert (await client.get(f"/users/bram/statuses/{post.id}", headers=AP)).status_code == 404
    assert (await client.get("/posts/99999999999999999999", headers=AP)).status_code == 404
    activity = (await client.get(f"/users/anna/statuses/{post.id}/activity", headers=AP)).json()
    assert activity["type"] == "Create" and activity["object"]["id"].endswith(f"/{post.id}")


async def test_outboxes_page_twenty_public_posts_at_a_time_newest_first(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    written = [
        await write_post(database, resident, f"Bericht {n}", visibility=Visibility.PUBLIC)
        for n in range(25)
    ]
    await write_post(database, resident, "Alleen voor de buurt")
    for outbox, kind in (("/users/anna/outbox", "Create"), ("/n/vogelwijk/outbox", "Announce")):
        collection = (await client.get(outbox, headers=AP)).json()
        assert (collection["type"], collection["totalItems"]) == ("OrderedCollection", 25)
        first = (await client.get(collection["first"], headers=AP)).json()
        assert first["type"] == "OrderedCollectionPage"
        assert first["partOf"] == "http://testserver" + outbox
        assert len(first["orderedItems"]) == 20 and "prev" not in first
        newest = first["orderedItems"][0]
        assert newest["type"] == kind  # the group's outbox: what it passed on (FEP-1b12)
        if kind == "Announce":
            assert newest["actor"] == "http://testserver/n/vogelwijk"
            newest = newest["object"]
        assert newest["object"]["id"] == f"http://testserver/users/anna/statuses/{written[-1].id}"
        second = (await client.get(first["next"], headers=AP)).json()
        assert second["id"] == f"http://testserver{outbox}?page=2"
        assert len(second["orderedItems"]) == 5 and "next" not in second
        oldest = second["orderedItems"][-1]["object"]
        oldest = (oldest["object"] if kind == "Announce" else oldest)["id"]
        assert oldest.endswith(f"/statuses/{written[0].id}")
        by_true = (await client.get(outbox + "?page=true", headers=AP)).json()
        assert by_true["orderedItems"] == first["orderedItems"]
        assert (await client.get(outbox + "?page=0", headers=AP)).status_code == 400


async def test_followers_and_following_list_local_and_remote_actors(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    fans = [await make_account(database, f"fan{n:02d}") for n in range(21)]
    erik, frank = await make_remote(database, "erik"), await make_remote(database, "frank")
    async with database.transaction() as session:
        for fan in fans:
            assert fan.id is not None
            await relations.follow(session, fan, resident.id or 0)
        for fan in fans[:20]:  # exactly one page: no `next`
            await relations.follow(session, resident, fan.id or 0)
        session.add(Follow(follower_id=erik.id or 0, followed_id=resident.id or 0))
        for account, accepted in ((erik, True), (frank, False)):
            row = NeighbourhoodFollower(
                neighbourhood_id=neighbourhood.id or 0,
                account_id=account.id or 0,
                uri=f"{account.actor_uri}#follow",
                accepted=accepted,
            )
            session.add(row)
    followers = (await client.get("/users/anna/followers", headers=AP)).json()
    assert followers["totalItems"] == 22
    first = (await client.get(followers["first"], headers=AP)).json()
    second = (await client.get(first["next"], headers=AP)).json()
    everyone = first["orderedItems"] + second["orderedItems"]
    assert len(first["orderedItems"]) == 20 and "next" not in second
    assert "https://remote.example/users/erik" in everyone
    assert "http://testserver/users/fan07" in everyone and len(set(everyone)) == 22
    following = (await client.get("/users/anna/following?page=1", headers=AP)).json()
    assert following["totalItems"] == 20 and "next" not in following
    assert len(following["orderedItems"]) == 20
    assert "http://testserver/users/fan20" not in following["orderedItems"]
    group = (await client.get("/n/vogelwijk/followers?page=1", headers=AP)).json()
    assert group["totalItems"] == 1
    assert group["orderedItems"] == ["https://remote.example/users/erik"]
