"""Reports between buurtnet and Fedify, an independent ActivityPub server, on loopback: the
peer's `Flag` about a post here reaches the neighbourhood's moderators at `/moderation`, with the
server as reporter; one that names nothing here is refused with the reason; and a report that a
moderator forwards reaches the peer as a `Flag` from our instance actor, without the reporter."""

import json

import pytest

from buurtnet.core import permissions
from buurtnet.models import Account, Duty, Neighbourhood, Visibility
from buurtnet.moderation import reports
from buurtnet.moderation.reports import QueueItem
from tests.conftest import make_account, write_post
from tests.federation.fedify import FedifyPeer
from tests.federation.instances import (
    Instance,
    logged_in,
    page_text,
    post_by_uri,
    remote_account,
)
from tests.kit.waiting import wait_until

COMMENT = "Reclame, elke dag opnieuw"


@pytest.fixture
async def mila(buurtnet: Instance, vogelwijk: Neighbourhood) -> Account:
    """Vogelwijk's moderator."""
    return await make_account(
        buurtnet.database, "mila", duty=Duty.MODERATOR, neighbourhood=vogelwijk
    )


async def queue_of(buurtnet: Instance, moderator: Account) -> list[QueueItem]:
    async with buurtnet.database.reading() as session:
        return await reports.queue(session, await permissions.roles_of(session, moderator))


async def test_fedifys_flag_about_a_post_here_reaches_the_moderators_queue(
    buurtnet: Instance, peer: FedifyPeer, anna: Account, vogelwijk: Neighbourhood, mila: Account
) -> None:
    post = await write_post(buurtnet.database, anna, "Koop nu!", visibility=Visibility.PUBLIC)
    anna_url = buurtnet.actor_url("anna")
    sent = await peer.flag([anna_url, buurtnet.post_url("anna", post)], anna_url, COMMENT)
    assert sent["delivered"], sent["error"]

    async def queued() -> list[QueueItem] | None:
        return await queue_of(buurtnet, mila) or None

    [item] = await wait_until(queued, within=10)
    assert item.reporter is None  # the server, never a person
    assert item.report.reporter_domain == peer.host
    assert item.target is not None and item.target.id == anna.id
    assert (item.report.comment, item.post_count) == (COMMENT, 1)
    assert item.report.uri == sent["id"]
    async with logged_in(buurtnet, "mila") as browser:
        queue = await page_text(browser, "/moderation")
        report = await page_text(browser, f"/moderation/reports/{item.report.id}")
    assert f"server {peer.host}" in queue and "@anna" in queue
    assert f"server {peer.host}" in report and COMMENT in report and "Koop nu!" in report
    assert "alice" not in queue + report  # the peer's person is not shown as the reporter


async def test_fedifys_flag_naming_nothing_here_is_refused_with_the_reason(
    buurtnet: Instance, peer: FedifyPeer, anna: Account, mila: Account
) -> None:
    sent = await peer.flag([peer.actor_url], buurtnet.actor_url("anna"), COMMENT)
    assert not sent["delivered"]
    [answer] = [entry for entry in await peer.sent() if entry["id"] == sent["id"]]
    assert answer["error"] is not None and "400" in answer["error"], answer
    assert await queue_of(buurtnet, mila) == []


async def test_a_forwarded_report_reaches_fedify_from_our_instance_without_the_reporter(
    buurtnet: Instance, peer: FedifyPeer, anna: Account, vogelwijk: Neighbourhood, mila: Account
) -> None:
    bram = await make_account(buurtnet.database, "bram", neighbourhood=vogelwijk)
    hers = await write_post(
        buurtnet.database, anna, "Wie heeft een ladder?", visibility=Visibility.PUBLIC
    )
    created = await peer.create(
        [buurtnet.actor_url("anna")],
        "Koop een ladder bij alice!",
        in_reply_to=buurtnet.post_url("anna", hers),
        public=True,
    )
    assert created["delivered"], created["error"]
    post = await wait_until(lambda: post_by_uri(buurtnet, created["note"]), within=10)
    alice = await remote_account(buurtnet, peer.actor_url)
    assert alice is not None and post.id is not None
    draft = reports.ReportDraft("spam", COMMENT, (post.id,))
    async with buurtnet.database.transaction() as session:
        report = await reports.file_report(session, bram, alice.id or 0, draft)
    async with buurtnet.database.transaction() as session:
        roles = await permissions.roles_of(session, mila)
        await reports.forward(session, mila, roles, report.id or 0)

    flag = await peer.wait_for("Flag")
    instance = buurtnet.federation.uris.instance_actor()
    assert flag["actor"] == instance  # verified by Fedify, with our instance's key
    assert flag["signature"] is not None and flag["signature"]["keyId"] == f"{instance}#main-key"
    assert flag["raw"]["object"] == [peer.actor_url, created["note"]]
    assert flag["raw"]["content"] == COMMENT
    everything = json.dumps([flag["raw"], flag["json"]])
    for reporter in ("bram", buurtnet.actor_url("bram"), "mila"):
        assert reporter not in everything
