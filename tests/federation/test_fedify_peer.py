"""The Fedify peer alone: its actor, its WebFinger and its control API answer as a peer should."""

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.federation.fedify import FedifyPeer, FedifyPeerError, start_fedify_peer

ACTIVITY_JSON = "application/activity+json"


@pytest.fixture
async def peer() -> AsyncIterator[FedifyPeer]:
    async with start_fedify_peer() as peer:
        yield peer


async def test_the_actor_document_is_a_person_with_an_rsa_key_and_inboxes(peer: FedifyPeer) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(peer.actor_url, headers={"Accept": ACTIVITY_JSON})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(ACTIVITY_JSON)
    actor = response.json()
    assert actor["id"] == peer.actor_url
    assert actor["type"] == "Person"
    assert actor["preferredUsername"] == "alice"
    assert actor["inbox"] == peer.inbox_url
    assert actor["endpoints"]["sharedInbox"] == peer.shared_inbox_url
    assert actor["followers"] == f"{peer.actor_url}/followers"
    assert actor["publicKey"]["id"] == f"{peer.actor_url}#main-key"
    assert actor["publicKey"]["owner"] == peer.actor_url
    assert actor["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")


async def test_webfinger_finds_alice_by_her_handle(peer: FedifyPeer) -> None:
    async with httpx.AsyncClient(base_url=peer.base_url) as client:
        response = await client.get(
            "/.well-known/webfinger", params={"resource": f"acct:{peer.handle}"}
        )
        unknown = await client.get(
            "/.well-known/webfinger", params={"resource": f"acct:bob@{peer.host}"}
        )

    assert response.status_code == 200
    document = response.json()
    assert document["subject"] == f"acct:{peer.handle}"
    self_links = [link for link in document["links"] if link["rel"] == "self"]
    assert self_links == [{"rel": "self", "href": peer.actor_url, "type": ACTIVITY_JSON}]
    assert unknown.status_code == 404


async def test_lookup_parses_its_own_actor(peer: FedifyPeer) -> None:
    result = await peer.lookup(peer.actor_url)

    assert result["found"] is True
    assert result["type"] == "Person"
    assert result["id"] == peer.actor_url
    assert result["json"] is not None
    assert result["json"]["inbox"] == peer.inbox_url


async def test_lookup_of_nothing_is_not_found(peer: FedifyPeer) -> None:
    result = await peer.lookup(f"{peer.base_url}/users/nobody")

    assert result == {"found": False, "type": None, "id": None, "json": None}


async def test_a_new_peer_has_received_nothing_and_has_no_followers(peer: FedifyPeer) -> None:
    assert await peer.received() == []
    assert await peer.followers() == []


async def test_an_unsigned_activity_is_refused_and_not_recorded(peer: FedifyPeer) -> None:
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{peer.base_url}/forged/1",
        "type": "Follow",
        "actor": f"{peer.base_url}/users/alice",
        "object": peer.actor_url,
    }
    async with httpx.AsyncClient() as client:
        response = await client.post(
            peer.inbox_url, json=follow, headers={"Content-Type": ACTIVITY_JSON}
        )

    assert response.status_code == 401
    assert await peer.received() == []
    [logged] = await peer.inbox_log()
    assert logged["status"] == 401
    assert logged["signature"] == {"spec": None, "keyId": None}


async def test_a_failing_control_call_raises(peer: FedifyPeer) -> None:
    with pytest.raises(FedifyPeerError, match="404"):
        await peer.follow(f"{peer.base_url}/users/nobody")
