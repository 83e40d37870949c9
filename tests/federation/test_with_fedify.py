"""buurtnet and Fedify, an independent ActivityPub server, on loopback: each finds, follows and
hears the other, and what Fedify verified is what we sent (issue 4, "Done when")."""

import httpx
from sqlmodel import col, func, select

from buurtnet.core import relations
from buurtnet.federation.remote_actors import actor_by_uri
from buurtnet.models import (
    Account,
    Follow,
    FollowRequest,
    Job,
    Neighbourhood,
    NeighbourhoodFollower,
    Notification,
    NotificationKind,
    Post,
    ReceivedActivity,
    Visibility,
)
from tests.conftest import write_post
from tests.federation import fedify
from tests.federation.fedify import FedifyPeer
from tests.federation.instances import (
    Instance,
    logged_in,
    page_text,
    post_by_uri,
    remote_account,
)
from tests.kit.waiting import wait_until

ACTIVITY_JSON = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def followed_by_fedify(
    buurtnet: Instance, peer: FedifyPeer, actor_url: str
) -> fedify.ReceivedActivity:
    """Fedify follows one of our actors; the Accept it verified."""
    follow = await peer.follow(actor_url)
    assert follow["delivered"], follow["error"]
    accept = await peer.wait_for("Accept", object_id=follow["id"])
    assert accept["actor"] == actor_url
    return accept


async def test_fedify_finds_a_resident_and_a_neighbourhood(
    buurtnet: Instance, peer: FedifyPeer, anna: Account
) -> None:
    anna_url, group_url = buurtnet.actor_url("anna"), buurtnet.group_url("vogelwijk")
    async with buurtnet.browser() as http:
        for name, url in (("anna", anna_url), ("vogelwijk", group_url)):
            resource = f"acct:{name}@{buurtnet.host}"
            found = await http.get("/.well-known/webfinger", params={"resource": resource})
            assert found.status_code == 200, found.text
            assert found.json()["subject"] == resource
            links = [link for link in found.json()["links"] if link["rel"] == "self"]
            assert links == [{"rel": "self", "type": ACTIVITY_JSON, "href": url}]

    person = await peer.lookup(anna_url)
    group = await peer.lookup(group_url)

    assert (person["found"], person["type"], person["id"]) == (True, "Person", anna_url)
    assert person["json"] is not None
    assert person["json"]["preferredUsername"] == "anna"
    assert person["json"]["inbox"] == f"{anna_url}/inbox"
    assert (group["found"], group["type"], group["id"]) == (True, "Group", group_url)
    assert group["json"] is not None
    assert group["json"]["preferredUsername"] == "vogelwijk"


async def test_fedify_follows_a_resident_and_a_neighbourhood_and_both_accept(
    buurtnet: Instance, peer: FedifyPeer, anna: Account, vogelwijk: Neighbourhood
) -> None:
    await followed_by_fedify(buurtnet, peer, buurtnet.actor_url("anna"))
    await followed_by_fedify(buurtnet, peer, buurtnet.group_url("vogelwijk"))

    alice = await remote_account(buurtnet, peer.actor_url)
    assert alice is not None and alice.domain == peer.host
    async with buurtnet.database.reading() as session:
        assert await session.get(Follow, (alice.id, anna.id)) is not None
        member = await session.get(NeighbourhoodFollower, (vogelwijk.id, alice.id))
        assert member is not None and member.accepted
        told = await session.exec(
            select(Notification).where(
                col(Notification.recipient_id) == anna.id,
                col(Notification.kind) == NotificationKind.FOLLOW,
            )
        )
        assert [found.actor_id for found in told.all()] == [alice.id]


async def test_a_resident_follows_fedify_and_is_accepted(
    buurtnet: Instance, peer: FedifyPeer, anna: Account
) -> None:
    alice = await actor_by_uri(buurtnet.federation, peer.actor_url)
    assert alice.id is not None and alice.actor_type == "Person"
    async with buurtnet.database.transaction() as session:
        await relations.follow(session, anna, alice.id)

    async def follows_alice() -> bool:
        async with buurtnet.database.reading() as session:
            return await session.get(Follow, (anna.id, alice.id)) is not None

    await wait_until(follows_alice)  # Fedify's Accept came back and was taken in
    assert buurtnet.actor_url("anna") in await peer.followers()
    [follow] = [heard for heard in await peer.received() if heard["type"] == "Follow"]
    assert follow["actor"] == buurtnet.actor_url("anna")
    assert follow["object"] == peer.actor_url
    assert follow["signature"] == {
        "spec": "draft-cavage",
        "keyId": buurtnet.actor_url("anna") + "#main-key",
    }
    async with buurtnet.database.reading() as session:
        assert await session.get(FollowRequest, (anna.id, alice.id)) is None


async def test_a_public_post_reaches_fedify_as_a_signed_create_and_the_groups_announce(
    buurtnet: Instance, peer: FedifyPeer, anna: Account
) -> None:
    anna_url, group_url = buurtnet.actor_url("anna"), buurtnet.group_url("vogelwijk")
    await followed_by_fedify(buurtnet, peer, anna_url)
    await followed_by_fedify(buurtnet, peer, group_url)

    post = await write_post(
        buurtnet.database, anna, "Wie heeft er een ladder te leen?", visibility=Visibility.PUBLIC
    )
    note_url = buurtnet.post_url("anna", post)
    create = await peer.wait_for("Create", object_id=note_url)
    shared_note = await peer.wait_for("Announce", object_id=note_url)
    shared_create = await peer.wait_for("Announce", object_id=f"{note_url}/activity")

    assert create["actor"] == anna_url
    assert create["signature"] == {"spec": "draft-cavage", "keyId": f"{anna_url}#main-key"}
    assert create["objectType"] == "Note"
    assert create["objectJson"] is not None
    assert "Wie heeft er een ladder te leen?" in create["objectJson"]["content"]
    assert create["raw"]["to"] == [PUBLIC]
    for announce in (shared_note, shared_create):
        assert announce["actor"] == group_url
        assert announce["signature"] == {"spec": "draft-cavage", "keyId": f"{group_url}#main-key"}
        assert announce["raw"]["to"] == [PUBLIC]
    assert shared_create["objectType"] == "Create"


async def test_a_reply_from_fedify_tells_the_resident(
    buurtnet: Instance, peer: FedifyPeer, anna: Account
) -> None:
    post = await write_post(
        buurtnet.database, anna, "De bibliotheek is zaterdag open", visibility=Visibility.PUBLIC
    )
    anna_url = buurtnet.actor_url("anna")

    sent = await peer.create(
        [anna_url],
        "<p>Dank je wel, Anna!</p>",
        in_reply_to=buurtnet.post_url("anna", post),
        public=True,
    )
    assert sent["delivered"], sent["error"]

    async def stored_reply() -> Post | None:
        return await post_by_uri(buurtnet, sent["note"])

    reply = await wait_until(stored_reply)
    assert reply.in_reply_to_id == post.id
    async with logged_in(buurtnet, "anna") as browser:
        notifications = await page_text(browser, "/notifications")
        thread = await page_text(browser, f"/posts/{post.id}")
    assert "Alice (Fedify peer)" in notifications
    assert f'href="/posts/{reply.id}"' in notifications
    assert "Dank je wel, Anna!" in thread


async def test_an_unsigned_activity_is_refused_and_leaves_no_trace(
    buurtnet: Instance, peer: FedifyPeer, anna: Account
) -> None:
    forged_id = f"{peer.actor_url}/notes/forged"
    create = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{forged_id}/activity",
        "type": "Create",
        "actor": peer.actor_url,
        "to": [buurtnet.actor_url("anna")],
        "object": {
            "id": forged_id,
            "type": "Note",
            "attributedTo": peer.actor_url,
            "content": "<p>Niet ondertekend</p>",
            "to": [buurtnet.actor_url("anna")],
        },
    }
    async with httpx.AsyncClient() as http:
        answers = [
            await http.post(inbox, json=create, headers={"Content-Type": ACTIVITY_JSON})
            for inbox in (f"{buurtnet.actor_url('anna')}/inbox", f"{buurtnet.base_url}/inbox")
        ]

    assert [answer.status_code for answer in answers] == [401, 401]
    async with buurtnet.database.reading() as session:
        received = await session.exec(select(func.count()).select_from(ReceivedActivity))
        queued = await session.exec(select(func.count()).select_from(Job))
        stored = await session.exec(select(func.count()).select_from(Post))
        assert (received.one(), queued.one(), stored.one()) == (0, 0, 0)
    assert await remote_account(buurtnet, peer.actor_url) is None  # not even a key fetched
