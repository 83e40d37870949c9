"""Delivery: signed POSTs, chunked fan-out, final and retried outcomes, unavailable domains, and no
delivery lost to a crashing or dead worker."""

import asyncio
import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlmodel import col, select

from buurtnet import job_queue
from buurtnet.config import Settings
from buurtnet.db import Database
from buurtnet.federation import delivery, keys, signatures
from buurtnet.federation.context import Federation
from buurtnet.federation.fetch import ConnectionFailed, FetchTimeout, ForbiddenAddress
from buurtnet.models import DomainBlock, Job, JobStatus, KeyPair, RemoteDomain, utcnow
from tests.kit.federation import federation_on, worker_for
from tests.kit.network import FakeNetwork

ACTOR = "http://testserver/users/anna"
OWNER = keys.account_owner(1)
ACTIVITY = {"id": ACTOR + "#likes/1-1", "type": "Like", "actor": ACTOR, "object": "x"}


@pytest.fixture
def network() -> FakeNetwork:
    return FakeNetwork()


@pytest.fixture
def federation(settings: Settings, database: Database, network: FakeNetwork) -> Federation:
    return federation_on(network, settings, database)


async def queued(database: Database, name: str = delivery.DELIVER) -> list[Job]:
    async with database.reading() as session:
        found = await session.exec(select(Job).where(Job.name == name).order_by(col(Job.id)))
        return list(found.all())


async def send(database: Database, inboxes: list[str], *, attempt: int = 1) -> None:
    async with database.transaction() as session:
        delivery.deliver_later(session, OWNER, ACTIVITY, inboxes)
        if attempt != 1:
            job = session.new.copy().pop()
            assert isinstance(job, Job)
            job.payload = json.dumps({**json.loads(job.payload), "attempt": attempt})


async def domain(database: Database, name: str) -> RemoteDomain | None:
    async with database.reading() as session:
        return await session.get(RemoteDomain, name)


async def test_a_fan_out_is_chunked_and_each_inbox_is_sent_once(
    database: Database, federation: Federation, network: FakeNetwork
) -> None:
    inboxes = [f"https://s{number}.example/inbox" for number in range(120)]
    await send(database, inboxes + inboxes[:10])
    chunks = [json.loads(job.payload)["inboxes"] for job in await queued(database)]
    assert [len(chunk) for chunk in chunks] == [50, 50, 20]
    await worker_for(federation).run_until_empty()
    assert network.urls() == sorted(inboxes)
    assert await queued(database) == []


async def test_each_request_is_signed_with_the_actors_key_and_verifies(
    database: Database, federation: Federation, network: FakeNetwork
) -> None:
    await send(database, ["https://remote.example/inbox"])
    await worker_for(federation).run_until_empty()
    [sent] = network.posted
    assert sent.headers["content-type"] == "application/activity+json"
    assert sent.body == {"@context": sent.body["@context"], **ACTIVITY}
    params = signatures.parse_signature(sent.headers)
    assert params.key_id == ACTOR + "#main-key"
    assert {"(request-target)", "host", "date", "digest"} <= set(params.signed_headers)
    async with database.reading() as session:
        pair = await session.get(KeyPair, OWNER)
    assert pair is not None
    path = urlsplit(sent.url).path
    request = signatures.SignedRequest("POST", path, "", sent.headers, sent.content)
    public_key = signatures.load_public_key(pair.public_key_pem)
    assert signatures.verify(request, params, public_key, utcnow()) is signatures.Verdict.OK
    tampered = signatures.SignedRequest("POST", "/inbox", "", sent.headers, sent.content + b" ")
    assert signatures.verify(tampered, params, public_key, utcnow()) is not signatures.Verdict.OK


@pytest.mark.parametrize("answer", [410, 404, 400, 401, ForbiddenAddress("10.0.0.1")])
async def test_refusals_are_final(
    database: Database, federation: Federation, network: FakeNetwork, answer: int | Exception
) -> None:
    network.answers["https://gone.example/inbox"] = answer
    await send(database, ["https://gone.example/inbox"])
    await worker_for(federation).run_until_empty()
    assert len(network.posted) == 1
    assert await queued(database) == []
    found = await domain(database, "gone.example")
    assert found is None or found.failures == 0


@pytest.mark.parametrize("answer", [500, 503, 408, 429, ConnectionFailed("x"), FetchTimeout("x")])
async def test_failures_are_retried_later_for_just_the_failed_inboxes(
    database: Database, federation: Federation, network: FakeNetwork, answer: int | Exception
) -> None:
    network.answers["https://down.example/inbox"] = answer
    await send(database, ["https://down.example/inbox", "https://up.example/inbox"])
    await worker_for(federation).run_until_empty()
    [retry] = await queued(database)
    payload = json.loads(retry.payload)
    assert payload["inboxes"] == ["https://down.example/inbox"]
    assert payload["attempt"] == 2
    assert payload["body"] == network.posted[0].content.decode()
    expected = utcnow() + job_queue.retry_delay(1)
    assert expected - timedelta(seconds=5) < retry.run_after.replace(tzinfo=expected.tzinfo)
    assert retry.run_after.replace(tzinfo=expected.tzinfo) < expected + timedelta(seconds=5)
    failing = await domain(database, "down.example")
    assert failing is not None and failing.failures == 1 and failing.failing_since is not None
    assert not failing.unavailable


async def test_the_back_off_grows_and_gives_up_after_the_last_attempt(
    database: Database, federation: Federation, network: FakeNetwork
) -> None:
    network.answers["https://down.example/inbox"] = 502
    await send(database, ["https://down.example/inbox"], attempt=5)
    await worker_for(federation).run_until_empty()
    [retry] = await queued(database)
    assert json.loads(retry.payload)["attempt"] == 6
    assert retry.run_after.replace(tzinfo=None) > (utcnow() + timedelta(minutes=7)).replace(
        tzinfo=None
    )
    async with database.transaction() as session:
        await session.delete(retry)
    await send(database, ["https://down.example/inbox"], attempt=job_queue.MAX_ATTEMPTS)
    await worker_for(federation).run_until_empty()
    assert await queued(database) == []


async def test_a_domain_failing_for_a_day_is_unavailable_skipped_and_cleared_by_a_success(
    database: Database, federation: Federation, network: FakeNetwork
) -> None:
    async with database.transaction() as session:
        session.add(
            RemoteDomain(
                domain="down.example", failures=9, failing_since=utcnow() - timedelta(hours=25)
            )
        )
    network.answers["https://down.example/inbox"] = 503
    await send(database, ["https://down.example/inbox"])
    await worker_for(federation).run_until_empty()
    found = await domain(database, "down.example")
    assert found is not None and found.unavailable and found.failures == 10
    async with database.transaction() as session:
        for job in (await session.exec(select(Job))).all():
            job.run_after = utcnow()  # the retry is due: it is skipped, not sent
    network.posted.clear()
    await send(database, ["https://down.example/inbox"])
    await worker_for(federation).run_until_empty()
    assert network.posted == []
    assert await queued(database) == []

    async with database.transaction() as session:  # it answered (the inbox side clears this too)
        stored = await session.get(RemoteDomain, "down.example")
        assert stored is not None
        stored.unavailable = False
    network.answers["https://down.example/inbox"] = 202
    await send(database, ["https://down.example/inbox"])
    await worker_for(federation).run_until_empty()
    cleared = await domain(database, "down.example")
    assert cleared is not None
    assert (cleared.failures, cleared.failing_since, cleared.unavailable) == (0, None, False)


async def test_a_failing_domain_is_not_unavailable_before_a_day(
    database: Database, federation: Federation, network: FakeNetwork
) -> None:
    async with database.transaction() as session:
        session.add(
            RemoteDomain(
                domain="down.example", failures=9, failing_since=utcnow() - timedelta(hours=23)
            )
        )
    network.answers["https://down.example/inbox"] = 503
    await send(database, ["https://down.example/inbox"])
    await worker_for(federation).run_until_empty()
    found = await domain(database, "down.example")
    assert found is not None and not found.unavailable


async def test_suspended_domains_get_nothing(
    database: Database, federation: Federation, network: FakeNetwork
) -> None:
    async with database.transaction() as session:
        session.add(DomainBlock(domain="bad.example"))
    await send(database, ["https://bad.example/inbox", "https://good.example/inbox"])
    await worker_for(federation).run_until_empty()
    assert network.urls() == ["https://good.example/inbox"]


async def test_a_worker_that_crashes_mid_batch_loses_no_delivery(
    database: Database, settings: Settings
) -> None:
    crashing = FakeNetwork(crash_after=1)
    inboxes = [f"https://s{number}.example/inbox" for number in range(5)]
    await send(database, inboxes)
    await worker_for(federation_on(crashing, settings, database)).run_until_empty()
    [job] = await queued(database)
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert "went away" in job.last_error
    assert json.loads(job.payload)["inboxes"] == inboxes

    async with database.transaction() as session:
        stored = await session.get(Job, job.id)
        assert stored is not None
        stored.run_after = utcnow()
    healthy = FakeNetwork()
    await worker_for(federation_on(healthy, settings, database)).run_until_empty()
    assert healthy.urls() == inboxes
    assert await queued(database) == []


async def test_a_delivery_claimed_by_a_dead_worker_is_taken_up_again(
    database: Database, federation: Federation, network: FakeNetwork
) -> None:
    await send(database, ["https://remote.example/inbox"])
    dead = worker_for(federation)
    [claimed] = await dead.claim()  # … and then the process was killed (kill -9)
    await worker_for(federation).run_until_empty()
    assert network.posted == []  # still within its lease
    async with database.transaction() as session:
        stored = await session.get(Job, claimed.id)
        assert stored is not None
        stored.locked_at = utcnow() - job_queue.STALE_LOCK - timedelta(seconds=1)
    await worker_for(federation).run_until_empty()
    assert network.urls() == ["https://remote.example/inbox"]
    assert await queued(database) == []


async def test_a_malformed_delivery_fails_for_good(
    database: Database, federation: Federation
) -> None:
    async with database.transaction() as session:
        job_queue.enqueue(session, delivery.DELIVER, {"inboxes": "https://x.example/inbox"})
    await worker_for(federation).run_until_empty()
    [job] = await queued(database)
    assert job.status == JobStatus.FAILED


async def test_inboxes_that_outlast_the_deadline_are_tried_again_and_the_rest_recorded(
    database: Database,
    federation: Federation,
    network: FakeNetwork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """However slow the servers of one job, it ends before its time limit with what it has."""
    monkeypatch.setattr(delivery, "DEADLINE", timedelta(seconds=0.2))
    hanging = "https://tarpit.example/inbox"
    real_post = network.post

    async def slow_for_one(url: str, body: bytes, **options: Any) -> int:
        if url == hanging:
            await asyncio.sleep(30)
        return await real_post(url, body, **options)

    monkeypatch.setattr(network, "post", slow_for_one)
    await send(database, [hanging, "https://up.example/inbox"])
    await worker_for(federation).run_due_jobs()
    [retry] = await queued(database)
    assert json.loads(retry.payload)["inboxes"] == [hanging]
    assert network.urls() == ["https://up.example/inbox"]
