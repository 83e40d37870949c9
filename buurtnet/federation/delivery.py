"""Delivery: an activity POSTed, signed, to every inbox it is for, until each has it or never will.

`deliver_later` writes the work into the caller's transaction: the activity serialised once, its
inboxes in `deliver` jobs of at most `CHUNK` each, so several workers share a large fan-out.
A `deliver` job POSTs to its inboxes at once (with all deliveries of the process at most
`DELIVERIES_AT_ONCE` requests in flight, over the one pooled client), each request signed with
the actor's key. Per inbox:

- 2xx: delivered; the domain's record of failures is cleared.
- 410 and every other 4xx but 408 and 429, a forbidden address or a bad URL: final, never retried.
- 5xx, 408, 429, a timeout or a broken connection: retried with exponential back-off for about a
  week, as a new job for just the inboxes that failed. A domain failing for more than
  `UNAVAILABLE_AFTER` without one success is marked unavailable and skipped until it answers.

A worker that dies mid-job loses nothing: the job row goes only after the outcomes are written, so
the job runs again (receivers recognise a repeat by the activity's id). Anything unexpected fails
the whole job, which the queue then retries.
"""

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import job_queue
from buurtnet.core.remote_accounts import domain_of, shut_domains
from buurtnet.db import insert_new
from buurtnet.federation.as2.objects import JsonObject, document
from buurtnet.federation.context import Federation
from buurtnet.federation.fetch import BadUrl, FetchError, ForbiddenAddress, TooManyRedirects
from buurtnet.federation.signatures import SignatureAuth
from buurtnet.models import RemoteDomain, utcnow

DELIVER = "federation.deliver"
CHUNK = 50
UNAVAILABLE_AFTER = timedelta(hours=24)
RETRIED_STATUSES = frozenset({408, 429})
HEADERS = {"Content-Type": "application/activity+json"}
# Under the job's time limit, so that what was delivered is recorded, and the rest tried again,
# however slow the servers of a job (and the queue for the process's delivery slots) are.
DEADLINE = job_queue.JOB_TIME_LIMIT - timedelta(seconds=30)
FINAL_ERRORS = (ForbiddenAddress, BadUrl, TooManyRedirects)


class Outcome(StrEnum):
    DELIVERED = "delivered"
    FINAL = "final"  # refused for good (or cannot be sent): never retried
    RETRY = "retry"


@dataclass(frozen=True)
class Delivery:
    """A `deliver` job's payload, checked."""

    body: str  # the activity as serialised once, so every retry sends the same bytes
    key_owner: str
    key_id: str
    inboxes: list[str]
    attempt: int

    def payload(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "key_owner": self.key_owner,
            "key_id": self.key_id,
            "inboxes": self.inboxes,
            "attempt": self.attempt,
        }


def key_id_of(activity: JsonObject) -> str:
    """Every actor of ours has its key at `<actor>#main-key`."""
    return f"{activity['actor']}#main-key"


def deliver_later(
    session: AsyncSession, key_owner: str, activity: JsonObject, inboxes: Iterable[str]
) -> None:
    """Enqueue the delivery of an activity to inboxes (each once) in the caller's transaction,
    signed by `key_owner`'s key (`keys.account_owner(id)`, …)."""
    unique = sorted(set(inboxes))
    body = json.dumps(document(activity), ensure_ascii=False, separators=(",", ":"))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        job = Delivery(body, key_owner, key_id_of(activity), chunk, attempt=1)
        job_queue.enqueue(session, DELIVER, job.payload())


def outcome_of_status(status: int) -> Outcome:
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status >= 500 or status in RETRIED_STATUSES:
        return Outcome.RETRY
    return Outcome.FINAL


def parse_delivery(payload: job_queue.Payload) -> Delivery:
    try:
        found = Delivery(
            body=payload["body"],
            key_owner=payload["key_owner"],
            key_id=payload["key_id"],
            inboxes=list(payload["inboxes"]),
            attempt=int(payload["attempt"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise job_queue.PermanentFailure(f"malformed delivery: {error!r}") from error
    texts = (found.body, found.key_owner, found.key_id, *found.inboxes)
    if not all(isinstance(text, str) for text in texts):
        raise job_queue.PermanentFailure("malformed delivery: not text")
    return found


async def deliver(federation: Federation, payload: job_queue.Payload) -> None:
    """The `deliver` job: POST to each inbox, record the outcomes, queue a retry of the failed."""
    job = parse_delivery(payload)
    async with federation.database.reading() as session:
        inboxes = await open_inboxes(session, job.inboxes)
    if not inboxes:
        return
    auth = SignatureAuth(job.key_id, await federation.keys.private_key(job.key_owner))
    body = job.body.encode()

    async def post(inbox: str) -> Outcome:
        async with federation.delivery_slots:
            try:
                status = await federation.client.post(inbox, body, headers=HEADERS, auth=auth)
            except FINAL_ERRORS:
                return Outcome.FINAL
            except FetchError:  # timeouts, refused or broken connections
                return Outcome.RETRY
        return outcome_of_status(status)

    tasks = {inbox: asyncio.create_task(post(inbox)) for inbox in inboxes}
    _, late = await asyncio.wait(tasks.values(), timeout=DEADLINE.total_seconds())
    for task in late:
        task.cancel()  # still waiting for a slot or an answer: tried again later
    if late:
        await asyncio.wait(late)
    # Something unexpected fails the whole job (each error read, so none is left unreported).
    errors = [task.exception() for task in tasks.values() if not task.cancelled()]
    if unexpected := [error for error in errors if error is not None]:
        raise unexpected[0]
    outcomes = {inbox: _outcome(task) for inbox, task in tasks.items()}
    async with federation.database.transaction() as session:
        await record_outcomes(session, outcomes)
        failed = [inbox for inbox, outcome in outcomes.items() if outcome is Outcome.RETRY]
        if failed and job.attempt < job_queue.MAX_ATTEMPTS:
            retry = Delivery(job.body, job.key_owner, job.key_id, failed, job.attempt + 1)
            delay = job_queue.retry_delay(job.attempt)
            job_queue.enqueue(session, DELIVER, retry.payload(), delay=delay)


def _outcome(task: "asyncio.Task[Outcome]") -> Outcome:
    return Outcome.RETRY if task.cancelled() else task.result()


async def open_inboxes(session: AsyncSession, inboxes: list[str]) -> list[str]:
    """The inboxes on servers that we deliver to (`remote_accounts.shut_domains`)."""
    shut = await shut_domains(session, {domain_of(inbox) for inbox in inboxes})
    return [inbox for inbox in inboxes if domain_of(inbox) not in shut]


async def mark_answering(session: AsyncSession, domains: Sequence[str]) -> None:
    """These servers answer (a delivery went through, or they sent us something): their
    failures are forgotten, and deliveries to them start again."""
    if domains:
        await session.exec(
            update(RemoteDomain)
            .where(col(RemoteDomain.domain).in_(domains))
            .values(failures=0, failing_since=None, unavailable=False)
        )


async def record_outcomes(session: AsyncSession, outcomes: dict[str, Outcome]) -> None:
    """A success clears its domain's failures; a domain with only failures counts one more, and
    is unavailable once it has been failing for longer than UNAVAILABLE_AFTER."""
    by_domain: dict[str, set[Outcome]] = {}
    for inbox, outcome in outcomes.items():
        by_domain.setdefault(domain_of(inbox), set()).add(outcome)
    answered = [domain for domain, seen in by_domain.items() if Outcome.DELIVERED in seen]
    failing = [
        domain
        for domain, seen in by_domain.items()
        if Outcome.RETRY in seen and Outcome.DELIVERED not in seen
    ]
    await mark_answering(session, answered)
    if not failing:
        return
    now = utcnow()
    fresh = {"failures": 0, "unavailable": False, "failing_since": None}
    rows = [{"domain": domain, **fresh} for domain in failing]
    await insert_new(session, RemoteDomain, rows, unique=["domain"])
    await session.exec(
        update(RemoteDomain)
        .where(col(RemoteDomain.domain).in_(failing))
        .values(
            failures=col(RemoteDomain.failures) + 1,
            failing_since=func.coalesce(col(RemoteDomain.failing_since), now),
        )
    )
    await session.exec(
        update(RemoteDomain)
        .where(
            col(RemoteDomain.domain).in_(failing),
            col(RemoteDomain.failing_since) < now - UNAVAILABLE_AFTER,
        )
        .values(unavailable=True)
    )
