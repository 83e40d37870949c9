"""An admin suspends the Fedify peer's server on the page of blocked servers: what it sends is
refused from then on, and what its people wrote is gone from every page (issue 15)."""

from sqlmodel import col, func, select

from buurtnet.core import relations
from buurtnet.federation.remote_actors import actor_by_uri
from buurtnet.models import Account, Follow, Post, ReceivedActivity, Role
from tests.conftest import make_account, post_form
from tests.federation.fedify import FedifyPeer
from tests.federation.instances import Instance, logged_in, page_text, post_by_uri
from tests.kit.waiting import wait_until


async def test_a_suspended_peer_is_refused_and_its_posts_are_gone(
    buurtnet: Instance, peer: FedifyPeer, anna: Account
) -> None:
    alice = await actor_by_uri(buurtnet.federation, peer.actor_url)
    assert alice.id is not None
    async with buurtnet.database.transaction() as session:
        await relations.follow(session, anna, alice.id)

    async def follows_alice() -> bool:
        async with buurtnet.database.reading() as session:
            return await session.get(Follow, (anna.id, alice.id)) is not None

    await wait_until(follows_alice)
    anna_url = buurtnet.actor_url("anna")
    sent = await peer.create([anna_url], "<p>Tulpen in het park</p>", public=True)
    assert sent["delivered"], sent["error"]

    async def stored() -> Post | None:
        return await post_by_uri(buurtnet, sent["note"])

    post = await wait_until(stored)
    async with logged_in(buurtnet, "anna") as browser:
        assert "Tulpen in het park" in await page_text(browser, "/")
        assert "Tulpen in het park" in await page_text(browser, f"/posts/{post.id}")

    await make_account(buurtnet.database, "beheer", role=Role.ADMIN)
    async with logged_in(buurtnet, "beheer") as admin:
        form = {"domain": peer.host, "severity": "suspend", "private_comment": "Proef"}
        saved = await post_form(admin, "/admin/domains", "/admin/domains", form)
        assert saved.status_code == 303
        assert peer.host in await page_text(admin, "/admin/domains")

    async with buurtnet.database.reading() as session:
        received = (await session.exec(select(func.count()).select_from(ReceivedActivity))).one()
    refused = await peer.create([anna_url], "<p>Nog een bericht</p>", public=True)
    assert not refused["delivered"]
    # Fedify knocks again with another signature and reports the last answer; a Join with a
    # message goes out once, signed as before, and shows what the inbox answered.
    joined = await peer.join(f"{buurtnet.base_url}/events/1", anna_url, "Mag ik meedoen?")
    assert (joined["delivered"], (joined["error"] or "")[:3]) == (False, "403")
    assert "does not federate" in (joined["error"] or "")

    async with logged_in(buurtnet, "anna") as browser:
        assert "Tulpen in het park" not in await page_text(browser, "/")
        assert (await browser.get(f"/posts/{post.id}")).status_code == 404
    async with buurtnet.database.reading() as session:
        assert await session.get(Follow, (anna.id, alice.id)) is None
        after = (await session.exec(select(func.count()).select_from(ReceivedActivity))).one()
        newer = await session.exec(select(Post).where(col(Post.source).contains("Nog een")))
        assert (after, newer.all()) == (received, [])
